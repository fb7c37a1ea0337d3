/// <reference types="node" />
// The wait for the popup's answer (waitForCallback): only our callback page's answer to this very
// request ends it, by postMessage or over BroadcastChannel; a closed popup is said once without
// ending it (COOP may have cut the handle, the answer may still come); the deadline and an abort
// end it; whatever ends it removes its listeners and timers. Time is mocked.
import { afterEach, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { SignInError } from "../errors";
import { CALLBACK_SOURCE, callbackChannel } from "../messages";
import { waitForCallback, type WaitOptions } from "../window";
import { FakePopup, installPage, REDIRECT_URI, settle } from "./fakes";

const T0 = Date.UTC(2025, 0, 15, 12);
const ANSWER = `${REDIRECT_URI}#code=c1&state=s1`;

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

test("only our callback page's answer to this request, from this origin, ends the wait", async (t) => {
  mockTime(t);
  const { window } = installPage();
  const wait = watch(waitForCallback(new FakePopup() as unknown as Window, "s1", options()));
  window.answer(`${REDIRECT_URI}#code=c1&state=other`);
  window.answer(ANSWER, { origin: "https://evil.example" });
  window.answer(ANSWER, { source: "someone-else" });
  window.dispatchEvent(new MessageEvent("message", { origin: "https://lab.example", data: "not an object" }));
  await settle();
  assert.equal(wait.done, false);
  window.answer(ANSWER);
  await settle();
  assert.deepEqual(wait, { done: true, value: ANSWER });
  assert.equal(window.messageListeners, 0);
});

test("an answer over BroadcastChannel ends the wait when COOP cut window.opener", async (t) => {
  mockTime(t);
  installPage();
  const wait = waitForCallback(new FakePopup() as unknown as Window, "s1", options());
  const channel = new BroadcastChannel(callbackChannel("s1"));
  channel.postMessage({ source: CALLBACK_SOURCE, url: ANSWER });
  channel.close();
  assert.equal(await wait, ANSWER);
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
  window.answer(ANSWER);
  await settle();
  assert.deepEqual(wait, { done: true, value: ANSWER });
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
