/// <reference types="node" />
// A sign-in in a popup (js/signin-flow.ts) against the fake Jupyter server: the server's keeper makes
// the request, the page opens the window at the URL it is given, our callback page hands back the
// provider's answer, and the page passes on to the keeper only the answer's parameters. The widget
// then shows the session and tells the kernel which one it is, never a token of its own accord. A
// live session at the keeper for the same request is taken without any window.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { answerOf } from "../signin-flow";
import { widget } from "./fake-widget";
import { CONFIG, FakeServer, installPage, ISSUER, REDIRECT_URI, settle, timeline, waitFor } from "./fakes";

/** A page, its server and one widget; `go`: the kernel's start (authenticate() ran). */
function start(t: TestContext, go = true) {
  const page = installPage();
  const server = new FakeServer().install();
  const w = widget(t);
  if (go) w.fromKernel({ type: "start" });
  return { ...page, server, w };
}

test("popup sign-in: window opened at the server's URL, only the answer redeemed, the kernel told the session", async (t) => {
  const { window, server, w } = start(t);
  await waitFor(() => window.popups.length === 1, "the sign-in window");
  const [{ url, state }] = server.begun;
  const popup = window.popups[0];
  assert.equal(popup.openedAt, url, "window.open was given the keeper's authorization request");
  assert.deepEqual(timeline, ["GET providers", "POST signin", `open ${url}`]);
  assert.deepEqual(server.to("signin")[0].body, {
    request: CONFIG,
    redirect_uri: REDIRECT_URI,
    instance: w.traits.instance,
    fresh: false,
    renew_before: 10,
  });
  assert.equal(w.view.status, "signing_in");
  assert.deepEqual(w.view.actions.map((a) => a.id), ["cancel"]);

  // The provider's answer carries more than the keeper checks; none of that leaves the page.
  const iss = encodeURIComponent(ISSUER);
  window.answer(`${REDIRECT_URI}?code=c-1&state=${state}&iss=${iss}&session_state=ss-9&scope=openid#extra=1`);
  const view = await w.until("signed_in");
  assert.deepEqual(server.to("redeem").map((r) => r.body), [{ state, response: { code: "c-1", state, iss: ISSUER } }]);
  assert.equal(view.user, "Alice");
  assert.equal(view.provider, "idp.example");
  assert.match(view.message, /^Signed in as Alice · token valid until .*, renewed automatically$/);
  assert.equal(popup.closed, true);
  const id = server.instances.get(w.traits.instance);
  assert.ok(id);
  assert.deepEqual(w.said("session"), [{ type: "session", id }]);
  assert.deepEqual(w.said("token"), []);

  // The kernel follows the session at the keeper: a renewal reaches it there, not through the page.
  w.fromKernel({ type: "attached", via: "keeper" });
  const renewed = server.update(id, { expires_at: (server.sessions.get(id)?.expires_at ?? 0) + 600 });
  await waitFor(() => w.view.expiresAt === renewed.expires_at, "the renewal shown");
  assert.deepEqual(w.said("token"), []);
  assert.deepEqual(server.to(/\/token$/), []);
});

test("the provider's refusal is redeemed as such, and the keeper's sentence is shown with Sign in", async (t) => {
  const { window, server, w } = start(t);
  await waitFor(() => window.popups.length === 1, "the sign-in window");
  const [{ state }] = server.begun;
  window.answer(`${REDIRECT_URI}#error=access_denied&error_description=User%20said%20no&state=${state}&code_x=1`);
  const view = await w.until("error");
  assert.deepEqual(server.to("redeem")[0].body, {
    state,
    response: { state, error: "access_denied", error_description: "User said no" },
  });
  assert.equal(view.message, "The provider refused the sign-in (access_denied: User said no). Click Sign in to try again.");
  assert.deepEqual(view.actions.map((a) => a.id), ["sign_in"]);
  assert.deepEqual(w.said("error"), [{ type: "error", error: "access_denied", message: view.message }]);
  assert.deepEqual(w.said("session"), []);
  assert.equal(window.popups[0].closed, true);
});

test("an answer to another sign-in (another state) is not taken for this one's", async (t) => {
  const { window, server, w } = start(t);
  await waitFor(() => window.popups.length === 1, "the sign-in window");
  window.answer(`${REDIRECT_URI}?code=c-1&state=someone-elses`);
  window.answer(`${REDIRECT_URI}?code=c-1&state=${server.begun[0].state}`, { origin: "https://evil.example" });
  await settle(20);
  assert.deepEqual(server.to("redeem"), []);
  assert.equal(w.view.status, "signing_in");
});

test("a live session at the keeper for the same request is taken at once: no window at all", async (t) => {
  const { window, server, w } = start(t, false);
  const live = server.seed(CONFIG, REDIRECT_URI, { user: "Bob" });
  w.fromKernel({ type: "start" });
  const view = await w.until("signed_in");
  assert.equal(window.opens, 0);
  assert.equal(view.user, "Bob");
  assert.deepEqual(w.said("session"), [{ type: "session", id: live.id }]);
  assert.deepEqual(server.to("redeem"), []);
  assert.equal(server.instances.get(w.traits.instance), live.id, "the keeper bound this widget to it");
  assert.ok(!w.views.some((v) => v.status === "signing_in" && /sign-in window/.test(v.message)));
});

test("answerOf takes code, state, iss, error and error_description from query or fragment, and nothing else", () => {
  assert.deepEqual(answerOf(`${REDIRECT_URI}#code=c&state=s&iss=i&id_token=x&access_token=y`), {
    code: "c",
    state: "s",
    iss: "i",
  });
  assert.deepEqual(answerOf(`${REDIRECT_URI}?error=e&error_description=d&state=s&error_uri=u`), {
    error: "e",
    error_description: "d",
    state: "s",
  });
  assert.deepEqual(answerOf(REDIRECT_URI), {});
});
