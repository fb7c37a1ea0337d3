/// <reference types="node" />
// Redirect mode's trip in the tab's sessionStorage (js/redirect.ts, js/trip.ts), against a provider
// behind a fake fetch and a fake sessionStorage: the trip's state is sealed while the tab is away;
// its answer is claimed once, by the widget that started it, within MAX_AGE_MS; whatever happens,
// nothing of the trip is left afterwards; a trip that no widget claims is cleared. Time is mocked.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { PENDING, RESPONSE } from "../messages";
import { finishRedirect, startRedirect, tripPending } from "../redirect";
import { CLAIM_WINDOW_MS, clearAbandonedTrip, clearTripsNobodyClaims, MAX_AGE_MS, NONCE_PREFIX, STATE_PREFIX } from "../trip";
import { CONFIG, FakeProvider, installPage, REDIRECT_URI } from "./fakes";

const T0 = Date.UTC(2025, 0, 15, 12);
const SETTINGS = async () => ({ config: CONFIG, redirectUri: REDIRECT_URI });

/** Leave for the provider as widget `instance`, sign in there, and come back with its answer. */
async function trip(t: TestContext, instance = "w1") {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: T0 });
  const page = installPage();
  const provider = (await FakeProvider.create()).install();
  const serverFetch = provider.fetch;
  const returnPaths: string[] = [];
  (globalThis as Record<string, unknown>).fetch = async (input: string, init: RequestInit) => {
    if (input !== "/oidc/return-path") return serverFetch(input, init);
    returnPaths.push(String(init.body));
    return new Response(null, { status: 204 });
  };
  page.storage.setItem("someone-else", "kept");
  let kernelKey: string | null = null;
  await startRedirect(CONFIG, REDIRECT_URI, instance, async (raw) => void (kernelKey = raw));
  const [authorizationUrl] = page.location.assigned;
  // What the callback page does with the provider's answer (js/callback.ts).
  page.storage.setItem(RESPONSE, provider.authorize(authorizationUrl));
  return { ...page, provider, authorizationUrl, kernelKey, returnPaths };
}

test("while the tab is away, its trip is sealed: neither verifier nor nonce can be read from the tab", async (t) => {
  const { storage, authorizationUrl, kernelKey, returnPaths } = await trip(t);
  assert.ok(kernelKey);
  assert.deepEqual(JSON.parse(returnPaths[0]), { path: "/lab/tree/a.ipynb", https: true });
  const nonce = new URL(authorizationUrl).searchParams.get("nonce") ?? "";
  assert.ok(nonce.length > 20);
  assert.ok(!storage.dump().includes(nonce));
  assert.ok(!storage.dump().includes("code_verifier"));
  assert.equal(storage.keys().filter((k) => k.startsWith(STATE_PREFIX)).length, 1);
  assert.equal(storage.keys().filter((k) => k.startsWith(NONCE_PREFIX)).length, 1);
});

test("the widget that started the trip claims its answer once; nothing of the trip is left", async (t) => {
  const { storage, provider, kernelKey } = await trip(t, "w1");
  assert.equal(tripPending("w2"), false);
  assert.equal(await finishRedirect("w2", kernelKey, SETTINGS), null);
  assert.ok(storage.getItem(PENDING), "another widget's trip is left to it");
  assert.equal(tripPending("w1"), true);
  const signedIn = await finishRedirect("w1", kernelKey, SETTINGS);
  assert.equal(signedIn?.result.access_token, "at-1");
  assert.equal(signedIn?.result.claims.sub, "alice");
  assert.deepEqual(storage.keys(), ["someone-else"]);
  assert.equal(tripPending("w1"), false);
  assert.equal(await finishRedirect("w1", kernelKey, SETTINGS), null);
  assert.equal(provider.requestsTo("/token").length, 1);
});

test("an answer that comes back after MAX_AGE_MS is not used, and the trip is cleared", async (t) => {
  const { storage, provider, kernelKey } = await trip(t);
  t.mock.timers.tick(MAX_AGE_MS);
  assert.equal(tripPending("w1"), true);
  t.mock.timers.tick(1);
  assert.equal(tripPending("w1"), false);
  assert.equal(await finishRedirect("w1", kernelKey, SETTINGS), null);
  assert.equal(provider.requestsTo("/token").length, 0);
  assert.deepEqual(storage.keys(), ["someone-else"]);
});

test("without the kernel's key (a restarted kernel) the answer is refused, and the trip is cleared", async (t) => {
  const { storage, provider } = await trip(t);
  await assert.rejects(finishRedirect("w1", null, SETTINGS), { code: "redirect_failed", message: /restarted/ });
  assert.equal(provider.requestsTo("/token").length, 0);
  assert.deepEqual(storage.keys(), ["someone-else"]);
});

test("a widget loading in the tab clears a trip older than MAX_AGE_MS, or an answer without its trip", async (t) => {
  const { storage } = await trip(t);
  clearAbandonedTrip();
  assert.equal(storage.length, 5, "a live trip is left to its widget");
  t.mock.timers.tick(MAX_AGE_MS);
  clearAbandonedTrip();
  assert.equal(storage.length, 5, "a trip MAX_AGE_MS old is still live");
  t.mock.timers.tick(1);
  clearAbandonedTrip();
  assert.deepEqual(storage.keys(), ["someone-else"]);
  storage.setItem(RESPONSE, `${REDIRECT_URI}#code=c&state=s`);
  clearAbandonedTrip();
  assert.deepEqual(storage.keys(), ["someone-else"]);
});

test("a trip no widget claims within the claim window is cleared", async (t) => {
  const { storage } = await trip(t);
  clearTripsNobodyClaims();
  t.mock.timers.tick(CLAIM_WINDOW_MS - 1);
  assert.equal(storage.length, 5);
  t.mock.timers.tick(1);
  assert.deepEqual(storage.keys(), ["someone-else"]);
});

test("a trip claimed within the claim window is not cleared, nor the next trip begun meanwhile", async (t) => {
  const { storage } = await trip(t);
  clearTripsNobodyClaims();
  const pending = JSON.parse(storage.getItem(PENDING) ?? "{}");
  storage.setItem(PENDING, JSON.stringify({ ...pending, state: "a-newer-trip" }));
  t.mock.timers.tick(CLAIM_WINDOW_MS);
  assert.equal(storage.length, 5);
});
