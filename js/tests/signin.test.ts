/// <reference types="node" />
// A sign-in in a popup (js/signin/flows.ts) against the fake Jupyter server: the server's keeper makes
// the request (POST oidc/signin) and the window opens at the URL it answers with — one navigation — or,
// when the server takes longer than EARLY_WINDOW_MS, opens blank meanwhile (within the user's
// activation) and is sent there when it answers. Our callback page hands the provider's answer to the
// keeper itself and tells the page the outcome, which the widget takes: the session to bind, or the
// refusal to say. The page never redeems anything. A live session at the keeper for the same request
// is taken without a sign-in: a blank window opened meanwhile is closed, and none opens at all while
// the page knows the session is live (a kernel restarted: authenticate() runs again). Time is mocked
// where the server is slow.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { received, SignInError } from "../shared/errors";
import { CALLBACK_SOURCE } from "../shared/messages";
import { EARLY_WINDOW_MS, sessionOf } from "../signin/flows";
import * as say from "../shared/wording";
import { callbackAnswers } from "./fake-callback";
import { widget } from "./fake-widget";
import { CONFIG, FakeServer, type FakeWindow, installPage, ISSUER, REDIRECT_URI, sessionView, settle, T0, timeline, waitFor } from "./fakes";

/** A page, its server and one widget; `go`: the kernel's start (authenticate() ran). */
function start(t: TestContext, go = true) {
  const page = installPage();
  const server = new FakeServer().install();
  const w = widget(t);
  if (go) w.fromKernel({ type: "start" });
  return { ...page, server, w };
}

/** The sign-in window, once it is at the keeper's authorization request. */
async function sentToProvider({ window, server }: { window: FakeWindow; server: FakeServer }) {
  await waitFor(() => window.popups[0]?.at.startsWith(`${ISSUER}/auth`) === true, "the window at the provider");
  return { popup: window.popups[0], ...server.begun[0] };
}

test("popup sign-in: the window opens at the server's URL as it answers; the callback's session is bound", async (t) => {
  const { window, server, w } = start(t);
  const { popup, url, state } = await sentToProvider({ window, server });
  assert.deepEqual(timeline, ["GET providers", "POST signin", `open ${url}`]);
  assert.deepEqual(popup.urls, [url], "one navigation: opened at the keeper's authorization request");
  assert.deepEqual(server.to("signin")[0].body, {
    request: CONFIG,
    redirect_uri: REDIRECT_URI,
    instance: w.traits.instance,
    fresh: false,
    renew_before: 10,
  });
  assert.equal(w.view.status, "signing_in");
  assert.equal(w.view.message, say.signingIn(ISSUER));
  assert.deepEqual(w.view.actions.map((a) => a.id), ["cancel"]);

  // Our callback page hands the answer to the keeper and tells the page what came of it.
  const outcome = await callbackAnswers(window, `${REDIRECT_URI}?code=c-1&state=${state}&iss=${encodeURIComponent(ISSUER)}`);
  assert.ok("session" in outcome);
  const view = await w.until("signed_in");
  assert.equal(server.to("redeem").length, 1, "the callback page's redeem, none of the widget's");
  assert.equal(view.user, "Alice");
  assert.equal(view.provider, "idp.example");
  assert.match(view.message, /^Signed in as Alice · token valid until .*, renewed automatically$/);
  assert.equal(popup.closed, true);
  const id = outcome.session.id;
  assert.equal(server.instances.get(w.traits.instance), id);
  assert.deepEqual(w.said("session"), [{ type: "session", id }]);
  assert.deepEqual(w.said("token"), []);

  // The kernel follows the session at the keeper: a renewal reaches it there, not through the page.
  w.fromKernel({ type: "attached", via: "keeper" });
  const renewed = server.update(id, { expires_at: (server.sessions.get(id)?.expires_at ?? 0) + 600 });
  await waitFor(() => w.view.expiresAt === renewed.expires_at, "the renewal shown");
  assert.deepEqual(w.said("token"), []);
  assert.deepEqual(server.to(/\/token$/), []);
});

test("a server slower than EARLY_WINDOW_MS: a blank window opens meanwhile, then goes to the server's URL", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"], now: T0 });
  const { window, server, w } = start(t, false);
  const release = server.hold("signin");
  w.fromKernel({ type: "start" });
  await waitFor(() => server.to("signin").length === 1, "the sign-in asked of the server");
  t.mock.timers.tick(EARLY_WINDOW_MS - 1);
  await settle(5);
  assert.equal(window.opens, 0, "no window while the server may still answer at once");
  t.mock.timers.tick(1);
  await waitFor(() => window.popups.length === 1, "the blank window");
  assert.deepEqual(timeline, ["GET providers", "POST signin", "open "], "opened before the server's answer");
  assert.equal(w.view.status, "signing_in");
  release();
  const { popup, url, state } = await sentToProvider({ window, server });
  assert.deepEqual(popup.urls, ["", url], "the same window, sent to the keeper's authorization request");
  assert.equal(window.opens, 1);
  assert.equal(w.view.message, say.signingIn(ISSUER));
  await callbackAnswers(window, `${REDIRECT_URI}?code=c-1&state=${state}`);
  await w.until("signed_in");
  assert.equal(popup.closed, true);
});

