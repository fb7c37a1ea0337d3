/// <reference types="node" />
// One sign-in at a time per request in the page (js/signin/inflight.ts, js/signin/flows.ts): twenty notebooks
// that run authenticate() with the same config at once open one window; the others wait for its
// outcome, then ask the keeper (POST oidc/signin) and get the session it made. A window refused or
// closed ends the wait of all of them; another request signs in on its own. What the page knows of
// each request's session (remember, knownLive) decides whether a slow server gets an early window.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SignInError } from "../shared/errors";
import { flightKey, knownLive, lead, pending, remember } from "../signin/inflight";
import * as say from "../shared/wording";
import { callbackAnswers } from "./fake-callback";
import { widget } from "./fake-widget";
import { FakeServer, installPage, REDIRECT_URI, sessionView, settle, T0, timeline, waitFor } from "./fakes";

test("20 widgets starting the same request at once open one window; the others then begin and get its session", async (t) => {
  const { window } = installPage();
  const server = new FakeServer().install();
  const widgets = Array.from({ length: 20 }, () => widget(t));
  widgets.forEach((w) => w.fromKernel({ type: "start" }));
  await waitFor(() => window.atProvider !== undefined, "the sign-in window at the provider");
  await settle(10);
  assert.equal(server.to("signin").length, 1, "only the first asked the keeper");
  for (const w of widgets.slice(1)) {
    assert.equal(w.view.status, "signing_in");
    assert.equal(w.view.message, say.SIGNING_IN_ELSEWHERE);
  }

  await callbackAnswers(window, `${REDIRECT_URI}?code=c-1&state=${server.begun[0].state}`);
  await Promise.all(widgets.map((w) => w.until("signed_in")));
  assert.equal(window.opens, 1);
  assert.equal(server.to("redeem").length, 1);
  const begins = server.to("signin");
  assert.equal(begins.length, 20);
  assert.ok(begins.every((r) => r.body.fresh === false));
  assert.deepEqual(new Set(begins.map((r) => r.body.instance)), new Set(widgets.map((w) => w.traits.instance)));
  const redeemAt = timeline.indexOf("POST redeem");
  assert.equal(timeline.filter((e, i) => e === "POST signin" && i < redeemAt).length, 1, "the others begin after the redeem");
  assert.equal(timeline.filter((e) => e.startsWith("open ")).length, 1, "the others opened no window");
  const id = server.instances.get(widgets[0].traits.instance);
  assert.ok(id);
  for (const w of widgets) {
    assert.equal(server.instances.get(w.traits.instance), id);
    assert.deepEqual(w.said("session"), [{ type: "session", id }]);
    assert.equal(w.view.user, "Alice");
  }
});

test("a refused window is every waiting widget's outcome: one window.open, all need a click", async (t) => {
  const { window } = installPage();
  window.blocked = true;
  const server = new FakeServer().install();
  const widgets = Array.from({ length: 3 }, () => widget(t));
  widgets.forEach((w) => w.fromKernel({ type: "start" }));
  await Promise.all(widgets.map((w) => w.until("needs_click")));
  assert.equal(window.opens, 1);
  assert.equal(server.to("signin").length, 1, "only the first asked the keeper");
  for (const w of widgets) assert.deepEqual(w.said("error").map((m) => m.error), ["popup_blocked"]);
});

test("the window closed without an answer ends the wait of all, at once", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"], now: Date.now() });
  const { window } = installPage();
  const server = new FakeServer().install();
  const widgets = Array.from({ length: 3 }, () => widget(t));
  widgets.forEach((w) => w.fromKernel({ type: "start" }));
  await waitFor(() => window.atProvider !== undefined, "the sign-in window at the provider");
  window.popups[0].closed = true;
  t.mock.timers.tick(500);
  const views = await Promise.all(widgets.map((w) => w.until("error")));
  assert.ok(views.every((v) => v.message === say.POPUP_CLOSED));
  for (const w of widgets) assert.deepEqual(w.said("error").map((m) => m.error), ["popup_closed"]);
  assert.equal(server.to("signin").length, 1, "nobody else asks for a session that was not made");
});

test("widgets of different requests each sign in in their own window", async (t) => {
  const { window } = installPage();
  const server = new FakeServer().install();
  const a = widget(t);
  const b = widget(t, { config: { authority: "https://other-idp.example", client_id: "nb" } });
  a.fromKernel({ type: "start" });
  b.fromKernel({ type: "start" });
  await waitFor(() => window.popups.length === 2, "two windows");
  assert.deepEqual(window.popups.map((p) => p.urls), server.begun.map((b) => [b.url]));
});

test("a sign-in is pending under its key until it settles; an abandoned one rejects its waiters", async () => {
  const key = flightKey({ authority: "https://idp.example", client_id: "x" }, REDIRECT_URI);
  assert.notEqual(key, flightKey({ authority: "https://idp.example", client_id: "x" }, `${REDIRECT_URI}?b`));
  let finish: (v: ReturnType<typeof sessionView>) => void = () => {};
  const entry = lead(key, new Promise((resolve) => (finish = resolve)));
  assert.equal(pending(key), entry);
  finish(sessionView());
  assert.equal((await entry.outcome).id, "s1");
  await settle();
  assert.equal(pending(key), undefined);

  const left = lead(key, new Promise(() => {}));
  left.abandon(new SignInError("popup_closed", say.POPUP_CLOSED));
  await assert.rejects(left.outcome, { code: "popup_closed" });
  await settle();
  assert.equal(pending(key), undefined);
});

test("remember/knownLive: a signed-in session is live while renewable or unexpired; any other view forgets it", () => {
  const key = flightKey({ authority: "https://idp.example", client_id: "known" }, REDIRECT_URI);
  const now = T0;
  const at = (seconds: number) => Math.floor(now / 1000) + seconds;
  assert.equal(knownLive(key, now), false, "nothing known");
  remember(key, sessionView({ renewable: true, expires_at: at(-60) }));
  assert.equal(knownLive(key, now), true, "renewable: the keeper renews it");
  remember(key, sessionView({ renewable: false, expires_at: at(60) }));
  assert.equal(knownLive(key, now), true, "not renewable, but its token lives");
  assert.equal(knownLive(key, now + 61_000), false, "not renewable and expired");
  remember(key, sessionView({ renewable: false, expires_at: null }));
  assert.equal(knownLive(key, now + 3_600_000), true, "no expiry known");
  assert.equal(knownLive(flightKey({ authority: "https://idp.example", client_id: "known" }, `${REDIRECT_URI}?b`), now), false);
  for (const status of ["expired", "signed_out"] as const) {
    remember(key, sessionView({ renewable: true }));
    remember(key, sessionView({ status }));
    assert.equal(knownLive(key, now), false, status);
  }
});
