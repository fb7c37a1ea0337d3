/// <reference types="node" />
// Signing out (js/signin/signout.ts through js/widget/controller.ts): the keeper revokes and ends the session
// (POST oidc/sessions/<id>/logout) and the kernel is told at once; the provider's own session is ended
// in a popup opened first, inside the click, then sent to the end_session URL the keeper gives, and
// done when our callback page tells that URL's state (with no outcome: it redeems nothing). A refused
// popup leaves the provider's part to the Sign out button; a provider without RP-initiated logout
// leaves no window; a revocation error is said. Signed out, the page no longer counts on the session.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import type { SessionView } from "../shared/messages";
import { EARLY_WINDOW_MS } from "../signin/flows";
import * as say from "../shared/wording";
import { ids, widget } from "./fake-widget";
import { CONFIG, FakeServer, installPage, REDIRECT_URI, settle, T0, timeline, waitFor } from "./fakes";

async function signedIn(t: TestContext, over: Partial<SessionView> = {}) {
  const page = installPage();
  const server = new FakeServer().install();
  const w = widget(t);
  const view = server.seed(CONFIG, REDIRECT_URI, over, w.traits.instance);
  w.fromKernel({ type: "rejoin" });
  await w.until("signed_in");
  timeline.length = 0;
  return { ...page, server, w, view };
}

test("Sign out: the window opens before the logout request, goes to end_session, ends on its state's answer", async (t) => {
  const { window, server, w, view } = await signedIn(t);
  w.controller.act("sign_out");
  assert.deepEqual(timeline, ["open ", `POST sessions/${view.id}/logout`], "the window first, inside the click");
  const popup = window.popups[0];
  assert.equal(await popup.navigated, server.endSession);
  assert.deepEqual(server.to(`sessions/${view.id}/logout`)[0].body, { post_logout_redirect_uri: REDIRECT_URI });
  await waitFor(() => w.said("logged_out").length > 0, "the kernel told");
  assert.equal(w.view.status, "signed_out");

  window.answer("another");
  await settle(10);
  assert.equal(popup.closed, false, "an answer with another state does not end it");
  window.answer("so-1");
  await waitFor(() => w.view.message === say.SIGNED_OUT_EVERYWHERE, "signed out at the provider");
  assert.equal(popup.closed, true);
  assert.deepEqual(ids(w.view), ["sign_in"]);
  assert.equal(server.sessions.get(view.id)?.status, "signed_out");
});

test("after signing out the widget shows no holder and no expiry, and stays signed out", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] }); // the watch's retry below never fires
  const { server, w, view } = await signedIn(t, { end_session: false });
  server.refuse("watch", 503); // the watch does not bring the signed-out view first
  server.timeOutWatches();
  await settle(10);
  w.controller.act("sign_out");
  await waitFor(() => w.view.message === say.SIGNED_OUT_NO_ENDPOINT, "signed out");
  assert.equal(server.sessions.get(view.id)?.status, "signed_out");
  assert.equal(w.view.user, null);
  assert.equal(w.view.expiresAt, null);
  w.fromKernel({ type: "attached", via: "keeper" });
  assert.equal(w.view.status, "signed_out");
});

test("after signing out the page no longer counts on the session: Sign in on a slow server opens the early window", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"], now: T0 });
  const { window, server, w } = await signedIn(t, { end_session: false });
  w.controller.act("sign_out");
  await waitFor(() => w.view.message === say.SIGNED_OUT_NO_ENDPOINT, "signed out");
  const release = server.hold("signin");
  w.controller.act("sign_in");
  await waitFor(() => server.to("signin").length === 1, "the sign-in asked of the server");
  t.mock.timers.tick(EARLY_WINDOW_MS);
  await waitFor(() => window.popups.length === 1, "the blank window, within the click");
  release();
  await waitFor(() => window.atProvider === window.popups[0], "the same window at the provider");
  assert.equal(window.opens, 1);
});

