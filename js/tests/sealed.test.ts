/// <reference types="node" />
// Redirect mode's state in the tab: sealed under a key only the kernel keeps, so a script in the tab
// reads nothing usable; unsealed only with that key; and cleared when abandoned.
import { test } from "node:test";
import assert from "node:assert/strict";
import { importTripKey, newTripKey, SealedStore } from "../sealed";
import { MemoryStorage } from "./fakes";

const storage = new MemoryStorage();
(globalThis as Record<string, unknown>).sessionStorage = storage;
const { clearAbandonedTrip, clearTrip, MAX_AGE_MS, NONCE_PREFIX, STATE_PREFIX } = await import("../trip");
const { PENDING, RESPONSE } = await import("../messages");

const STATE = JSON.stringify({ id: "s1", code_verifier: "verifier-0123456789-abcdefghij", nonce: "n-42" });

test("what the store keeps is unreadable without the key, and read back with it", async () => {
  storage.clear();
  const { key, raw } = await newTripKey();
  const store = new SealedStore(key, storage, STATE_PREFIX);
  await store.set("s1", STATE);
  assert.ok(!storage.dump().includes("verifier-0123456789") && !storage.dump().includes("n-42"));
  assert.deepEqual(await store.getAllKeys(), ["s1"]);
  // The kernel hands the raw key back after the trip: it opens the same entry.
  const again = new SealedStore(await importTripKey(raw), storage, STATE_PREFIX);
  assert.equal(await again.get("s1"), STATE);
  assert.equal(await again.remove("s1"), STATE);
  assert.equal(storage.length, 0);
});

test("another key (a restarted kernel's, or a guess) opens nothing", async () => {
  storage.clear();
  const { key } = await newTripKey();
  await new SealedStore(key, storage, STATE_PREFIX).set("s1", STATE);
  const other = await newTripKey();
  assert.equal(await new SealedStore(other.key, storage, STATE_PREFIX).get("s1"), null);
});

test("a tampered entry opens nothing", async () => {
  storage.clear();
  const { key } = await newTripKey();
  const store = new SealedStore(key, storage, STATE_PREFIX);
  await store.set("s1", STATE);
  const [iv, data] = (storage.getItem(`${STATE_PREFIX}s1`) as string).split(".");
  storage.setItem(`${STATE_PREFIX}s1`, `${iv}.${data.slice(0, -2)}AA`);
  assert.equal(await store.get("s1"), null);
});

test("a trip is cleared whole; an abandoned one when a widget loads, a live one is left to its widget", () => {
  const fill = (created: number) => {
    storage.clear();
    storage.setItem(PENDING, JSON.stringify({ instance: "w1", state: "s1", created }));
    storage.setItem(RESPONSE, "https://lab.example/oidc/redirect.html#code=c&state=s1");
    storage.setItem(`${STATE_PREFIX}s1`, "sealed");
    storage.setItem(`${NONCE_PREFIX}s1`, "sealed");
    storage.setItem("someone-else", "kept");
  };
  fill(Date.now());
  clearAbandonedTrip();
  assert.equal(storage.length, 5);
  fill(Date.now() - MAX_AGE_MS - 1);
  clearAbandonedTrip();
  assert.deepEqual([storage.key(0), storage.length], ["someone-else", 1]);
  fill(Date.now());
  storage.removeItem(PENDING); // an answer without its trip
  clearAbandonedTrip();
  assert.equal(storage.getItem(RESPONSE), null);
  fill(Date.now());
  clearTrip();
  assert.equal(storage.length, 1);
});
