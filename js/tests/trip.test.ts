/// <reference types="node" />
// What redirect mode keeps in the tab's sessionStorage across the trip (js/shared/trip.ts, js/signin/redirect.ts):
// the outcome our callback page had from the keeper is taken once (takeOutcome), by the widget that
// left, for its own state, within MAX_AGE_MS, and whatever happens nothing of the trip is left
// afterwards; a trip nobody can finish, or nobody claims, is cleared. Time is mocked.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { CALLBACK_SOURCE, PENDING, RESPONSE } from "../shared/messages";
import { leave, takeOutcome } from "../signin/redirect";
import { CLAIM_WINDOW_MS, clearAbandonedTrip, clearTripsNobodyClaims, MAX_AGE_MS, readPending, tripPending } from "../shared/trip";
import { installPage, sessionView, T0 } from "./fakes";

const OUTCOME = { session: sessionView({ id: "s-trip" }) };
/** What our callback page keeps in the tab for the widget: the state, and the keeper's outcome. */
const KEPT = JSON.stringify({ state: "st-1", outcome: OUTCOME });

/** Widget `instance` left for the provider and came back with its outcome (what callback.ts keeps). */
function away(t: TestContext, instance = "w1") {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: T0 });
  const page = installPage();
  page.storage.setItem("someone-else", "kept");
  leave(instance, "st-1", "https://idp.example/auth?state=st-1");
  page.storage.setItem(RESPONSE, KEPT);
  return page;
}

test("leave() keeps only which widget left, its state and when, and sends the tab to the URL", (t) => {
  const { storage, location } = away(t);
  assert.deepEqual(location.assigned, ["https://idp.example/auth?state=st-1"]);
  assert.deepEqual(readPending(), { instance: "w1", state: "st-1", created: T0 });
  assert.deepEqual(storage.keys(), ["someone-else", PENDING, RESPONSE]);
});

test("the widget that left takes its outcome once, as a callback message; another widget's trip is left to it", (t) => {
  const { storage } = away(t, "w1");
  assert.equal(tripPending("w2"), false);
  assert.equal(takeOutcome("w2"), null);
  assert.ok(storage.getItem(PENDING), "another widget's trip is left to it");
  assert.equal(tripPending("w1"), true);
  assert.deepEqual(takeOutcome("w1"), { source: CALLBACK_SOURCE, state: "st-1", outcome: OUTCOME });
  assert.deepEqual(storage.keys(), ["someone-else"]);
  assert.equal(tripPending("w1"), false);
  assert.equal(takeOutcome("w1"), null);
});

test("a refusal kept by the callback page is taken as it is", (t) => {
  const { storage } = away(t);
  const refused = { error: "access_denied", message: "The provider refused the sign-in." };
  storage.setItem(RESPONSE, JSON.stringify({ state: "st-1", outcome: refused }));
  assert.deepEqual(takeOutcome("w1"), { source: CALLBACK_SOURCE, state: "st-1", outcome: refused });
  assert.deepEqual(storage.keys(), ["someone-else"]);
});

test("an outcome that comes back after MAX_AGE_MS is not used, and the trip is cleared", (t) => {
  const { storage } = away(t);
  t.mock.timers.tick(MAX_AGE_MS);
  assert.equal(tripPending("w1"), true);
  t.mock.timers.tick(1);
  assert.equal(tripPending("w1"), false);
  assert.equal(takeOutcome("w1"), null);
  assert.deepEqual(storage.keys(), ["someone-else"]);
});

test("a trip without an outcome (the user came back another way) is cleared when taken", (t) => {
  const { storage } = away(t);
  storage.removeItem(RESPONSE);
  assert.equal(takeOutcome("w1"), null);
  assert.deepEqual(storage.keys(), ["someone-else"]);
});

test("an outcome for another state, or one that is not JSON, is not used, and the trip is cleared", (t) => {
  const { storage } = away(t);
  storage.setItem(RESPONSE, JSON.stringify({ state: "st-other", outcome: OUTCOME }));
  assert.equal(takeOutcome("w1"), null);
  assert.deepEqual(storage.keys(), ["someone-else"]);

  leave("w1", "st-1", "https://idp.example/auth?state=st-1");
  storage.setItem(RESPONSE, "https://lab.example/oidc/redirect.html?code=c-1&state=st-1"); // an earlier version's
  assert.equal(takeOutcome("w1"), null);
  assert.deepEqual(storage.keys(), ["someone-else"]);
});

test("a widget loading in the tab clears a trip older than MAX_AGE_MS, an answer without its trip, and old names", (t) => {
  const { storage } = away(t);
  clearAbandonedTrip();
  assert.equal(storage.length, 3, "a live trip is left to its widget");
  t.mock.timers.tick(MAX_AGE_MS + 1);
  storage.setItem("ipython-oidc-client.state.abc", "sealed by an earlier version");
  storage.setItem("ipython-oidc-client.nonce.abc", "sealed by an earlier version");
  clearAbandonedTrip();
  assert.deepEqual(storage.keys(), ["someone-else"]);
  storage.setItem(RESPONSE, KEPT);
  clearAbandonedTrip();
  assert.deepEqual(storage.keys(), ["someone-else"]);
});

test("a trip no widget claims within the claim window is cleared; a claimed or newer one is not", (t) => {
  const { storage } = away(t);
  clearTripsNobodyClaims();
  t.mock.timers.tick(CLAIM_WINDOW_MS - 1);
  assert.equal(storage.length, 3);
  t.mock.timers.tick(1);
  assert.deepEqual(storage.keys(), ["someone-else"]);

  leave("w1", "st-1", "https://idp.example/auth?state=st-1");
  clearTripsNobodyClaims();
  leave("w2", "st-2", "https://idp.example/auth?state=st-2"); // a newer trip begun meanwhile
  t.mock.timers.tick(CLAIM_WINDOW_MS);
  assert.equal(readPending()?.state, "st-2");
});

test("a malformed trip is no trip", (t) => {
  const { storage } = away(t);
  storage.setItem(PENDING, "{not json");
  assert.equal(readPending(), null);
  assert.equal(tripPending("w1"), false);
  storage.setItem(PENDING, JSON.stringify({ instance: "w1", state: 5, created: T0 }));
  assert.equal(readPending(), null);
});