test("no popup possible: needs_click, and the Sign out button finishes it at the provider", async (t) => {
  const { window, server, w } = await signedIn(t);
  window.blocked = true;
  w.fromKernel({ type: "logout" }); // logout() in a cell
  const view = await w.until("needs_click");
  assert.equal(view.message, say.SIGN_OUT_NEEDS_CLICK);
  assert.deepEqual(ids(view), ["sign_out"]);
  assert.ok(w.said("logged_out").length > 0, "the kernel is told at once");
  window.blocked = false;
  w.controller.act("sign_out");
  assert.equal(window.popups.length, 1);
  assert.equal(await window.popups[0].navigated, server.endSession);
  window.answer("so-1");
  await waitFor(() => w.view.message === say.SIGNED_OUT_EVERYWHERE, "signed out at the provider");
  assert.equal(window.popups[0].closed, true);
  assert.equal(server.to(/\/logout$/).length, 1, "the click does not sign out at the keeper again");
});

test("a provider without end_session: no window opened, none left open", async (t) => {
  const none = await signedIn(t, { end_session: false });
  none.w.controller.act("sign_out");
  await waitFor(() => none.w.view.message === say.SIGNED_OUT_NO_ENDPOINT, "signed out");
  assert.equal(none.window.opens, 0);

  // The view said it had one, the keeper's logout says it has none: the window opened is closed.
  const gone = await signedIn(t, { end_session: true });
  gone.server.endSession = null;
  gone.w.controller.act("sign_out");
  await waitFor(() => gone.w.view.message === say.SIGNED_OUT_NO_ENDPOINT, "signed out");
  assert.equal(gone.window.opens, 1);
  assert.ok(gone.window.popups.every((p) => p.closed));
});

test("a revocation error is said", async (t) => {
  const { server, w } = await signedIn(t, { end_session: false });
  server.revokeError = "the provider refused to revoke the refresh token (unsupported_token_type)";
  w.controller.act("sign_out");
  const view = await w.until("error");
  assert.match(view.message, /unsupported_token_type/);
  assert.deepEqual(ids(view), ["sign_in"]);
  assert.ok(w.said("logged_out").length > 0, "signed out all the same");
});

test("a logout the server refuses: the window closed, the error said, the kernel not told it is out", async (t) => {
  const { window, server, w } = await signedIn(t);
  server.refuse("logout", 503, { error: "keeper_unavailable", message: "The server cannot reach its token keeper." });
  w.controller.act("sign_out");
  const view = await w.until("error");
  assert.match(view.message, /^Could not sign out \(The server cannot reach its token keeper\.\)/);
  assert.equal(window.popups[0].closed, true);
  assert.deepEqual(w.said("logged_out"), []);
});

test("the provider not confirming within the timeout is said, and its window closed", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"], now: T0 });
  const { window, w } = await signedIn(t);
  w.controller.act("sign_out");
  await window.popups[0].navigated;
  await settle(5);
  t.mock.timers.tick(30_000);
  const view = await w.until("error");
  assert.match(view.message, /provider did not confirm the sign-out within 30 s/);
  assert.equal(window.popups[0].closed, true);
});

test("a kernel's logout() with no session here: signed_out, the kernel told, nothing asked of the server", async (t) => {
  installPage();
  const server = new FakeServer().install();
  const w = widget(t);
  w.fromKernel({ type: "logout" });
  await w.until("signed_out");
  assert.deepEqual(w.said("logged_out"), [{ type: "logged_out" }]);
  assert.deepEqual(server.requests, []);
});

test("a kernel's logout() heard after the page saw the session end: the provider's sign-out still opens", async (t) => {
  // The kernel's logout() ends the session at the keeper itself too (its page may be closed): the
  // page's watch can bring that before the kernel's message. The keeper gives the URL again for it.
  const { window, server, w, view } = await signedIn(t);
  server.update(view.id, { status: "signed_out" });
  await w.until("signed_out");
  timeline.length = 0;
  w.fromKernel({ type: "logout" });
  await waitFor(() => window.popups.length > 0, "the provider's sign-out window");
  assert.deepEqual(timeline, ["open ", `POST sessions/${view.id}/logout`]);
  assert.equal(await window.popups[0].navigated, server.endSession);
});
