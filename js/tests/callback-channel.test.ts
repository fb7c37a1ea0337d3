/// <reference types="node" />
// Our callback page in a popup whose opener is another origin's window (reading its location throws):
// it is posted nothing. The page still hands the answer to the keeper, and the outcome goes over this
// origin's BroadcastChannel for that state (js/callback/callback.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { CALLBACK_SOURCE, callbackChannel } from "../shared/messages";
import { installCallbackPage } from "./fake-callback";
import { CONFIG, FakeServer, installPage, REDIRECT_URI, waitFor } from "./fakes";

test("an opener of another origin is posted nothing: the outcome goes over BroadcastChannel", async () => {
  installPage();
  const server = new FakeServer().install();
  const { state } = server.pend(CONFIG, REDIRECT_URI, "w1");
  const posted: unknown[] = [];
  const foreign = {
    get location(): never {
      throw new DOMException("Blocked a frame with origin", "SecurityError");
    },
    postMessage: (data: unknown) => posted.push(data),
  };
  const page = installCallbackPage(`#code=c-1&state=${state}`, foreign);
  const channel = new BroadcastChannel(callbackChannel(state));
  try {
    const received: unknown[] = [];
    channel.onmessage = (e) => received.push(e.data);
    await import("../callback/callback");
    await waitFor(() => page.closed() && received.length > 0, "the outcome over the channel, and the window closed");
    const session = server.sessions.get(server.instances.get("w1") ?? "");
    assert.ok(session);
    assert.deepEqual(received, [{ source: CALLBACK_SOURCE, state, outcome: { session } }]);
    assert.deepEqual(server.to("redeem").map((r) => r.body), [{ state, response: { code: "c-1", state } }]);
    assert.deepEqual(posted, []);
    assert.equal(page.closed(), true);
    assert.equal(page.storage.length, 0);
  } finally {
    channel.close();
  }
});
