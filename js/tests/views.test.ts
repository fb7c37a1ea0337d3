/// <reference types="node" />
// What a widget shows of the keeper's view of its session (js/widget/controller.ts show()), and what its
// kernel is told: renewable → signed_in; no refresh token but an expiry → renew_needed; a renewal
// failing → error with the keeper's sentence; expired → error, the kernel told `expired`; signed out
// (another notebook's Sign out) → signed_out, the kernel told `logged_out`.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { received } from "../shared/errors";
import type { SessionView, Status } from "../shared/messages";
import * as say from "../shared/wording";
import { ids, widget } from "./fake-widget";
import { CONFIG, FakeServer, installPage, REDIRECT_URI, waitFor } from "./fakes";

/** A widget shown `over` as its session's view: found at the keeper after a reload. */
async function showing(t: TestContext, over: Partial<SessionView>, status: Status) {
  installPage();
  const server = new FakeServer().install();
  const w = widget(t);
  const view = server.seed(CONFIG, REDIRECT_URI, over, w.traits.instance);
  w.fromKernel({ type: "rejoin" });
  await w.until(status);
  return { server, w, view };
}

test("renewable → signed_in with the user, the expiry, Renew and Sign out, nothing urged", async (t) => {
  const { w, view } = await showing(t, { renewable: true, user: "Alice", label: "corp" }, "signed_in");
  assert.equal(w.view.status, "signed_in");
  assert.equal(w.view.user, "Alice");
  assert.equal(w.view.expiresAt, view.expires_at);
  assert.equal(w.view.provider, "corp");
  assert.equal(w.view.message, say.signedIn(view));
  assert.deepEqual(ids(w.view), ["renew", "sign_out"]);
  assert.ok(w.view.actions.every((a) => !a.primary));
  assert.deepEqual(w.said("session"), [{ type: "session", id: view.id }]);
  assert.deepEqual(w.said("status").at(-1), { type: "status", status: "signed_in", message: w.view.message });
});

test("no refresh token and no expiry → signed_in: nothing to renew", async (t) => {
  const { w } = await showing(t, { renewable: false, expires_at: null }, "signed_in");
  assert.equal(w.view.status, "signed_in");
  assert.equal(w.view.message, "Signed in as Alice");
  assert.equal(w.view.expiresAt, null);
});

test("not renewable, with an expiry → renew_needed, Renew urged", async (t) => {
  const { w, view } = await showing(t, { renewable: false }, "renew_needed");
  assert.equal(w.view.status, "renew_needed");
  assert.match(w.view.message, /This provider gives no refresh token: click Renew before then\.$/);
  assert.deepEqual(ids(w.view), ["renew", "sign_out"]);
  assert.deepEqual(w.view.actions.filter((a) => a.primary).map((a) => a.id), ["renew"]);
  assert.equal(w.view.expiresAt, view.expires_at);
});

test("an error (renewal failing while the token lives) → error with the keeper's message, the kernel told", async (t) => {
  const error = { error: received("invalid_grant"), message: "The provider refused to renew the token (invalid_grant). Click Sign in." };
  const { w } = await showing(t, { error }, "error");
  assert.equal(w.view.status, "error");
  assert.equal(w.view.message, error.message);
  assert.deepEqual(ids(w.view), ["sign_in"]);
  assert.deepEqual(w.said("error"), [{ type: "error", error: "invalid_grant", message: error.message }]);
  assert.deepEqual(w.said("expired"), [], "the token still lives in the kernel");
});

test("expired → error, the kernel told `expired`; the keeper's reason goes with its code", async (t) => {
  const plain = await showing(t, { status: "expired" }, "error");
  assert.equal(plain.w.view.status, "error");
  assert.equal(plain.w.view.message, say.EXPIRED);
  assert.deepEqual(plain.w.said("error").map((m) => m.error), ["token_expired"]);
  assert.deepEqual(plain.w.sent.at(-1), { type: "expired" });

  const error = { error: received("invalid_grant"), message: "The sign-in ended: the provider refused to renew it. Click Sign in." };
  const said = await showing(t, { status: "expired", error }, "error");
  // The widget says what now; the kernel has the keeper's reason from the keeper itself.
  assert.equal(said.w.view.message, say.EXPIRED);
  assert.deepEqual(said.w.said("error").map((m) => m.error), ["invalid_grant"]);
  assert.deepEqual(said.w.said("expired"), [{ type: "expired" }]);
});

test("signed_out → signed_out with Sign in, the kernel told `logged_out`, the session no longer followed", async (t) => {
  const { w, server } = await showing(t, { status: "signed_out", user: null, expires_at: null }, "signed_out");
  assert.equal(w.view.status, "signed_out");
  assert.equal(w.view.message, say.SIGNED_OUT);
  assert.deepEqual(ids(w.view), ["sign_in"]);
  assert.equal(w.view.user, null);
  assert.deepEqual(w.sent.at(-1), { type: "logged_out" });
  assert.equal(server.watching, 0);
});

test("the views the watch brings are shown in turn: a renewal, a failure, the expiry", async (t) => {
  const { w, server, view } = await showing(t, {}, "signed_in");
  const renewed = server.update(view.id, { expires_at: (view.expires_at ?? 0) + 300 });
  await waitFor(() => w.view.expiresAt === renewed.expires_at, "the renewal shown");
  assert.equal(w.view.status, "signed_in");
  const unreachable = { error: received("provider_unreachable"), message: "The provider cannot be reached; tried again every 10 s." };
  server.update(view.id, { error: unreachable });
  await w.until("error");
  assert.equal(w.view.message, unreachable.message);
  assert.equal(w.view.expiresAt, renewed.expires_at, "the token's expiry is still shown");
  server.update(view.id, { status: "expired", error: null });
  await waitFor(() => w.view.message === say.EXPIRED, "the expiry shown");
  assert.deepEqual(w.sent.at(-1), { type: "expired" });
  assert.deepEqual(w.said("error").map((m) => m.error), ["provider_unreachable", "token_expired"]);
});
