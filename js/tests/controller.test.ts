/// <reference types="node" />
// The controller's view carries its buttons: each state it reaches lists them, its sentence names
// only those, the kernel is told the same sentence, and a button of a state that has passed does
// nothing. An administrator's provider is shown by its name and sent to the server by it; the
// kernel's `start` only starts an idle widget; a comm that died is found out by a harmless probe.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { View } from "../shared/messages";
import * as say from "../shared/wording";
import { namedButtons } from "./buttons";
import { ids, widget } from "./fake-widget";
import { CONFIG, FakeServer, installPage, REDIRECT_URI, settle, waitFor } from "./fakes";

function assertHonest(view: View): void {
  const shown = view.actions.map((a) => a.label);
  for (const named of namedButtons(view.message)) {
    assert.ok(shown.includes(named), `${view.status}: "${view.message}" names "${named}", shown: ${shown}`);
  }
}

test("before anything: no button, the provider's host, and buttons of other states do nothing", async (t) => {
  installPage();
  const server = new FakeServer().install();
  const w = widget(t, { config: { authority: "https://idp.example:8443/realms/x", client_id: "nb" } });
  assert.equal(w.view.status, "idle");
  assert.equal(w.view.message, say.IDLE);
  assert.deepEqual(w.view.actions, []);
  assert.equal(w.view.provider, "idp.example:8443");
  for (const action of ["sign_in", "sign_out", "renew", "cancel", "redirect"] as const) w.controller.act(action);
  await settle(5);
  assert.equal(w.view.status, "idle");
  assert.deepEqual(server.requests, []);
});

test("every view's sentence goes to the kernel as it is shown, and names only its buttons", async (t) => {
  const { window } = installPage();
  window.blocked = true;
  new FakeServer().install();
  const w = widget(t);
  w.fromKernel({ type: "start" });
  const view = await w.until("needs_click");
  assert.deepEqual(
    w.views.map((v) => [v.status, ids(v)]),
    [
      ["signing_in", ["cancel"]],
      ["needs_click", ["sign_in", "redirect"]],
    ],
  );
  assert.deepEqual(view.actions.map((a) => a.label), ["Sign in", "Sign in in this tab"]);
  w.views.forEach(assertHonest);
  assert.deepEqual(
    w.said("status").map((m) => [m.status, m.message]),
    w.views.map((v) => [v.status, v.message]),
  );
  assert.deepEqual(w.said("error"), [{ type: "error", error: "popup_blocked", message: view.message }]);
});

test("an administrator's provider: shown by name, sent by name (the server resolves it), its label kept", async (t) => {
  const { window } = installPage();
  const server = new FakeServer().install();
  server.registry = { providers: { corp: CONFIG }, redirect_uri: null };
  const w = widget(t, { config: { provider: "corp" } as never });
  assert.equal(w.view.provider, "corp");
  w.fromKernel({ type: "start" });
  await waitFor(() => window.atProvider !== undefined, "the sign-in window at the provider");
  assert.equal(w.view.message, say.signingIn(`corp (${CONFIG.authority})`));
  assert.deepEqual(server.to("signin")[0].body.request, { provider: "corp" });
  assert.equal(server.to("signin")[0].body.redirect_uri, REDIRECT_URI);
  assert.equal(w.view.provider, "corp");
});

test("an unknown provider is an error with Sign in, and nothing is asked of the keeper", async (t) => {
  installPage();
  const server = new FakeServer().install();
  server.registry = { providers: { corp: CONFIG }, redirect_uri: null };
  const w = widget(t, { config: { provider: "crop" } as never });
  w.fromKernel({ type: "start" });
  const view = await w.until("error");
  assert.match(view.message, /No provider named "crop"/);
  assert.deepEqual(ids(view), ["sign_in"]);
  assert.equal(view.provider, "crop");
  assertHonest(view);
  assert.deepEqual(server.to("signin"), []);
});

test("the kernel's start starts an idle widget only", async (t) => {
  installPage();
  const server = new FakeServer().install();
  server.seed(CONFIG, REDIRECT_URI);
  const w = widget(t);
  w.fromKernel({ type: "start" });
  await w.until("signed_in");
  w.fromKernel({ type: "start" });
  await settle(10);
  assert.equal(server.to("signin").length, 1);
});

test("a comm that came back is probed with the current status; one that died is found out", async (t) => {
  installPage();
  new FakeServer().install();
  const w = widget(t);
  w.commLive();
  assert.deepEqual(w.sent, [{ type: "status", status: "idle", message: say.IDLE }]);
  w.restartKernel();
  assert.equal(w.sent.length, 1, "nothing reaches a dead kernel");
  assert.equal(w.view.status, "idle");
  assert.equal(w.view.message, say.KERNEL_GONE);
});
