/// <reference types="node" />
// Relaying access tokens (js/widget/controller.ts): a kernel that cannot reach the server's keeper (a kernel
// on another machine) answers `attached` with via "page"; the page then fetches each new version's
// access token (POST oidc/sessions/<id>/token) and sends it as one `token` message of exactly four
// fields. A kernel that follows the keeper itself ("keeper") is sent no token, ever.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { widget } from "./fake-widget";
import { CONFIG, FakeServer, installPage, REDIRECT_URI, settle, waitFor } from "./fakes";

/** A widget showing a live session found at the keeper (a reloaded page), the kernel told its id. */
async function signedIn(t: TestContext) {
  installPage();
  const server = new FakeServer().install();
  const w = widget(t);
  const live = server.seed(CONFIG, REDIRECT_URI, {}, w.traits.instance);
  w.fromKernel({ type: "rejoin" });
  await w.until("signed_in");
  assert.deepEqual(w.said("session"), [{ type: "session", id: live.id }]);
  return { server, w, id: live.id };
}

test("after `attached` via page, each new session version sends the kernel one token of four fields", async (t) => {
  const { server, w, id } = await signedIn(t);
  assert.deepEqual(w.said("token"), [], "nothing relayed before the kernel asks for it");
  w.fromKernel({ type: "attached", via: "page" });
  await waitFor(() => w.said("token").length === 1, "the first token relayed");
  const first = server.tokenOf(server.sessions.get(id)!);
  assert.deepEqual(w.said("token")[0], {
    type: "token",
    access_token: first.access_token,
    expires_at: first.expires_at,
    scope: "openid",
    token_type: "Bearer",
  });
  assert.deepEqual(server.to(`sessions/${id}/token`).map((r) => r.method), ["POST"]);
  assert.match(w.view.message, /this kernel runs elsewhere, so it gets each new token through this page/);

  // The keeper renews: the watch brings version 2, and with it one more token.
  const v2 = server.update(id, { expires_at: (first.expires_at ?? 0) + 300 });
  await waitFor(() => w.said("token").length === 2, "the renewed token relayed");
  assert.equal(w.said("token")[1].access_token, server.tokenOf(v2).access_token);
  assert.equal(w.said("token")[1].expires_at, v2.expires_at);

  // The same version again (the kernel answers `attached` twice) relays nothing more.
  w.fromKernel({ type: "attached", via: "page" });
  server.timeOutWatches();
  await settle(20);
  assert.equal(w.said("token").length, 2);
  assert.equal(server.to(`sessions/${id}/token`).length, 2);
  for (const msg of w.said("token")) {
    assert.deepEqual(Object.keys(msg).sort(), ["access_token", "expires_at", "scope", "token_type", "type"]);
  }
});

test("after `attached` via keeper, no version is relayed", async (t) => {
  const { server, w, id } = await signedIn(t);
  w.fromKernel({ type: "attached", via: "keeper" });
  for (let i = 0; i < 3; i++) {
    const next = server.update(id, { expires_at: (server.sessions.get(id)?.expires_at ?? 0) + 300 });
    await waitFor(() => w.view.expiresAt === next.expires_at, `version ${next.version} shown`);
  }
  assert.deepEqual(w.said("token"), []);
  assert.deepEqual(server.to(/\/token$/), []);
  assert.doesNotMatch(w.view.message, /runs elsewhere/);
});

test("a kernel that moves from page to keeper (restarted where it can reach it) is relayed nothing more", async (t) => {
  const { server, w, id } = await signedIn(t);
  w.fromKernel({ type: "attached", via: "page" });
  await waitFor(() => w.said("token").length === 1, "the first token relayed");
  w.fromKernel({ type: "attached", via: "keeper" });
  const next = server.update(id, { expires_at: 1 + (server.sessions.get(id)?.expires_at ?? 0) });
  await waitFor(() => w.view.expiresAt === next.expires_at, "the new version shown");
  assert.equal(w.said("token").length, 1);
});

test("a token the server cannot give is said as an error, and nothing is sent", async (t) => {
  const { server, w } = await signedIn(t);
  server.refuse("token", 409, { error: "not_signed_in", message: "No sign-in holds a token now. Click Sign in." });
  w.fromKernel({ type: "attached", via: "page" });
  const view = await w.until("error");
  assert.equal(view.message, "No sign-in holds a token now. Click Sign in.");
  assert.deepEqual(w.said("token"), []);
  assert.deepEqual(w.said("error").map((m) => m.error), ["not_signed_in"]);
});
