/// <reference types="node" />
// How a popup sign-in ends without a session (js/signin/flows.ts, js/signin/window.ts): the browser refuses
// the window (needs_click, and the click opens it), the user closes it (popup_closed), the deadline
// passes (timeout, the window closed), the user clicks Cancel (the window closed, a late outcome not
// taken), the server cannot be reached (no window; or, when it was slow to fail, the blank window
// opened meanwhile closed). Time is mocked; nothing sleeps.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import * as say from "../shared/wording";
import { callbackAnswers } from "./fake-callback";
import { EARLY_WINDOW_MS, HINT_AFTER_MS } from "../signin/flows";
import { ids, widget } from "./fake-widget";
import { FakeServer, installPage, REDIRECT_URI, settle, T0, timeline, waitFor } from "./fakes";

const CAUSES = say.likelyCauses("nb", REDIRECT_URI);

async function started(t: TestContext, { blocked = false } = {}) {
  t.mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"], now: T0 });
  const page = installPage();
  page.window.blocked = blocked;
  const server = new FakeServer().install();
  const w = widget(t); // timeout: 30 s
  w.fromKernel({ type: "start" });
  if (!blocked) {
    await waitFor(() => page.window.atProvider !== undefined, "the sign-in window at the provider");
  }
  return { ...page, server, w, popup: page.window.popups[0] };
}

test("a refused window: needs_click with Sign in and Sign in in this tab; the click opens it", async (t) => {
  const { window, server, w } = await started(t, { blocked: true });
  const view = await w.until("needs_click");
  assert.deepEqual(ids(view), ["sign_in", "redirect"]);
  assert.equal(view.message, "The browser blocked the sign-in window. Click Sign in to open it.");
  assert.deepEqual(w.said("error"), [{ type: "error", error: "popup_blocked", message: view.message }]);
  assert.equal(window.opens, 1);
  window.blocked = false;
  timeline.length = 0;
  w.controller.act("sign_in");
  await waitFor(() => window.atProvider !== undefined, "the window, on the click, at the provider");
  assert.deepEqual(timeline, ["POST signin", `open ${server.begun[1].url}`]);
  assert.deepEqual(window.popups[0].urls, [server.begun[1].url]);
});

test("a window the user closed: popup_closed, said once, with Sign in", async (t) => {
  const { w, popup } = await started(t);
  popup.closed = true;
  t.mock.timers.tick(499);
  await settle(5);
  assert.equal(w.view.status, "signing_in");
  t.mock.timers.tick(1);
  const view = await w.until("error");
  assert.equal(view.message, say.POPUP_CLOSED);
  assert.deepEqual(ids(view), ["sign_in"]);
  t.mock.timers.tick(5_000);
  await settle(5);
  assert.deepEqual(w.said("error").map((m) => m.error), ["popup_closed"]);
  assert.deepEqual(w.said("session"), []);
});

test("a window the user closed is not said again as a timeout at the deadline", async (t) => {
  const { w, popup } = await started(t);
  popup.closed = true;
  t.mock.timers.tick(500);
  await w.until("error");
  t.mock.timers.tick(60_000);
  await settle(10);
  assert.equal(w.view.message, say.POPUP_CLOSED);
  assert.deepEqual(w.said("error").map((m) => m.error), ["popup_closed"]);
});

test("a window that looked closed (COOP cut the handle) can still bring the answer", async (t) => {
  const { window, w, popup, server } = await started(t);
  popup.closed = true;
  t.mock.timers.tick(500);
  await w.until("error");
  const outcome = await callbackAnswers(window, `${REDIRECT_URI}?code=c-1&state=${server.begun[0].state}`);
  const view = await w.until("signed_in");
  assert.equal(view.user, "Alice");
  assert.ok("session" in outcome);
  assert.deepEqual(w.said("session"), [{ type: "session", id: outcome.session.id }]);
});

test("the deadline: timeout with the usual causes, and the window left open is closed", async (t) => {
  const { w, popup } = await started(t);
  t.mock.timers.tick(HINT_AFTER_MS);
  await waitFor(() => w.view.message === say.stillWaiting(CAUSES), "the hint");
  assert.equal(w.view.status, "signing_in");
  t.mock.timers.tick(30_000 - HINT_AFTER_MS - 1);
  await settle(5);
  assert.equal(w.view.status, "signing_in");
  t.mock.timers.tick(1);
  const view = await w.until("error");
  assert.equal(view.message, say.timedOut(30, CAUSES));
  assert.deepEqual(w.said("error").map((m) => m.error), ["timeout"]);
  assert.equal(popup.closed, true);
  assert.deepEqual(w.said("session"), []);
});

test("Cancel: the window is closed, Sign in offered, and an outcome arriving later is not taken", async (t) => {
  const { window, w, popup, server } = await started(t);
  w.controller.act("cancel");
  assert.equal(w.view.status, "error");
  assert.equal(w.view.message, say.CANCELLED);
  assert.deepEqual(ids(w.view), ["sign_in"]);
  await waitFor(() => popup.closed, "the window closed");
  const made = server.seed({ late: true }, REDIRECT_URI);
  window.answer(server.begun[0].state, { session: made });
  await settle(10);
  assert.equal(w.view.status, "error");
  assert.deepEqual(w.said("error").map((m) => m.error), ["cancelled"]);
  assert.deepEqual(w.said("session"), []);
});

test("a server that does not answer: keeper_unavailable, said with Sign in, and no window", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"], now: T0 });
  const { window } = installPage();
  const server = new FakeServer().install();
  const message = "The server cannot reach its token keeper. Click Sign in.";
  server.refuse("signin", 503, { error: "keeper_unavailable", message });
  const w = widget(t);
  w.fromKernel({ type: "start" });
  const view = await w.until("error");
  assert.equal(view.message, message);
  assert.deepEqual(w.said("error").map((m) => m.error), ["keeper_unavailable"]);
  assert.equal(window.opens, 0);
});

test("a server slow to refuse: the blank window opened meanwhile is closed, and the refusal said", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"], now: T0 });
  const { window } = installPage();
  const server = new FakeServer().install();
  const message = "The server cannot reach its token keeper. Click Sign in.";
  server.refuse("signin", 503, { error: "keeper_unavailable", message });
  const release = server.hold("signin");
  const w = widget(t);
  w.fromKernel({ type: "start" });
  await waitFor(() => server.to("signin").length === 1, "the sign-in asked of the server");
  t.mock.timers.tick(EARLY_WINDOW_MS);
  await waitFor(() => window.popups.length === 1, "the blank window");
  release();
  const view = await w.until("error");
  assert.equal(view.message, message);
  assert.deepEqual(window.popups[0].urls, [""], "sent nowhere");
  assert.equal(window.popups[0].closed, true);
});
