/// <reference types="node" />
// Our callback page in a popup (js/callback/callback.ts) opened by the notebook page: it takes the code out of
// its own history, hands the provider's answer to the server's keeper itself (POST oidc/redeem, the
// answer's parameters and nothing else of the URL, with the XSRF token), tells the opener — at its
// origin only — the state and the keeper's outcome (never the code), keeps nothing in the tab, and
// closes. (Other openers: callback-channel.test.ts, callback-coop.test.ts; a refusal:
// callback-refused.test.ts; the provider's sign-out: callback-signout.test.ts; redirect mode:
// redirect.test.ts, callback-redirect.test.ts, callback-stale.test.ts. The page runs once per file.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { answerOf } from "../callback/answer";
import { CALLBACK_SOURCE, callbackChannel } from "../shared/messages";
import { installCallbackPage } from "./fake-callback";
import { CONFIG, FakeServer, installPage, ISSUER, ORIGIN, REDIRECT_URI, settle, waitFor } from "./fakes";

test("an answer in a popup: redeemed by the page itself, the outcome posted to the opener at its origin only", async () => {
  installPage();
  const server = new FakeServer().install();
  const { state } = server.pend(CONFIG, REDIRECT_URI, "w1");
  const posted: [unknown, string][] = [];
  const opener = { location: { origin: ORIGIN }, postMessage: (data: unknown, origin: string) => posted.push([data, origin]) };
  const iss = encodeURIComponent(ISSUER);
  const page = installCallbackPage(`?code=c-1&state=${state}&iss=${iss}&session_state=ss-9&scope=openid#extra=1`, opener);
  const channel = new BroadcastChannel(callbackChannel(state));
  const overChannel: unknown[] = [];
  channel.onmessage = (e) => overChannel.push(e.data);
  try {
    await import("../callback/callback");
    await waitFor(() => page.closed(), "the window closed");
    // The keeper was handed exactly the answer's parameters, nothing else of the URL.
    assert.deepEqual(
      server.requests.map((r) => [r.method, r.path, r.body]),
      [["POST", "redeem", { state, response: { code: "c-1", state, iss: ISSUER } }]],
    );
    assert.equal(server.requests[0].headers["X-XSRFToken"], "xsrf-cb");
    const id = server.instances.get("w1");
    const session = server.sessions.get(id ?? "");
    assert.ok(session);
    assert.deepEqual(posted, [[{ source: CALLBACK_SOURCE, state, outcome: { session } }, ORIGIN]]);
    assert.ok(!JSON.stringify(posted).includes("c-1"), "the code never reaches the notebook page");
    assert.deepEqual(page.history, ["/oidc/redirect.html"], "the code leaves the history");
    assert.equal(page.storage.length, 0, "nothing kept in the tab");
    assert.deepEqual(page.location.replaced, []);
    assert.deepEqual(page.said, ["Finishing sign-in…", "Done. You can close this window."]);
    await settle();
    assert.deepEqual(overChannel, [], "not also broadcast");
  } finally {
    channel.close();
  }
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
  assert.deepEqual(answerOf(`${REDIRECT_URI}?state=q&code=c#state=f`), { code: "c", state: "f" }, "the fragment first");
  assert.deepEqual(answerOf(REDIRECT_URI), {});
});
