/// <reference types="node" />
// Redirect mode on a server under a base URL (JupyterHub's /user/<name>/), when the keeper refuses the
// answer: our callback page (js/callback/callback.ts) hands the code to the keeper under that base, keeps in the
// tab only the state and the keeper's refusal — never the code — and sends the tab back through
// {base}oidc/return; the widget that left, brought back, says the refusal without a click, and nothing
// of the trip is left in the tab.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PENDING, RESPONSE } from "../shared/messages";
import { leave } from "../signin/redirect";
import { installCallbackPage } from "./fake-callback";
import { ids, widget } from "./fake-widget";
import { CONFIG, FakeServer, installPage, ORIGIN, T0, waitFor } from "./fakes";

test("a refused answer in redirect mode: kept without its code, the tab sent to {base}oidc/return, the error said", async (t) => {
  t.mock.timers.enable({ apis: ["Date"], now: T0 });
  const page = installPage();
  const server = new FakeServer("/user/alice/").install();
  const message = "The provider refused to issue tokens (invalid_grant). Click Sign in.";
  server.refuse("redeem", 400, { error: "invalid_grant", message });
  const { url, state } = server.pend(CONFIG, `${ORIGIN}/user/alice/oidc/redirect.html`, "w-hub");
  leave("w-hub", state, url); // the widget w-hub left this tab for the provider

  t.mock.timers.tick(30_000);
  const callback = installCallbackPage(`?code=c-secret&state=${state}`, null, page.storage, "/user/alice/");
  await import("../callback/callback");
  await waitFor(() => callback.location.replaced.length > 0, "the tab sent back");
  assert.deepEqual(callback.location.replaced, ["/user/alice/oidc/return"]);
  assert.deepEqual(server.requests.map((r) => [r.method, r.path, r.body]), [
    ["POST", "redeem", { state, response: { code: "c-secret", state } }],
  ]);
  assert.deepEqual(JSON.parse(page.storage.getItem(RESPONSE) ?? "null"), {
    state,
    outcome: { error: "invalid_grant", message },
  });
  assert.ok(!page.storage.dump().includes("c-secret"), "the code is kept nowhere in the tab");
  assert.ok(page.storage.getItem(PENDING), "the trip is left to its widget");
  assert.deepEqual(callback.said, ["Finishing sign-in…", "Going back to the notebook…"]);
  assert.equal(callback.closed(), false);

  // Back in the notebook: the kernel brings the widget back; it says the refusal by itself.
  installPage(page.storage);
  const back = widget(t, { instance: "w-hub", mode: "redirect" });
  const view = await back.until("error");
  assert.equal(view.message, message);
  assert.deepEqual(ids(view), ["sign_in"]);
  assert.deepEqual(back.said("error"), [{ type: "error", error: "invalid_grant", message }]);
  assert.deepEqual(back.said("session"), []);
  assert.equal(page.storage.length, 0, "nothing of the trip is left");
  assert.equal(server.to("redeem").length, 1, "the widget redeems nothing");
});
