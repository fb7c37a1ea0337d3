/// <reference types="node" />
// Redirect mode, the whole trip (js/signin/flows.ts, js/signin/redirect.ts, js/callback/callback.ts): the page keeps its
// return path at the server (POST oidc/return-path), asks the keeper to begin, keeps in this tab only
// which widget left and the state it waits for, and leaves for the keeper's URL; our callback page
// hands the provider's answer to the keeper (POST oidc/redeem) and keeps in the tab only the state and
// the keeper's outcome — never the code — then sends the tab back through {base}oidc/return; the widget
// that comes back binds the outcome's session or says its error, without a click and without a
// request of its own, and nothing of the trip is left in the tab. (A refusal under a base URL:
// callback-redirect.test.ts.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { PENDING, RESPONSE } from "../shared/messages";
import { leave } from "../signin/redirect";
import * as say from "../shared/wording";
import { fakeModel, ids, widget } from "./fake-widget";
import { Controller } from "../widget/controller";
import { installCallbackPage } from "./fake-callback";
import { CONFIG, FakeServer, installPage, ISSUER, REDIRECT_URI, T0, timeline, waitFor } from "./fakes";

test("leaving, the callback page redeeming in the tab, and the widget that left taking its session on return", async (t) => {
  t.mock.timers.enable({ apis: ["Date"], now: T0 });
  const page = installPage();
  const server = new FakeServer().install();
  page.storage.setItem("someone-else", "kept");
  const w = widget(t, { mode: "redirect" });
  w.fromKernel({ type: "start" });
  await waitFor(() => page.location.assigned.length === 1, "the tab sent to the provider");
  const [{ url, state }] = server.begun;
  assert.deepEqual(timeline, ["GET providers", "POST return-path", "POST signin", `assign ${url}`]);
  assert.deepEqual(server.to("return-path")[0].body, { path: "/lab/tree/a.ipynb", https: true });
  assert.equal(server.to("return-path")[0].headers["X-XSRFToken"], "xsrf-1");
  assert.equal(page.window.opens, 0);
  assert.equal(w.view.message, say.goingTo(ISSUER));
  // Only which widget left, for which state, and when: no verifier, nonce or token.
  assert.deepEqual(page.storage.keys(), ["someone-else", PENDING]);
  assert.deepEqual(JSON.parse(page.storage.getItem(PENDING) ?? ""), { instance: w.traits.instance, state, created: T0 });
  w.controller.dispose(); // the page unloads

  // At the provider, then our callback page in this tab (no opener: the tab itself left).
  t.mock.timers.tick(60_000);
  const query = `?code=c-1&state=${state}&iss=${encodeURIComponent(ISSUER)}&session_state=x`;
  const callback = installCallbackPage(query, null, page.storage);
  await import("../callback/callback");
  await waitFor(() => callback.location.replaced.length > 0, "the tab sent back");
  assert.deepEqual(callback.history, ["/oidc/redirect.html"], "the code is taken out of the tab's history");
  assert.deepEqual(server.to("redeem").map((r) => r.body), [{ state, response: { code: "c-1", state, iss: ISSUER } }]);
  const id = server.instances.get(w.traits.instance);
  const made = server.sessions.get(id ?? "");
  assert.ok(made);
  assert.deepEqual(JSON.parse(page.storage.getItem(RESPONSE) ?? "null"), { state, outcome: { session: made } });
  assert.ok(!page.storage.dump().includes("c-1"), "the code is kept nowhere in the tab");
  assert.deepEqual(callback.location.replaced, ["/oidc/return"]);
  assert.equal(callback.closed(), false);

  // Back in the notebook: the kernel brings the same widget back; it takes the session by itself.
  installPage(page.storage);
  const back = fakeModel({ instance: w.traits.instance, mode: "redirect" });
  const controller = new Controller(back.model);
  t.after(() => controller.dispose());
  back.fromKernel({ type: "rejoin" });
  await waitFor(() => controller.view.status === "signed_in", "signed in");
  assert.deepEqual(back.said("session"), [{ type: "session", id }]);
  assert.deepEqual(page.storage.keys(), ["someone-else"], "nothing of the trip is left");
  assert.equal(server.to("redeem").length, 1, "the widget redeems nothing");
  assert.deepEqual(server.to(/^instances\//), [], "the trip, not a rejoin, decided");
  assert.equal(controller.view.user, "Alice");
});

test("back from a trip, the widget binds the very session the callback page kept, and asks nothing", async (t) => {
  t.mock.timers.enable({ apis: ["Date"], now: T0 });
  const page = installPage();
  const server = new FakeServer().install();
  const made = server.seed({ made: "by the callback page" }, REDIRECT_URI, { user: "Carol" });
  leave("w-back", "st-9", "https://idp.example/auth?state=st-9");
  page.storage.setItem(RESPONSE, JSON.stringify({ state: "st-9", outcome: { session: made } }));
  const w = widget(t, { instance: "w-back", mode: "redirect" });
  const view = await w.until("signed_in");
  assert.equal(view.user, "Carol");
  assert.deepEqual(w.said("session"), [{ type: "session", id: made.id }]);
  assert.deepEqual(server.to(/^(signin|redeem|instances)/), []);
  assert.equal(page.storage.length, 0, "nothing of the trip is left");
});

test("back from a trip the keeper refused: its error said, with Sign in, and nothing left in the tab", async (t) => {
  t.mock.timers.enable({ apis: ["Date"], now: T0 });
  const page = installPage();
  const server = new FakeServer().install();
  leave("w-back", "st-9", "https://idp.example/auth?state=st-9");
  const message = "This answer is for no sign-in under way. Click Sign in.";
  page.storage.setItem(RESPONSE, JSON.stringify({ state: "st-9", outcome: { error: "state_mismatch", message } }));
  const w = widget(t, { instance: "w-back", mode: "redirect" });
  const view = await w.until("error");
  assert.equal(view.message, message);
  assert.deepEqual(ids(view), ["sign_in"]);
  assert.deepEqual(w.said("error"), [{ type: "error", error: "state_mismatch", message }]);
  assert.deepEqual(w.said("session"), []);
  assert.deepEqual(server.requests, []);
  assert.equal(page.storage.length, 0, "nothing of the trip is left");
});

test("back from a trip with no outcome kept: invalid_response, and nothing left in the tab", async (t) => {
  t.mock.timers.enable({ apis: ["Date"], now: T0 });
  const page = installPage();
  new FakeServer().install();
  leave("w-back", "st-9", "https://idp.example/auth?state=st-9");
  page.storage.setItem(RESPONSE, JSON.stringify({ state: "st-9" }));
  const w = widget(t, { instance: "w-back", mode: "redirect" });
  await w.until("error");
  assert.deepEqual(w.said("error").map((m) => m.error), ["invalid_response"]);
  assert.equal(page.storage.length, 0);
});

test("redirect mode with a live session at the keeper: taken, the tab stays", async (t) => {
  const page = installPage();
  const server = new FakeServer().install();
  const live = server.seed(CONFIG, REDIRECT_URI);
  const w = widget(t, { mode: "redirect" });
  w.fromKernel({ type: "start" });
  await w.until("signed_in");
  assert.deepEqual(page.location.assigned, []);
  assert.equal(page.storage.length, 0);
  assert.deepEqual(w.said("session"), [{ type: "session", id: live.id }]);
});

test("Sign in in this tab, after a refused popup: a fresh sign-in that takes the tab", async (t) => {
  const page = installPage();
  page.window.blocked = true;
  const server = new FakeServer().install();
  const w = widget(t);
  w.fromKernel({ type: "start" });
  assert.deepEqual(ids(await w.until("needs_click")), ["sign_in", "redirect"]);
  w.controller.act("redirect");
  await waitFor(() => page.location.assigned.length === 1, "the tab sent to the provider");
  assert.equal(page.location.assigned[0], server.begun[1].url);
  assert.deepEqual(server.to("signin").map((r) => r.body.fresh), [false, true]);
});

test("a return path the server refuses: redirect_failed with its reason, and the tab stays", async (t) => {
  const page = installPage();
  const server = new FakeServer().install();
  server.refuse("return-path", 400, { message: "Return path refused: not under base_url" });
  const w = widget(t, { mode: "redirect" });
  w.fromKernel({ type: "start" });
  const view = await w.until("error");
  assert.match(view.message, /Could not prepare the full-page sign-in \(Return path refused: not under base_url\)/);
  assert.deepEqual(w.said("error").map((m) => m.error), ["redirect_failed"]);
  assert.deepEqual(server.to("signin"), []);
  assert.deepEqual(page.location.assigned, []);
});
