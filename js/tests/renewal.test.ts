/// <reference types="node" />
// A session's renewal (js/session.ts), against a fake OidcClient and mocked time: it refreshes
// renew_before seconds ahead of expiry (at most half the token's lifetime), retries while the
// provider cannot be reached and the token lives, stops on invalid_grant, and tells every widget
// that shares the session, once per event.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { ErrorResponse, ErrorTimeout, type OidcClient, type OidcMetadata, type RefreshState } from "oidc-client-ts";
import { SignInError } from "../errors";
import { Session, sessions, type SessionEvent } from "../session";
import { CONFIG, FakeProvider, ISSUER, settle } from "./fakes";

const T0 = Date.UTC(2025, 0, 15, 12);
const METADATA = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/auth`,
  token_endpoint: `${ISSUER}/token`,
  jwks_uri: `${ISSUER}/jwks`,
} as OidcMetadata;

interface Refreshed {
  access_token: string;
  token_type: string;
  expires_at?: number;
  refresh_token?: string;
  id_token?: string;
}

class FakeClient {
  /** The refresh token each renewal sent. */
  readonly used: string[] = [];
  answer: () => Promise<Refreshed> = () => Promise.reject(new TypeError("fetch failed"));

  useRefreshToken({ state }: { state: RefreshState }): Promise<Refreshed> {
    this.used.push(state.refresh_token);
    return this.answer();
  }
}

/** The provider's answer to the n-th refresh: a token that lives `lifetime` s from now, a rotated refresh token. */
function refreshed(n: number, lifetime = 3600): Refreshed {
  return {
    access_token: `at-${n}`,
    token_type: "Bearer",
    expires_at: Math.floor(Date.now() / 1000) + lifetime,
    refresh_token: `rt-${n}`,
  };
}

let sessionCount = 0;

function signedIn(t: TestContext, { lifetime = 3600, renewBefore = 60, refreshToken = "rt-0" as string | null } = {}) {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: T0 });
  const client = new FakeClient();
  const key = `session-${++sessionCount}`;
  const session = new Session(
    key,
    CONFIG,
    {
      client: client as unknown as OidcClient,
      metadata: METADATA,
      result: {
        access_token: "at-0",
        expires_at: T0 / 1000 + lifetime,
        scope: "openid",
        token_type: "Bearer",
        refresh_token: refreshToken,
        id_token: "id-0",
        claims: { sub: "alice" },
      },
    },
    renewBefore,
  );
  const events: SessionEvent[] = [];
  session.subscribe((e) => events.push(e));
  t.after(() => session.end());
  const advance = async (ms: number) => {
    t.mock.timers.tick(ms);
    await settle();
  };
  return { client, session, key, events, advance };
}

function kinds(events: SessionEvent[]): string[] {
  return events.map((e) => e.kind);
}

function failure(e: SessionEvent | undefined): SignInError {
  assert.equal(e?.kind, "renewal_failed");
  return e.error;
}

test("renews renew_before seconds ahead of expiry, then again ahead of the renewed token's, with the rotated refresh token", async (t) => {
  const { client, session, events, advance } = signedIn(t, { lifetime: 3600, renewBefore: 60 });
  client.answer = async () => refreshed(client.used.length);
  await advance(3_540_000 - 1);
  assert.deepEqual(client.used, []);
  await advance(1);
  assert.deepEqual(client.used, ["rt-0"]);
  assert.deepEqual(kinds(events), ["token"]);
  assert.equal(session.current?.access_token, "at-1");
  assert.ok(session.current && !("refresh_token" in session.current) && !("id_token" in session.current));
  await advance(3_540_000 - 1);
  assert.deepEqual(client.used, ["rt-0"]);
  await advance(1);
  assert.deepEqual(client.used, ["rt-0", "rt-1"]);
});

test("the renewal lead is at most half the token's lifetime", async (t) => {
  const { client, advance } = signedIn(t, { lifetime: 100, renewBefore: 60 });
  client.answer = async () => refreshed(1);
  await advance(49_999);
  assert.equal(client.used.length, 0);
  await advance(1);
  assert.equal(client.used.length, 1);
});

test("a token without a refresh token is not renewed, and expires at its expiry", async (t) => {
  const { client, session, key, events, advance } = signedIn(t, { lifetime: 100, refreshToken: null });
  assert.equal(session.renewable, false);
  await advance(99_999);
  assert.deepEqual(kinds(events), []);
  assert.equal(session.live, true);
  await advance(1);
  assert.deepEqual(kinds(events), ["expired"]);
  assert.equal(session.live, false);
  assert.equal(sessions.has(key), false);
  assert.equal(client.used.length, 0);
});

test("a renewal that cannot reach the provider is retried until the token expires, then the session expires", async (t) => {
  const { client, session, key, events, advance } = signedIn(t, { lifetime: 60, renewBefore: 30 });
  await advance(30_000);
  assert.equal(client.used.length, 1);
  assert.match(failure(events[0]).message, /Could not reach the provider.*retrying/);
  // Every 10 s, then at half the time left, while more than 4 s are left: 40, 50, 55, 57.5 s.
  await advance(10_000);
  await advance(10_000);
  await advance(5_000);
  assert.equal(client.used.length, 4);
  await advance(2_500);
  assert.equal(client.used.length, 5);
  assert.deepEqual(kinds(events), Array(5).fill("renewal_failed"));
  assert.match(failure(events[4]).message, /Could not reach the provider to renew the token \(fetch failed\) before it expired; click Sign in/);
  await advance(2_499);
  assert.equal(session.live, true);
  await advance(1);
  assert.equal(events.at(-1)?.kind, "expired");
  assert.equal(sessions.has(key), false);
  await advance(3_600_000);
  assert.equal(client.used.length, 5);
});

test("a renewal timeout is retried, and a renewal that then succeeds carries on as usual", async (t) => {
  const { client, session, events, advance } = signedIn(t, { lifetime: 60, renewBefore: 30 });
  client.answer = () => Promise.reject(new ErrorTimeout("Request timed out"));
  await advance(30_000);
  client.answer = async () => refreshed(1);
  await advance(10_000);
  assert.deepEqual(kinds(events), ["renewal_failed", "token"]);
  assert.equal(session.current?.access_token, "at-1");
  await advance(60_000);
  assert.equal(session.live, true);
});

test("invalid_grant stops the retries: renewal_failed once, then expired at the token's expiry", async (t) => {
  const { client, events, advance } = signedIn(t, { lifetime: 60, renewBefore: 30 });
  client.answer = () => Promise.reject(new ErrorResponse({ error: "invalid_grant", error_description: "Token is not active" }));
  await advance(30_000);
  const error = failure(events[0]);
  assert.equal(error.code, "renewal_failed");
  assert.match(error.message, /invalid_grant: the sign-in was revoked or has ended/);
  await advance(29_999);
  assert.equal(client.used.length, 1);
  assert.deepEqual(kinds(events), ["renewal_failed"]);
  await advance(1);
  assert.deepEqual(kinds(events), ["renewal_failed", "expired"]);
  assert.equal(client.used.length, 1);
});

test("widgets sharing a session get one renewal between them, each told once; one that left is not told", async (t) => {
  const { client, session, key, events, advance } = signedIn(t, { lifetime: 3600, renewBefore: 60 });
  assert.equal(sessions.get(key), session);
  const second: SessionEvent[] = [];
  const gone: SessionEvent[] = [];
  session.subscribe((e) => second.push(e));
  const leave = session.subscribe((e) => gone.push(e));
  leave();
  client.answer = async () => refreshed(1);
  await advance(3_540_000);
  assert.equal(client.used.length, 1);
  assert.deepEqual(kinds(events), ["token"]);
  assert.deepEqual(kinds(second), ["token"]);
  assert.deepEqual(gone, []);
});

test("a renewal answered after the session ended is dropped, and nothing more is scheduled", async (t) => {
  const { client, session, key, events, advance } = signedIn(t, { lifetime: 3600, renewBefore: 60 });
  let answer: (r: Refreshed) => void = () => {};
  client.answer = () => new Promise((resolve) => (answer = resolve));
  await advance(3_540_000);
  session.end();
  answer(refreshed(1));
  await settle();
  assert.equal(session.current, null);
  assert.equal(sessions.has(key), false);
  await advance(7_200_000);
  assert.deepEqual(events, []);
  assert.equal(client.used.length, 1);
});

test("a renewed ID token for another subject is refused, and the old token is kept", async (t) => {
  const { client, session, events, advance } = signedIn(t, { lifetime: 3600, renewBefore: 60 });
  const provider = (await FakeProvider.create()).install();
  const told = new Promise<void>((resolve) => session.subscribe(() => resolve()));
  client.answer = async () => ({ ...refreshed(1), id_token: await provider.idToken({ sub: "mallory" }) });
  await advance(3_540_000);
  await told;
  assert.match(failure(events[0]).message, /invalid_id_token.*sub changed on renewal/);
  assert.equal(session.current?.access_token, "at-0");
});

test("a slow answer does not push the next renewal later: it is due renew_before ahead of the new expiry", async (t) => {
  const { client, advance } = signedIn(t, { lifetime: 3600, renewBefore: 60 });
  // The provider answers 8 s after the request, with a token issued when it answered.
  client.answer = () =>
    new Promise((resolve) => setTimeout(() => resolve(refreshed(client.used.length)), 8_000));
  await advance(3_540_000);
  assert.equal(client.used.length, 1);
  await advance(8_000); // the answer: expires 3600 s from now, so the next renewal is due in 3540 s
  await advance(3_540_000 - 1);
  assert.equal(client.used.length, 1);
  await advance(1);
  assert.equal(client.used.length, 2);
});
