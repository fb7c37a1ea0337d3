/// <reference types="node" />
// The Renew and Sign in buttons (js/widget/controller.ts act()): a session with a refresh token is renewed by
// the keeper at once (POST oidc/sessions/<id>/renew), without a window; one without asks for a fresh
// sign-in (POST oidc/signin with fresh: true), in a window. Sign in after an error is fresh too (the
// session may be the trouble); after a sign-out it may take a live session again.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import type { SessionView, Status } from "../shared/messages";
import { EARLY_WINDOW_MS } from "../signin/flows";
import { callbackAnswers } from "./fake-callback";
import { widget } from "./fake-widget";
import { CONFIG, FakeServer, installPage, REDIRECT_URI, settle, timeline, waitFor } from "./fakes";

async function showing(t: TestContext, over: Partial<SessionView>, status: Status) {
  const page = installPage();
  const server = new FakeServer().install();
  const w = widget(t);
  const view = server.seed(CONFIG, REDIRECT_URI, over, w.traits.instance);
  w.fromKernel({ type: "rejoin" });
  await w.until(status);
  timeline.length = 0;
  return { ...page, server, w, view };
}

test("Renew with a refresh token: POST renew, no window, the new expiry shown to every widget of the session", async (t) => {
  const { window, server, w, view } = await showing(t, { renewable: true }, "signed_in");
  const other = widget(t);
  server.instances.set(other.traits.instance, view.id);
  other.fromKernel({ type: "rejoin" });
  await other.until("signed_in");
  w.controller.act("renew");
  const renewed = (view.expires_at ?? 0) + 300;
  await waitFor(() => w.view.expiresAt === renewed && other.view.expiresAt === renewed, "the renewal shown");
  assert.deepEqual(server.to(`sessions/${view.id}/renew`).map((r) => [r.method, r.body]), [["POST", {}]]);
  assert.equal(window.opens, 0);
  assert.deepEqual(server.to("signin"), []);
  assert.equal(w.view.status, "signed_in");
  assert.deepEqual(w.said("session").length, 1, "the same session: the kernel needs no new word");
});

test("Renew without a refresh token: a fresh sign-in in a window, opened early though the session is live", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"] });
  const { window, server, w, view } = await showing(t, { renewable: false }, "renew_needed");
  const release = server.hold("signin"); // a slow server: the window must not wait for it
  w.controller.act("renew");
  await waitFor(() => server.to("signin").length === 1, "the sign-in asked of the server");
  t.mock.timers.tick(EARLY_WINDOW_MS);
  await waitFor(() => window.popups.length === 1, "the blank window, within the click");
  release();
  await waitFor(() => window.atProvider !== undefined, "the sign-in window at the provider");
  const [begin] = server.to("signin");
  assert.equal(begin.body.fresh, true);
  assert.equal(begin.body.instance, w.traits.instance);
  assert.deepEqual(window.popups[0].urls, ["", server.begun[0].url]);
  assert.deepEqual(server.to(/\/renew$/), []);
  await callbackAnswers(window, `${REDIRECT_URI}?code=c-2&state=${server.begun[0].state}`);
  await waitFor(() => w.view.status === "renew_needed" && server.sessions.get(view.id)!.version === 2, "the new token");
  assert.equal(server.instances.get(w.traits.instance), view.id, "replaced in place: the same session, a new version");
  assert.equal(window.popups[0].closed, true);
});

test("a renewal the keeper refuses is said with its sentence", async (t) => {
  const { server, w } = await showing(t, { renewable: true }, "signed_in");
  server.refuse("renew", 400, { error: "invalid_grant", message: "The provider refused to renew the token. Click Sign in." });
  w.controller.act("renew");
  const view = await w.until("error");
  assert.equal(view.message, "The provider refused to renew the token. Click Sign in.");
  assert.deepEqual(w.said("error").map((m) => m.error), ["invalid_grant"]);
});

test("Sign in after an error is a fresh sign-in", async (t) => {
  const failed = await showing(t, { status: "expired" }, "error");
  failed.w.controller.act("sign_in");
  await waitFor(() => failed.server.to("signin").length === 1, "the sign-in");
  assert.equal(failed.server.to("signin")[0].body.fresh, true);
});

test("Sign in after a sign-out may take the live session another notebook made, without a window", async (t) => {
  const out = await showing(t, { status: "signed_out", user: null }, "signed_out");
  out.server.seed(CONFIG, REDIRECT_URI, { user: "Bob" }); // signed in again from another notebook
  out.w.controller.act("sign_in");
  await out.w.until("signed_in");
  assert.equal(out.server.to("signin")[0].body.fresh, false);
  assert.equal(out.window.opens, 0);
  assert.equal(out.w.view.user, "Bob");
});

test("a button of a state that has passed does nothing", async (t) => {
  const { w } = await showing(t, { renewable: true }, "signed_in");
  w.controller.act("cancel");
  w.controller.act("redirect");
  await settle(10);
  assert.equal(w.view.status, "signed_in");
  assert.deepEqual(timeline.filter((e) => e !== "POST watch"), []);
});
