/// <reference types="node" />
// The popup window (js/signin/window.ts): opened at the URL it is given, centred on the page, with the
// config's features, or said blocked at once. The wait for its answer (waitForCallback): only our
// callback page's message for this very request's state ends it, by postMessage or over
// BroadcastChannel, and is what it resolves with (the keeper's outcome, or none for a sign-out); a
// closed popup is said once without ending it (COOP may have cut the handle, the answer may still
// come); the deadline and an abort end it; whatever ends it removes its listeners and timers. Time
// is mocked.
import { afterEach, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { SignInError } from "../shared/errors";
import { CALLBACK_SOURCE, callbackChannel } from "../shared/messages";
import { openPopup, waitForCallback, type WaitOptions } from "../signin/window";
import { CONFIG, FakePopup, installPage, sessionView, settle, T0, waitFor } from "./fakes";

const OUTCOME = { session: sessionView() };
/** What our callback page tells the opener for the sign-in of state s1. */
const MESSAGE = { source: CALLBACK_SOURCE, state: "s1", outcome: OUTCOME };

function watch<T>(promise: Promise<T>): { done: boolean; value?: T; error?: unknown } {
  const seen: { done: boolean; value?: T; error?: unknown } = { done: false };
  promise.then(
    (value) => Object.assign(seen, { done: true, value }),
    (error) => Object.assign(seen, { done: true, error }),
  );
  return seen;
}

// Ended after each test, so that a failed assertion leaves no wait (and its BroadcastChannel) open.
let ending = new AbortController();
afterEach(() => {
  ending.abort();
  ending = new AbortController();
});

function options(overrides: Partial<WaitOptions> = {}): WaitOptions & { closedCalls: number } {
  const opts = {
    deadline: T0 + 30_000,
    signal: ending.signal,
    closedCalls: 0,
    onPopupClosed: () => void opts.closedCalls++,
    timeoutMessage: (seconds: number) => `Sign-in did not finish within ${seconds} s.`,
    ...overrides,
  };
  return opts;
}

function mockTime(t: TestContext): void {
  t.mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"], now: T0 });
}

test("openPopup opens at the URL given, centred, with the config's features; a blank one without a URL", () => {
  const { window } = installPage();
  Object.assign(window, { screenX: 100, screenY: 50, outerWidth: 1300, outerHeight: 900 });
  const popup = openPopup(CONFIG, "https://idp.example/auth?state=s1") as unknown as FakePopup;
  assert.equal(popup.openedAt, "https://idp.example/auth?state=s1");
  assert.equal(popup.features, "left=500,top=180,popup=yes,width=500,height=640");
  const custom = openPopup({ ...CONFIG, popupWindowFeatures: { width: 300, toolbar: false } }) as unknown as FakePopup;
  assert.equal(custom.openedAt, "");
  assert.equal(custom.features, "left=600,top=180,popup=yes,width=300,height=640,toolbar=no");
});

test("a popup the browser refuses is popup_blocked, with Sign in to open it", () => {
  const { window } = installPage();
  window.blocked = true;
  assert.throws(() => openPopup(CONFIG, "https://idp.example/auth"), {
    name: "SignInError",
    code: "popup_blocked",
    message: "The browser blocked the sign-in window. Click Sign in to open it.",
  });
  assert.equal(window.opens, 1);
});

test("only our callback page's message for this request's state, from this origin, ends the wait", async (t) => {
  mockTime(t);
  const { window } = installPage();
  const wait = watch(waitForCallback(new FakePopup() as unknown as Window, "s1", options()));
  window.answer("other", OUTCOME);
  window.answer("s1", OUTCOME, { origin: "https://evil.example" });
  window.answer("s1", OUTCOME, { source: "someone-else" });
  window.dispatchEvent(new MessageEvent("message", { origin: "https://lab.example", data: "not an object" }));
  window.dispatchEvent(new MessageEvent("message", { origin: "https://lab.example", data: null }));
  await settle();
  assert.equal(wait.done, false);
  window.answer("s1", OUTCOME);
  await settle();
  assert.deepEqual(wait, { done: true, value: MESSAGE });
  assert.equal(window.messageListeners, 0);
});

test("a message without an outcome (the provider's sign-out coming back) ends the wait as it is", async (t) => {
  mockTime(t);
  const { window } = installPage();
  const wait = watch(waitForCallback(new FakePopup() as unknown as Window, "so-1", options()));
  window.answer("so-1");
  await settle();
  assert.deepEqual(wait, { done: true, value: { source: CALLBACK_SOURCE, state: "so-1" } });
});

test("a message over BroadcastChannel ends the wait when COOP cut window.opener", async (t) => {
  mockTime(t);
  installPage();
  const wait = watch(waitForCallback(new FakePopup() as unknown as Window, "s1", options()));
  const channel = new BroadcastChannel(callbackChannel("s1"));
  try {
    // Delivered in order: had either of the first two been taken, the wait would have ended with it.
    channel.postMessage({ ...MESSAGE, state: "other", outcome: { error: "x", message: "on this channel, not its answer" } });
    channel.postMessage({ ...MESSAGE, source: "someone-else", outcome: { error: "y", message: "not our page's" } });
    channel.postMessage(MESSAGE);
    await waitFor(() => wait.done, "the message over the channel");
    assert.deepEqual(wait, { done: true, value: MESSAGE });
  } finally {
    channel.close();
  }
});

test("a popup the user closed is said once, and the answer may still end the wait", async (t) => {
  mockTime(t);
  const { window } = installPage();
  const popup = new FakePopup();
  const opts = options();
  const wait = watch(waitForCallback(popup as unknown as Window, "s1", opts));
  popup.closed = true;
  t.mock.timers.tick(499);
  assert.equal(opts.closedCalls, 0);
  t.mock.timers.tick(1);
  assert.equal(opts.closedCalls, 1);
  t.mock.timers.tick(10_000);
  assert.equal(opts.closedCalls, 1);
  await settle();
  assert.equal(wait.done, false);
  window.answer("s1", OUTCOME);
  await settle();
  assert.deepEqual(wait, { done: true, value: MESSAGE });
});

test("the wait gives up at the deadline with the caller's message, and stops watching the popup", async (t) => {
  mockTime(t);
  const { window } = installPage();
  const popup = new FakePopup();
  const opts = options();
  const wait = watch(waitForCallback(popup as unknown as Window, "s1", opts));
  t.mock.timers.tick(29_999);
  await settle();
  assert.equal(wait.done, false);
  t.mock.timers.tick(1);
  await settle();
  assert.ok(wait.error instanceof SignInError);
  assert.equal(wait.error.code, "timeout");
  assert.equal(wait.error.message, "Sign-in did not finish within 30 s.");
  popup.closed = true;
  t.mock.timers.tick(1_000);
  assert.equal(opts.closedCalls, 0);
  assert.equal(window.messageListeners, 0);
});

test("an abort ends the wait as cancelled, also when it came before the wait began", async (t) => {
  mockTime(t);
  const { window } = installPage();
  const abort = new AbortController();
  const wait = waitForCallback(new FakePopup() as unknown as Window, "s1", options({ signal: abort.signal }));
  abort.abort();
  await assert.rejects(wait, { name: "SignInError", code: "cancelled" });
  const early = waitForCallback(new FakePopup() as unknown as Window, "s1", options({ signal: abort.signal }));
  await assert.rejects(early, { code: "cancelled" });
  assert.equal(window.messageListeners, 0);
});
