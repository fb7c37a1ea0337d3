/// <reference types="node" />
// Following sessions (js/signin/watch.ts): one long poll (POST oidc/watch) for the whole page, whatever the
// number of widgets and sessions; each change told to that session's listeners, each session gone
// (the keeper restarted) told as null, and the widgets showing it say the keeper stopped.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { SessionView } from "../shared/messages";
import { follow, told } from "../signin/watch";
import * as say from "../shared/wording";
import { widget } from "./fake-widget";
import { FakeServer, installPage, REDIRECT_URI, settle, waitFor } from "./fakes";

function listen(view: SessionView) {
  const heard: (SessionView | null)[] = [];
  const stop = follow(view, (v) => heard.push(v));
  return { heard, stop };
}

test("listeners of several sessions share one outstanding watch; a change reaches each of its listeners", async (t) => {
  installPage();
  const server = new FakeServer().install();
  const a = server.seed({ n: 1 }, REDIRECT_URI);
  const b = server.seed({ n: 2 }, REDIRECT_URI);
  const listeners = [listen(a), listen(a), listen(b)];
  t.after(() => listeners.forEach((l) => l.stop()));
  await waitFor(() => server.watching === 1, "the watch");
  assert.deepEqual(server.to("watch").at(-1)?.body, { sessions: { [a.id]: 1, [b.id]: 1 } });

  const a2 = server.update(a.id, { user: "Bob" });
  await waitFor(() => listeners[0].heard.length === 1 && listeners[1].heard.length === 1, "a's listeners told");
  assert.deepEqual(listeners[0].heard, [a2]);
  assert.deepEqual(listeners[1].heard, [a2]);
  assert.deepEqual(listeners[2].heard, []);
  await waitFor(() => server.watching === 1, "the next watch");
  assert.deepEqual(server.to("watch").at(-1)?.body, { sessions: { [a.id]: 2, [b.id]: 1 } });
  assert.equal(server.maxWatching, 1);

  // Nothing changed in 25 s: the poll is made again, and nobody is told anything.
  const before = server.to("watch").length;
  server.timeOutWatches();
  await waitFor(() => server.to("watch").length === before + 1 && server.watching === 1, "the poll renewed");
  assert.deepEqual(listeners[2].heard, []);
});

test("a session gone is told as null once, and no longer watched; the last listener leaving ends the poll", async (t) => {
  installPage();
  const server = new FakeServer().install();
  const a = server.seed({ n: 1 }, REDIRECT_URI);
  const b = server.seed({ n: 2 }, REDIRECT_URI);
  const la = listen(a);
  const lb = listen(b);
  t.after(() => (la.stop(), lb.stop()));
  await waitFor(() => server.watching === 1, "the watch");
  server.drop(a.id);
  await waitFor(() => la.heard.length === 1, "a's listener told");
  assert.deepEqual(la.heard, [null]);
  await waitFor(() => server.watching === 1, "the next watch");
  assert.deepEqual(server.to("watch").at(-1)?.body, { sessions: { [b.id]: 1 } });
  lb.stop();
  await settle(5);
  assert.equal(server.watching, 0);
  assert.deepEqual(lb.heard, []);
});

test("a failed poll (the server restarting) is made again after two seconds, not at once", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  installPage();
  const server = new FakeServer().install();
  const a = server.seed({ n: 1 }, REDIRECT_URI);
  server.refuse("watch", 503, { error: "keeper_unavailable", message: "The server cannot reach its token keeper." });
  const l = listen(a);
  t.after(() => l.stop());
  await waitFor(() => server.to("watch").length === 1, "the first poll");
  await settle(10);
  t.mock.timers.tick(1_999);
  await settle(10);
  assert.equal(server.to("watch").length, 1);
  server.refusals.delete("watch");
  t.mock.timers.tick(1);
  await waitFor(() => server.watching === 1, "the poll made again");
  assert.equal(server.to("watch").length, 2);
  assert.deepEqual(l.heard, []);
});

test("told(): a view learnt otherwise reaches the listeners once, an older one not at all", async (t) => {
  installPage();
  const server = new FakeServer().install();
  const a = server.seed({ n: 1 }, REDIRECT_URI, { version: 3 });
  const l = listen(a);
  t.after(() => l.stop());
  told({ ...a, version: 2 });
  told({ ...a, version: 3 });
  told({ ...a, version: 4, user: "Bob" });
  told({ ...a, version: 4, user: "Carol" });
  assert.deepEqual(l.heard.map((v) => v?.user), ["Bob"]);
});

test("told() of a session nobody follows does not join the page's watch", async (t) => {
  installPage();
  const server = new FakeServer().install();
  const a = server.seed({ n: 1 }, REDIRECT_URI);
  const b = server.seed({ n: 2 }, REDIRECT_URI);
  const la = listen(a);
  la.stop(); // the widget left the session (its kernel restarted) …
  told({ ...a, version: 2 }); // … and the Renew it had asked for is answered now
  const lb = listen(b);
  t.after(async () => {
    server.drop(a.id); // the page's watch forgets a session the keeper answers as gone
    await waitFor(() => !(a.id in (server.to("watch").at(-1)?.body.sessions ?? {})), "a forgotten");
    lb.stop();
  });
  await waitFor(() => server.watching === 1, "the watch");
  assert.deepEqual(server.to("watch").at(-1)?.body, { sessions: { [b.id]: 1 } });
  assert.deepEqual(la.heard, []);
});

test("widgets following sessions keep one watch at a time; a session gone says the keeper stopped", async (t) => {
  installPage();
  const server = new FakeServer().install();
  const widgets = Array.from({ length: 6 }, () => widget(t));
  // Three sessions, two widgets each (two notebooks signed in to the same request, in this page).
  const sessions = [0, 1, 2].map((n) => server.seed({ n }, REDIRECT_URI));
  widgets.forEach((w, i) => server.instances.set(w.traits.instance, sessions[i % 3].id));
  widgets.forEach((w) => w.fromKernel({ type: "rejoin" }));
  await Promise.all(widgets.map((w) => w.until("signed_in")));
  await waitFor(() => server.watching === 1, "the watch");
  assert.equal(server.maxWatching, 1, "never more than one POST oidc/watch outstanding");
  assert.deepEqual(Object.keys(server.to("watch").at(-1)?.body.sessions).sort(), sessions.map((s) => s.id).sort());

  server.update(sessions[0].id, { user: "Bob" });
  await waitFor(() => widgets[0].view.user === "Bob" && widgets[3].view.user === "Bob", "both widgets of s1");
  assert.equal(widgets[1].view.user, "Alice");

  server.drop(sessions[1].id);
  for (const w of [widgets[1], widgets[4]]) {
    const view = await w.until("error");
    assert.equal(view.message, say.KEEPER_GONE);
    assert.deepEqual(w.said("error").at(-1), { type: "error", error: "unknown_session", message: say.KEEPER_GONE });
    assert.deepEqual(w.sent.at(-1), { type: "expired" });
  }
  assert.equal(widgets[2].view.status, "signed_in");
  await waitFor(() => server.watching === 1, "the next watch");
  assert.equal(server.maxWatching, 1);

  widgets.forEach((w) => w.controller.dispose());
  await settle(5);
  assert.equal(server.watching, 0, "no widget left, no watch");
});
