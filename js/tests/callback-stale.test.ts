/// <reference types="node" />
// Redirect mode, an answer for a trip started more than MAX_AGE_MS ago: our callback page
// (js/callback/callback.ts) hands nothing to the keeper, clears the trip from the tab and says to start again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { leave } from "../signin/redirect";
import { MAX_AGE_MS } from "../shared/trip";
import { installCallbackPage } from "./fake-callback";
import { CONFIG, FakeServer, installPage, REDIRECT_URI, T0, waitFor } from "./fakes";

test("an answer for a trip too old: no redeem, the trip cleared, the page says to sign in again", async (t) => {
  t.mock.timers.enable({ apis: ["Date"], now: T0 });
  const page = installPage();
  const server = new FakeServer().install();
  const { url, state } = server.pend(CONFIG, REDIRECT_URI, "w1");
  leave("w1", state, url);
  t.mock.timers.tick(MAX_AGE_MS + 1);
  const callback = installCallbackPage(`?code=c-1&state=${state}`, null, page.storage);
  await import("../callback/callback");
  await waitFor(() => callback.said.length > 0, "the page's sentence");
  assert.deepEqual(callback.said, [
    "This sign-in was started too long ago. Go back to the notebook and click Sign in again.",
  ]);
  assert.deepEqual(server.requests, []);
  assert.equal(page.storage.length, 0);
  assert.deepEqual(callback.location.replaced, []);
  assert.deepEqual(callback.history, ["/oidc/redirect.html"]);
});
