/// <reference types="node" />
// A sign-in in a popup, against a provider behind a fake fetch: the window opens before anything
// is fetched, the answer is exchanged with the PKCE verifier and its ID token checked; a window the
// user closed, the deadline, a refusal or an answer from another provider end it, and the popup is
// closed whichever way it ends.
import { afterEach, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { signInWithPopup, type PopupOptions } from "../popup";
import { CONFIG, FakeProvider, installPage, REDIRECT_URI, settle } from "./fakes";

const T0 = Date.UTC(2025, 0, 15, 12);

// Ended after each test, so that a failed assertion leaves no wait (and its BroadcastChannel) open.
let ending = new AbortController();
afterEach(() => {
  ending.abort();
  ending = new AbortController();
});

function options(overrides: Partial<PopupOptions> = {}): PopupOptions & { closedCalls: number } {
  const opts = {
    redirectUri: REDIRECT_URI,
    deadline: T0 + 60_000,
    signal: ending.signal,
    closedCalls: 0,
    onPopupClosed: () => void opts.closedCalls++,
    timeoutMessage: (seconds: number) => `Sign-in did not finish within ${seconds} s.`,
    ...overrides,
  };
  return opts;
}

async function begin(t: TestContext, overrides: Partial<PopupOptions> = {}) {
  const page = installPage();
  const provider = (await FakeProvider.create()).install();
  t.mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"], now: T0 });
  const opts = options(overrides);
  const signIn = signInWithPopup(CONFIG, opts);
  const popup = page.window.popups[0];
  const authorizationUrl = popup ? await popup.navigated : "";
  return { ...page, provider, opts, signIn, popup, authorizationUrl };
}

test("the answer arriving is exchanged with the PKCE verifier, its ID token checked, the popup closed", async (t) => {
  const { window, provider, signIn, popup, authorizationUrl } = await begin(t);
  const asked = new URL(authorizationUrl).searchParams;
  assert.equal(asked.get("response_type"), "code");
  assert.equal(asked.get("code_challenge_method"), "S256");
  assert.equal(asked.get("response_mode"), "fragment");
  assert.ok(asked.get("nonce"));
  window.answer(provider.authorize(authorizationUrl));
  const { result, metadata } = await signIn;
  assert.equal(result.access_token, "at-1");
  assert.equal(result.refresh_token, "rt-1");
  assert.equal(result.claims.sub, "alice");
  assert.equal(result.claims.nonce, asked.get("nonce"));
  assert.equal(metadata.issuer, CONFIG.authority);
  assert.equal(provider.requestsTo("/token").length, 1);
  assert.equal(popup.closed, true);
});

test("a blocked popup is said at once, before the provider is asked anything", async () => {
  installPage().window.blocked = true;
  const provider = (await FakeProvider.create()).install();
  await assert.rejects(signInWithPopup(CONFIG, options()), { code: "popup_blocked" });
  assert.equal(provider.requests.length, 0);
});

test("a popup the user closed is said once; with no answer the sign-in ends at the deadline", async (t) => {
  const { provider, opts, signIn, popup } = await begin(t);
  let error: unknown = null;
  signIn.catch((err) => (error = err));
  popup.closed = true;
  t.mock.timers.tick(500);
  assert.equal(opts.closedCalls, 1);
  t.mock.timers.tick(59_499);
  await settle();
  assert.equal(error, null);
  t.mock.timers.tick(1);
  await assert.rejects(signIn, { code: "timeout", message: "Sign-in did not finish within 60 s." });
  assert.equal(opts.closedCalls, 1);
  assert.equal(provider.requestsTo("/token").length, 0);
});

test("at the deadline the popup the user left open is closed", async (t) => {
  const { signIn, popup } = await begin(t);
  t.mock.timers.tick(60_000);
  await assert.rejects(signIn, { code: "timeout" });
  assert.equal(popup.closed, true);
});

test("cancelling closes the popup", async (t) => {
  const abort = new AbortController();
  const { signIn, popup } = await begin(t, { signal: abort.signal });
  abort.abort();
  await assert.rejects(signIn, { code: "cancelled" });
  assert.equal(popup.closed, true);
});

test("the provider's refusal ends the sign-in with its error code, and no code is exchanged", async (t) => {
  const { window, provider, signIn, popup, authorizationUrl } = await begin(t);
  const state = new URL(authorizationUrl).searchParams.get("state");
  window.answer(`${REDIRECT_URI}#error=access_denied&state=${state}`);
  await assert.rejects(signIn, { code: "access_denied" });
  assert.equal(provider.requestsTo("/token").length, 0);
  assert.equal(popup.closed, true);
});

test("an answer from another provider (RFC 9207 mix-up) is refused before its code goes anywhere", async (t) => {
  const { window, provider, signIn, authorizationUrl } = await begin(t);
  const answer = new URL(provider.authorize(authorizationUrl));
  answer.hash = answer.hash.replace(/iss=[^&]*/, "iss=https%3A%2F%2Fevil.example");
  window.answer(answer.toString());
  await assert.rejects(signIn, { code: "issuer_mismatch" });
  assert.equal(provider.requestsTo("/token").length, 0);
});

test("an ID token signed for another nonce is refused", async (t) => {
  const { window, provider, signIn, authorizationUrl } = await begin(t);
  const replayed = new URL(authorizationUrl);
  replayed.searchParams.set("nonce", "someone-elses");
  window.answer(provider.authorize(replayed.toString()));
  await assert.rejects(signIn, { code: "invalid_id_token", message: /nonce in id_token does not match/ });
});
