/// <reference types="node" />
// Our callback page in a popup (js/callback.ts): it hands the provider's answer to the notebook page
// that opened it, by postMessage to that page's origin only, takes the code out of its own history,
// keeps nothing in the tab, and closes. (Over BroadcastChannel when COOP cut the opener:
// callback-channel.test.ts; in redirect mode: redirect.test.ts. The page runs once per file.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { CALLBACK_SOURCE } from "../messages";
import { installCallbackPage } from "./fake-callback";
import { ORIGIN } from "./fakes";

test("an answer in a popup is posted to the opener, at its origin only; the code leaves the history", async () => {
  const posted: [unknown, string][] = [];
  const opener = { location: { origin: ORIGIN }, postMessage: (data: unknown, origin: string) => posted.push([data, origin]) };
  const page = installCallbackPage("?code=c-1&state=st-1&iss=https%3A%2F%2Fidp.example", opener);
  const channel = new BroadcastChannel("ipython-oidc-client:st-1");
  const overChannel: unknown[] = [];
  channel.onmessage = (e) => overChannel.push(e.data);
  try {
    await import("../callback");
    assert.deepEqual(posted, [[{ source: CALLBACK_SOURCE, url: page.location.href }, ORIGIN]]);
    assert.deepEqual(page.history, ["/oidc/redirect.html"]);
    assert.equal(page.storage.length, 0, "nothing kept in the tab");
    assert.deepEqual(page.location.replaced, []);
    assert.equal(page.closed(), true);
    assert.equal(page.shown.textContent, "Sign-in complete. You can close this window.");
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(overChannel, [], "not also broadcast");
  } finally {
    channel.close();
  }
});
