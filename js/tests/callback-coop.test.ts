/// <reference types="node" />
// Our callback page in a popup whose opener the provider's Cross-Origin-Opener-Policy cut
// (window.opener is null) and whose tab left for no trip: a popup all the same. It hands the answer to
// the keeper and tells the outcome over this origin's BroadcastChannel for that state (js/callback/callback.ts);
// it keeps nothing in the tab and goes nowhere.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CALLBACK_SOURCE, callbackChannel } from "../shared/messages";
import { installCallbackPage } from "./fake-callback";
import { CONFIG, FakeServer, installPage, REDIRECT_URI, waitFor } from "./fakes";

test("no opener (COOP): the outcome goes over BroadcastChannel, and the window closes", async () => {
  installPage();
  const server = new FakeServer().install();
  const { state } = server.pend(CONFIG, REDIRECT_URI, "w1");
  const page = installCallbackPage(`?code=c-1&state=${state}`, null);
  const channel = new BroadcastChannel(callbackChannel(state));
  const other = new BroadcastChannel(callbackChannel("st-other"));
  const elsewhere: unknown[] = [];
  other.onmessage = (e) => elsewhere.push(e.data);
  try {
    const received: unknown[] = [];
    channel.onmessage = (e) => received.push(e.data);
    await import("../callback/callback");
    await waitFor(() => page.closed() && received.length > 0, "the outcome over the channel, and the window closed");
    const session = server.sessions.get(server.instances.get("w1") ?? "");
    assert.ok(session);
    assert.deepEqual(received, [{ source: CALLBACK_SOURCE, state, outcome: { session } }]);
    assert.deepEqual(server.to("redeem").map((r) => r.body), [{ state, response: { code: "c-1", state } }]);
    assert.equal(page.closed(), true);
    assert.equal(page.storage.length, 0, "nothing kept in the tab");
    assert.deepEqual(page.location.replaced, [], "the popup goes nowhere");
    assert.deepEqual(elsewhere, [], "only this state's channel is told");
  } finally {
    channel.close();
    other.close();
  }
});
