/// <reference types="node" />
// The provider refused the sign-in (an error and its description at our callback page): the page
// hands that answer to the keeper like any other (its parameters only), and the keeper's refusal —
// its code and sentence — is what the opener is told and what the page says (js/callback/callback.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { CALLBACK_SOURCE } from "../shared/messages";
import { installCallbackPage } from "./fake-callback";
import { CONFIG, FakeServer, installPage, ORIGIN, REDIRECT_URI, waitFor } from "./fakes";

test("a refusal is redeemed as such; the opener is told the keeper's error, and the page says it", async () => {
  installPage();
  const server = new FakeServer().install();
  const { state } = server.pend(CONFIG, REDIRECT_URI, "w1");
  const posted: [unknown, string][] = [];
  const opener = { location: { origin: ORIGIN }, postMessage: (data: unknown, origin: string) => posted.push([data, origin]) };
  const page = installCallbackPage(`#error=access_denied&error_description=User%20said%20no&state=${state}&code_x=1`, opener);
  await import("../callback/callback");
  await waitFor(() => page.closed(), "the window closed");
  assert.deepEqual(server.to("redeem").map((r) => r.body), [
    { state, response: { state, error: "access_denied", error_description: "User said no" } },
  ]);
  const message = "The provider refused the sign-in (access_denied: User said no). Click Sign in to try again.";
  assert.deepEqual(posted, [[{ source: CALLBACK_SOURCE, state, outcome: { error: "access_denied", message } }, ORIGIN]]);
  assert.equal(page.shown.textContent, message);
  assert.equal(page.storage.length, 0);
  assert.equal(server.sessions.size, 0, "no session made");
});
