/// <reference types="node" />
// Our callback page in a popup whose opener it cannot use (js/callback.ts): the provider's
// Cross-Origin-Opener-Policy cut it, or it is another origin's window (reading its location throws).
// The answer then goes over this origin's BroadcastChannel for that state, never to the other window.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CALLBACK_SOURCE, callbackChannel } from "../messages";
import { installCallbackPage } from "./fake-callback";

test("an opener of another origin is never posted the code: the answer goes over BroadcastChannel", async () => {
  const posted: unknown[] = [];
  const foreign = {
    get location(): never {
      throw new DOMException("Blocked a frame with origin", "SecurityError");
    },
    postMessage: (data: unknown) => posted.push(data),
  };
  const page = installCallbackPage("#code=c-1&state=st-9", foreign);
  const channel = new BroadcastChannel(callbackChannel("st-9"));
  try {
    const received = new Promise<unknown>((resolve) => (channel.onmessage = (e) => resolve(e.data)));
    await import("../callback");
    assert.deepEqual(await received, { source: CALLBACK_SOURCE, url: page.location.href });
    assert.deepEqual(posted, []);
    assert.equal(page.closed(), true);
    assert.equal(page.storage.length, 0);
  } finally {
    channel.close();
  }
});