test("the widget binds the very session the callback's outcome names, and redeems nothing itself", async (t) => {
  const { window, server, w } = start(t);
  const { state } = await sentToProvider({ window, server });
  const made = server.seed({ made: "by the callback page" }, REDIRECT_URI, { user: "Carol" });
  window.answer(state, { session: made });
  const view = await w.until("signed_in");
  assert.equal(view.user, "Carol");
  assert.deepEqual(w.said("session"), [{ type: "session", id: made.id }]);
  assert.deepEqual(server.to("redeem"), []);
  assert.equal(window.popups[0].closed, true);
  await waitFor(() => server.watching === 1, "that session followed");
});

test("the callback's refusal ends the sign-in with its error code and the keeper's sentence, with Sign in", async (t) => {
  const { window, server, w } = start(t);
  const { state } = await sentToProvider({ window, server });
  const outcome = await callbackAnswers(window, `${REDIRECT_URI}#error=access_denied&error_description=User%20said%20no&state=${state}`);
  assert.deepEqual(outcome, {
    error: "access_denied",
    message: "The provider refused the sign-in (access_denied: User said no). Click Sign in to try again.",
  });
  const view = await w.until("error");
  assert.equal(view.message, "The provider refused the sign-in (access_denied: User said no). Click Sign in to try again.");
  assert.deepEqual(view.actions.map((a) => a.id), ["sign_in"]);
  assert.deepEqual(w.said("error"), [{ type: "error", error: "access_denied", message: view.message }]);
  assert.deepEqual(w.said("session"), []);
  assert.equal(window.popups[0].closed, true);

  // Any code of the keeper's passes through as it is.
  const again = start(t);
  const second = await sentToProvider(again);
  again.window.answer(second.state, { error: "invalid_id_token", message: "The ID token's signature does not verify." });
  await again.w.until("error");
  assert.deepEqual(again.w.said("error").map((m) => m.error), ["invalid_id_token"]);
});

test("a message for another sign-in (another state), from another origin, or not our callback page's is not taken", async (t) => {
  const { window, server, w } = start(t);
  const { state } = await sentToProvider({ window, server });
  const made = server.seed({ other: true }, REDIRECT_URI);
  window.answer("someone-elses", { session: made });
  window.answer(state, { session: made }, { origin: "https://evil.example" });
  window.answer(state, { session: made }, { source: "someone-else" });
  await settle(20);
  assert.equal(w.view.status, "signing_in");
  assert.deepEqual(w.said("session"), []);
  assert.equal(window.popups[0].closed, false);
});

test("a live session at the keeper, answered at once: taken without any window", async (t) => {
  const { window, server, w } = start(t, false);
  const live = server.seed(CONFIG, REDIRECT_URI, { user: "Bob" });
  w.fromKernel({ type: "start" });
  const view = await w.until("signed_in");
  assert.equal(window.opens, 0);
  assert.equal(view.user, "Bob");
  assert.deepEqual(w.said("session"), [{ type: "session", id: live.id }]);
  assert.equal(server.instances.get(w.traits.instance), live.id, "the keeper bound this widget to it");
  assert.ok(!w.views.some((v) => v.status === "signing_in" && v.message === say.signingIn(ISSUER)));
});

test("a live session the page did not know of, answered slowly: the blank window opened meanwhile is closed", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"], now: T0 });
  const { window, server, w } = start(t, false);
  const live = server.seed(CONFIG, REDIRECT_URI, { user: "Bob" });
  const release = server.hold("signin");
  w.fromKernel({ type: "start" });
  await waitFor(() => server.to("signin").length === 1, "the sign-in asked of the server");
  t.mock.timers.tick(EARLY_WINDOW_MS);
  await waitFor(() => window.popups.length === 1, "the blank window");
  assert.equal(window.popups[0].closed, false);
  release();
  const view = await w.until("signed_in");
  assert.equal(view.user, "Bob");
  assert.deepEqual(w.said("session"), [{ type: "session", id: live.id }]);
  assert.deepEqual(window.popups[0].urls, [""], "never sent to the provider");
  assert.equal(window.popups[0].closed, true);
  assert.equal(window.opens, 1);
});

