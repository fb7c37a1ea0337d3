/// <reference types="node" />
// Signing out (js/signout.ts, Session.signOut): the tokens are forgotten here at once and the session
// ends for every widget; the refresh token is revoked (RFC 7009) where the provider has an endpoint
// for it; the provider's own session is ended in a popup (RP-Initiated Logout 1.0) when it offers
// that, on a click when the browser blocked the popup. Time is mocked: nothing is renewed afterwards.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import type { OidcClient, OidcMetadata } from "oidc-client-ts";
import type { PageMessage, Status } from "../messages";
import { Session, sessions, type SessionEvent } from "../session";
import { SignOut } from "../signout";
import { CLIENT_ID, CONFIG, FakeProvider, installPage, ISSUER, REDIRECT_URI, settle } from "./fakes";

const T0 = Date.UTC(2025, 0, 15, 12);
const LOGOUT_URL = `${ISSUER}/logout?state=so-1`;

class FakeClient {
  renewals = 0;
  signoutRequests: Record<string, unknown>[] = [];
  signoutAnswers: string[] = [];

  useRefreshToken(): Promise<never> {
    this.renewals++;
    return Promise.reject(new TypeError("fetch failed"));
  }

  async createSignoutRequest(args: Record<string, unknown>) {
    this.signoutRequests.push(args);
    return { url: LOGOUT_URL, state: { id: "so-1" } };
  }

  async processSignoutResponse(url: string) {
    this.signoutAnswers.push(url);
    return {};
  }
}

class View {
  readonly said: [Status, string][] = [];
  readonly sent: PageMessage[] = [];
  set(status: Status, message: string): void {
    this.said.push([status, message]);
  }
  send(msg: PageMessage): void {
    this.sent.push(msg);
  }
  get last(): [Status, string] | undefined {
    return this.said.at(-1);
  }
}

async function signedIn(t: TestContext, metadata: { revocation?: boolean; endSession?: boolean } = {}) {
  t.mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"], now: T0 });
  const page = installPage();
  const provider = (await FakeProvider.create()).install();
  const served = { ...provider.metadata };
  if (metadata.revocation === false) delete served.revocation_endpoint;
  if (metadata.endSession) served.end_session_endpoint = `${ISSUER}/logout`;
  const client = new FakeClient();
  const key = `signout-${t.name}`;
  const session = new Session(
    key,
    CONFIG,
    {
      client: client as unknown as OidcClient,
      metadata: served as unknown as OidcMetadata,
      result: {
        access_token: "at-0",
        expires_at: T0 / 1000 + 600,
        scope: "openid",
        token_type: "Bearer",
        refresh_token: "rt-0",
        id_token: "id-0",
        claims: { sub: "alice" },
      },
    },
    60,
  );
  const events: SessionEvent[] = [];
  session.subscribe((e) => events.push(e));
  const view = new View();
  // A failed assertion must not leave the sign-out's wait (and its BroadcastChannel) open.
  t.after(() => page.window.answer(`${REDIRECT_URI}?state=so-1`));
  return { ...page, provider, client, session, key, events, view, flow: new SignOut(view) };
}

function assertForgotten(t: TestContext, s: { session: Session; key: string; events: SessionEvent[]; client: FakeClient }) {
  assert.equal(s.session.current, null);
  assert.equal(s.session.live, false);
  assert.equal(sessions.has(s.key), false);
  assert.deepEqual(s.events, [{ kind: "ended" }]);
  t.mock.timers.tick(3_600_000);
  assert.equal(s.client.renewals, 0);
  assert.deepEqual(s.events, [{ kind: "ended" }]);
}

test("sign-out revokes the refresh token at the revocation endpoint and forgets the tokens", async (t) => {
  const s = await signedIn(t);
  await s.flow.run(s.session, CONFIG, REDIRECT_URI, 30);
  const revocations = s.provider.requestsTo("/revoke");
  assert.equal(revocations.length, 1);
  assert.equal(revocations[0].method, "POST");
  assert.deepEqual(Object.fromEntries(revocations[0].form), {
    token: "rt-0",
    token_type_hint: "refresh_token",
    client_id: CLIENT_ID,
  });
  assertForgotten(t, s);
  assert.equal(s.window.popups.length, 0);
  assert.equal(s.view.last?.[0], "signed_out");
  assert.match(s.view.last?.[1] ?? "", /offers no sign-out endpoint/);
});

test("without a revocation endpoint nothing is sent, and the tokens are forgotten all the same", async (t) => {
  const s = await signedIn(t, { revocation: false });
  await s.flow.run(s.session, CONFIG, REDIRECT_URI, 30);
  assert.deepEqual(s.provider.requests, []);
  assertForgotten(t, s);
  assert.equal(s.view.last?.[0], "signed_out");
});

test("a refused revocation is said, and the tokens are forgotten all the same", async (t) => {
  const s = await signedIn(t);
  s.provider.revocation = { status: 400, body: JSON.stringify({ error: "unsupported_token_type" }) };
  await s.flow.run(s.session, CONFIG, REDIRECT_URI, 30);
  assertForgotten(t, s);
  assert.equal(s.view.last?.[0], "error");
  assert.match(s.view.last?.[1] ?? "", /refused to revoke the refresh token \(unsupported_token_type\)/);
});

test("with an end-session endpoint, the provider's session is ended in a popup after the revocation", async (t) => {
  const s = await signedIn(t, { endSession: true });
  const running = s.flow.run(s.session, CONFIG, REDIRECT_URI, 30);
  const popup = s.window.popups[0];
  assert.equal(await popup.navigated, LOGOUT_URL);
  assert.equal(s.provider.requestsTo("/revoke").length, 1);
  assert.deepEqual(s.client.signoutRequests[0], {
    id_token_hint: "id-0",
    post_logout_redirect_uri: REDIRECT_URI,
    request_type: "so:p",
    state: "sign-out",
  });
  s.window.answer(`${REDIRECT_URI}?state=so-1`);
  await running;
  assert.deepEqual(s.client.signoutAnswers, [`${REDIRECT_URI}?state=so-1`]);
  assert.equal(popup.closed, true);
  assert.deepEqual(s.view.last, ["signed_out", "Signed out, here and at the provider."]);
  assertForgotten(t, s);
});

test("when the browser blocks the popup, the tokens are gone at once and the provider's part waits for a click", async (t) => {
  const s = await signedIn(t, { endSession: true });
  s.window.blocked = true;
  await s.flow.run(s.session, CONFIG, REDIRECT_URI, 30);
  assert.equal(s.view.last?.[0], "needs_click");
  assert.equal(s.flow.waitingForClick, true);
  assert.equal(s.provider.requestsTo("/revoke").length, 1);
  assertForgotten(t, s);
  s.window.blocked = false;
  s.flow.finishOnClick(CONFIG);
  assert.equal(s.flow.waitingForClick, false);
  const popup = s.window.popups[0];
  assert.equal(await popup.navigated, LOGOUT_URL);
  s.window.answer(`${REDIRECT_URI}?state=so-1`);
  await settle();
  assert.equal(popup.closed, true);
  assert.deepEqual(s.view.last, ["signed_out", "Signed out, here and at the provider."]);
});

test("with no session, sign-out says so and tells the kernel", async () => {
  const view = new View();
  await new SignOut(view).run(null, CONFIG, REDIRECT_URI, 30);
  assert.deepEqual(view.said, [["signed_out", "Signed out."]]);
  assert.deepEqual(view.sent, [{ type: "logged_out" }]);
});
