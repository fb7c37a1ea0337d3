/// <reference types="node" />
// A widget whose sign-in began before this page was loaded (a reload, the notebook reopened, a second
// tab): the kernel says `rejoin`, the page asks the keeper for the widget instance's session (GET
// oidc/instances/<instance>) and shows it, without a window; without one it offers Sign in. A sign-in
// started meanwhile has the say. The kernel restarting ends what the widget was doing.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as say from "../shared/wording";
import { ids, widget } from "./fake-widget";
import { CONFIG, FakeServer, installPage, REDIRECT_URI, settle, waitFor } from "./fakes";

test("a reloaded page finds the widget's session at the keeper and shows it, with no window", async (t) => {
  const { window } = installPage();
  const server = new FakeServer().install();
  const w = widget(t);
  const live = server.seed(CONFIG, REDIRECT_URI, { user: "Bob" }, w.traits.instance);
  w.fromKernel({ type: "rejoin" });
  const view = await w.until("signed_in");
  assert.deepEqual(server.to(`instances/${w.traits.instance}`).map((r) => r.method), ["GET"]);
  assert.equal(view.user, "Bob");
  assert.deepEqual(w.said("session"), [{ type: "session", id: live.id }]);
  assert.equal(window.opens, 0);
  await waitFor(() => server.watching === 1, "the session followed");
});

test("a reloaded page whose widget has no session at the keeper: signed_out, with Sign in", async (t) => {
  installPage();
  new FakeServer().install();
  const w = widget(t);
  w.fromKernel({ type: "rejoin" });
  const view = await w.until("signed_out");
  assert.equal(view.message, say.RELOADED_WITHOUT_TOKEN);
  assert.deepEqual(ids(view), ["sign_in"]);
  assert.deepEqual(w.said("session"), []);
});

test("a server that cannot be asked is said; a page without the extension says so", async (t) => {
  installPage();
  const server = new FakeServer().install();
  server.refuse("instances", 503, { error: "keeper_unavailable", message: "The server cannot reach its token keeper." });
  const w = widget(t);
  w.fromKernel({ type: "rejoin" });
  assert.equal((await w.until("error")).message, "The server cannot reach its token keeper.");

  server.refuse("instances", 404);
  const bare = widget(t);
  bare.fromKernel({ type: "rejoin" });
  await bare.until("error");
  assert.deepEqual(bare.said("error").map((m) => m.error), ["no_server_extension"]);
});

test("a sign-in started while the keeper is asked has the say", async (t) => {
  const { window } = installPage();
  const server = new FakeServer().install();
  const w = widget(t);
  server.seed({ earlier: true }, REDIRECT_URI, { user: "Old" }, w.traits.instance);
  const live = server.seed(CONFIG, REDIRECT_URI, { user: "Bob" });
  w.fromKernel({ type: "rejoin" });
  w.fromKernel({ type: "start" }); // authenticate() ran again at once: its start wins
  await w.until("signed_in");
  await settle(10);
  assert.equal(w.view.user, "Bob");
  assert.deepEqual(w.said("session"), [{ type: "session", id: live.id }]);
  assert.equal(window.opens, 0);
});

test("the kernel restarting ends the sign-in under way: its window closed, idle, nothing thrown or sent", async (t) => {
  const { window } = installPage();
  const server = new FakeServer().install();
  const w = widget(t);
  w.fromKernel({ type: "start" });
  await waitFor(() => window.popups.length === 1, "the sign-in window");
  const before = w.sent.length;
  w.restartKernel();
  assert.equal(w.view.status, "idle");
  assert.equal(w.view.message, say.KERNEL_GONE);
  assert.deepEqual(w.view.actions, []);
  await waitFor(() => window.popups[0].closed, "the window closed");
  // An outcome arriving now is not taken: the sign-in ended with its kernel.
  window.answer(server.begun[0].state, { session: server.seed({ late: true }, REDIRECT_URI) });
  await settle(10);
  assert.equal(w.view.status, "idle");
  assert.equal(w.sent.length, before);
  w.controller.act("sign_in"); // a button that was there before: nothing happens, nothing is thrown
  assert.equal(w.view.status, "idle");
});

test("the kernel restarting while signed in stops following the session; the keeper keeps it", async (t) => {
  installPage();
  const server = new FakeServer().install();
  const w = widget(t);
  const live = server.seed(CONFIG, REDIRECT_URI, {}, w.traits.instance);
  w.fromKernel({ type: "rejoin" });
  await w.until("signed_in");
  await waitFor(() => server.watching === 1, "the session followed");
  w.restartKernel();
  assert.equal(w.view.status, "idle");
  await settle(5);
  assert.equal(server.watching, 0);
  assert.equal(server.sessions.get(live.id)?.status, "signed_in");
  assert.deepEqual(server.to(/logout$/), []);
});
