/// <reference types="node" />
// The page's calls to the server's sign-in routes (js/signin/api.ts): each route's method, path under the base
// URL, body and XSRF header; the server's refusals as SignInErrors with its code and sentence; a server
// that does not answer, a route that does not exist (no extension), and an abort, each said apart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { redeem } from "../callback/answer";
import * as api from "../signin/api";
import { SignInError } from "../shared/errors";
import { FakeServer, installPage, REDIRECT_URI } from "./fakes";

const g = globalThis as Record<string, unknown>;

/** A JupyterLab page under /user/alice (its base URL in #jupyter-config-data, without the slash). */
function labPage(): FakeServer {
  installPage();
  const config = { textContent: JSON.stringify({ baseUrl: "/user/alice" }) };
  g.document = {
    getElementById: (id: string) => (id === "jupyter-config-data" ? config : null),
    body: { dataset: {} },
    cookie: "theme=dark; _xsrf=2%7Cabc",
  };
  return new FakeServer("/user/alice/").install();
}

async function refusal(call: Promise<unknown>): Promise<SignInError> {
  try {
    await call;
  } catch (err) {
    assert.ok(err instanceof SignInError);
    return err;
  }
  assert.fail("the call did not fail");
}

test("each route: its method and path under the base URL, its body, and the XSRF token", async () => {
  const server = labPage();
  const live = server.seed({ provider: "corp" }, REDIRECT_URI, {}, "w1");
  const body = { request: { provider: "corp" }, redirect_uri: REDIRECT_URI, instance: "w1", fresh: false, renew_before: 60 };
  assert.deepEqual(await api.beginOf(body), { session: live });
  assert.deepEqual(await api.sessionOf("w 1/x"), null);
  assert.equal((await api.sessionOf("w1"))?.id, live.id);
  assert.equal((await api.renew(live.id)).version, 2);
  assert.equal((await api.accessToken(live.id)).token_type, "Bearer");
  assert.equal((await api.watch({ [live.id]: 1 }, new AbortController().signal))[live.id]?.version, 2);
  const out = await api.logout(live.id, REDIRECT_URI);
  assert.equal(out.session.status, "signed_out");
  assert.equal(out.end_session, server.endSession);
  assert.equal(out.revoke_error, null);
  await assert.rejects(redeem("st-unknown", { state: "st-unknown", code: "c" }), { code: "state_mismatch" });
  assert.deepEqual(
    server.requests.map((r) => [r.method, r.path, r.body]),
    [
      ["POST", "signin", body],
      ["GET", "instances/w%201%2Fx", undefined],
      ["GET", "instances/w1", undefined],
      ["POST", `sessions/${live.id}/renew`, {}],
      ["POST", `sessions/${live.id}/token`, {}],
      ["POST", "watch", { sessions: { [live.id]: 1 } }],
      ["POST", `sessions/${live.id}/logout`, { post_logout_redirect_uri: REDIRECT_URI }],
      ["POST", "redeem", { state: "st-unknown", response: { state: "st-unknown", code: "c" } }],
    ],
  );
  for (const r of server.requests) assert.equal(r.headers["X-XSRFToken"], "2|abc", r.path);
});

test("redeem sends the state and the answer, and gives only the session's view", async () => {
  installPage();
  const server = new FakeServer().install();
  const body = { request: { a: 1 }, redirect_uri: REDIRECT_URI, instance: "w1", fresh: false, renew_before: 60 };
  const begun = await api.beginOf(body);
  assert.ok("url" in begun);
  const view = await redeem(begun.state, { code: "c", state: begun.state });
  assert.deepEqual(Object.keys(view).sort(), Object.keys(server.sessions.get(view.id) ?? {}).sort());
  assert.equal(view.status, "signed_in");
});

test("the server's refusal keeps its code and sentence; a bare 404 means no server extension", async () => {
  installPage();
  const server = new FakeServer().install();
  const gone = await refusal(api.renew("s-gone"));
  assert.equal(gone.code, "unknown_session");
  assert.match(gone.message, /no longer knows this sign-in/);
  server.refuse("signin", 503, { error: "keeper_unavailable", message: "The server cannot reach its token keeper." });
  const down = await refusal(api.beginOf({ request: {}, redirect_uri: "", instance: "w", fresh: false, renew_before: 1 }));
  assert.deepEqual([down.code, down.message], ["keeper_unavailable", "The server cannot reach its token keeper."]);
  server.refuse("instances", 404);
  const bare = await refusal(api.sessionOf("w1"));
  assert.equal(bare.code, "no_server_extension");
  assert.match(bare.message, /does not run the ipython-oidc-client extension/);
  server.refuse("instances", 403);
  const login = await refusal(api.sessionOf("w1"));
  assert.equal(login.code, "registry_unavailable");
  assert.match(login.message, /HTTP 403.*log in; then click Sign in\./);
});

test("a server that does not answer is keeper_unavailable; an abort is cancelled", async () => {
  installPage();
  g.fetch = async () => {
    throw new TypeError("fetch failed");
  };
  const down = await refusal(api.sessionOf("w1"));
  assert.equal(down.code, "keeper_unavailable");
  assert.match(down.message, /did not answer \(fetch failed\)\. Check that it is running, then click Sign in\./);

  const server = new FakeServer().install();
  const live = server.seed({}, REDIRECT_URI);
  const abort = new AbortController();
  const waiting = api.watch({ [live.id]: live.version }, abort.signal);
  abort.abort();
  assert.equal((await refusal(waiting)).code, "cancelled");
  assert.equal(server.watching, 0);
});
