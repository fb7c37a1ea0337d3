/// <reference types="node" />
// The provider's sign-out coming back to our callback page (RP-Initiated Logout's
// post_logout_redirect_uri): a state, and no code or error. There is nothing to redeem: no request to
// the server, and the opener is told the state alone, with no outcome (js/callback/callback.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { CALLBACK_SOURCE } from "../shared/messages";
import { installCallbackPage } from "./fake-callback";
import { FakeServer, installPage, ORIGIN, waitFor } from "./fakes";

test("a sign-out coming back: no redeem, the state told to the opener without an outcome", async () => {
  installPage();
  const server = new FakeServer().install();
  const posted: [unknown, string][] = [];
  const opener = { location: { origin: ORIGIN }, postMessage: (data: unknown, origin: string) => posted.push([data, origin]) };
  const page = installCallbackPage("?state=so-1", opener);
  await import("../callback/callback");
  await waitFor(() => page.closed(), "the window closed");
  assert.deepEqual(server.requests, [], "nothing asked of the server");
  assert.deepEqual(posted, [[{ source: CALLBACK_SOURCE, state: "so-1" }, ORIGIN]]);
  assert.ok(!("outcome" in (posted[0][0] as object)));
  assert.deepEqual(page.said, ["Done. You can close this window."]);
  assert.equal(page.storage.length, 0);
});