test("a kernel restarted after a sign-in: the page knows the session is live, so authenticate() again opens no window", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"], now: T0 });
  const { window, server, w } = start(t);
  const { state } = await sentToProvider({ window, server });
  await callbackAnswers(window, `${REDIRECT_URI}?code=c-1&state=${state}`);
  await w.until("signed_in");
  const id = server.instances.get(w.traits.instance);
  w.restartKernel();
  timeline.length = 0;

  // The new kernel's authenticate(): a new widget, the same request; a server slow to answer.
  const release = server.hold("signin");
  const next = widget(t);
  next.fromKernel({ type: "start" });
  await waitFor(() => server.to("signin").length === 2, "the sign-in asked of the server");
  t.mock.timers.tick(10 * EARLY_WINDOW_MS);
  await settle(5);
  assert.equal(window.opens, 1, "no blank window while the keeper is asked");
  release();
  const view = await next.until("signed_in");
  assert.equal(window.opens, 1, "no window for the new kernel");
  assert.deepEqual(timeline.filter((e) => e !== "POST watch"), ["POST signin"]);
  assert.equal(server.to("signin")[1].body.fresh, false);
  assert.deepEqual(next.said("session"), [{ type: "session", id }]);
  assert.equal(view.user, "Alice");
  assert.equal(server.to("redeem").length, 1, "no new sign-in");
});

test("a session the page knew live but the keeper no longer has: the window opens once the server asks for one", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"], now: T0 });
  const { window, server, w } = start(t, false);
  const live = server.seed(CONFIG, REDIRECT_URI, {}, w.traits.instance);
  w.fromKernel({ type: "rejoin" });
  await w.until("signed_in");
  w.restartKernel(); // the page stops following it…
  server.drop(live.id); // … and the keeper loses it (it was restarted)
  timeline.length = 0;

  const release = server.hold("signin");
  const next = widget(t);
  next.fromKernel({ type: "start" });
  await waitFor(() => server.to("signin").length === 1, "the sign-in asked of the server");
  t.mock.timers.tick(10 * EARLY_WINDOW_MS);
  await settle(5);
  assert.equal(window.opens, 0, "no blank window: the page expects the session");
  release();
  const { popup, url } = await sentToProvider({ window, server });
  assert.deepEqual(timeline, ["POST signin", `open ${url}`], "the server's answer first, then the window it needs");
  assert.deepEqual(popup.urls, [url]);
  assert.equal(next.view.status, "signing_in");
});

test("the keeper lost a session the page followed: the page stops counting on it, the next sign-in opens the early window", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"], now: T0 });
  const { window, server, w } = start(t, false);
  const live = server.seed(CONFIG, REDIRECT_URI, {}, w.traits.instance);
  w.fromKernel({ type: "rejoin" });
  await w.until("signed_in");
  await waitFor(() => server.watching === 1, "the session followed");
  server.drop(live.id); // the keeper was restarted
  await w.until("error");
  assert.deepEqual(w.said("error").map((m) => m.error), ["unknown_session"]);

  const release = server.hold("signin");
  const next = widget(t); // authenticate() run again
  next.fromKernel({ type: "start" });
  await waitFor(() => server.to("signin").length === 1, "the sign-in asked of the server");
  t.mock.timers.tick(EARLY_WINDOW_MS);
  await waitFor(() => window.popups.length === 1, "the blank window");
  release();
  await sentToProvider({ window, server });
  assert.deepEqual(window.popups[0].urls, ["", server.begun[0].url]);
});

test("sessionOf: the outcome's session, its refusal as an error, and no outcome as invalid_response", () => {
  const view = sessionView();
  assert.equal(sessionOf({ source: CALLBACK_SOURCE, state: "s", outcome: { session: view } }), view);
  assert.throws(
    () => sessionOf({ source: CALLBACK_SOURCE, state: "s", outcome: { error: received("invalid_grant"), message: "Refused." } }),
    (err: unknown) => err instanceof SignInError && err.code === "invalid_grant" && err.message === "Refused.",
  );
  assert.throws(() => sessionOf({ source: CALLBACK_SOURCE, state: "s" }), { name: "SignInError", code: "invalid_response" });
});

test("an API asks for a stronger sign-in: the widget says why, and Sign in starts afresh, not from the live session", async (t) => {
  const { window, server, w } = start(t);
  const { state } = await sentToProvider({ window, server });
  await callbackAnswers(window, `${REDIRECT_URI}?code=c-1&state=${state}&iss=${encodeURIComponent(ISSUER)}`);
  await w.until("signed_in");

  // The kernel has put the API's max_age into the config, then asks: a popup needs the person's click.
  w.traits.config = { ...CONFIG, max_age: 1 };
  w.fromKernel({ type: "step_up", message: "The API asks for a stronger sign-in: max_age=1." });
  assert.equal(w.view.status, "needs_click");
  assert.equal(w.view.message, "The API asks for a stronger sign-in: max_age=1.");
  assert.deepEqual(w.view.actions.map((a) => a.id), ["sign_in", "redirect"]);

  w.controller.act("sign_in");
  await waitFor(() => server.to("signin").length === 2, "the second sign-in asked of the server");
  const asked = server.to("signin")[1].body as { request: unknown; fresh: boolean };
  assert.deepEqual(asked.request, { ...CONFIG, max_age: 1 });
  assert.equal(asked.fresh, true, "never the live session the API refused");
});
