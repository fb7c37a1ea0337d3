/// <reference types="node" />
// Tests for validateIdToken (js/idtoken.ts): every check of OpenID Connect Core 1.0 §3.1.3.7 it
// makes, run offline against keys generated here. Times are fixed through `currentDate`.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWTPayload,
  type JWTVerifyGetKey,
} from "jose";
import { validateIdToken, type IdTokenExpectations } from "../idtoken";
import { SignInError } from "../errors";

const ISSUER = "https://idp.example.org/realms/test";
const CLIENT_ID = "notebook-client";
const NONCE = "n-0S6_WzA2Mj";
const NOW = new Date("2025-01-15T12:00:00Z");
const NOW_S = Math.floor(NOW.getTime() / 1000);

const rsa = await generateKeyPair("RS256");
const ec = await generateKeyPair("ES256");
// Not in the provider's JWKS: signs the forged tokens.
const stranger = await generateKeyPair("RS256");

const jwks = createLocalJWKSet({
  keys: [
    { ...(await exportJWK(rsa.publicKey)), kid: "rsa-1", alg: "RS256", use: "sig" },
    { ...(await exportJWK(ec.publicKey)), kid: "ec-1", alg: "ES256", use: "sig" },
  ],
});

function expectations(overrides: Partial<IdTokenExpectations> = {}): IdTokenExpectations {
  return { issuer: ISSUER, client_id: CLIENT_ID, nonce: NONCE, keys: jwks, currentDate: NOW, ...overrides };
}

function claims(overrides: Record<string, unknown> = {}): JWTPayload {
  const base: Record<string, unknown> = {
    iss: ISSUER,
    sub: "user-1234",
    aud: CLIENT_ID,
    exp: NOW_S + 300,
    iat: NOW_S - 10,
    nonce: NONCE,
    ...overrides,
  };
  // An override of `undefined` means "leave the claim out".
  for (const key of Object.keys(base)) if (base[key] === undefined) delete base[key];
  return base as JWTPayload;
}

interface SignOptions {
  alg?: string;
  kid?: string;
  key?: CryptoKey | Uint8Array;
}

async function sign(payload: JWTPayload, opts: SignOptions = {}): Promise<string> {
  const alg = opts.alg ?? "RS256";
  const kid = opts.kid ?? (alg === "ES256" ? "ec-1" : "rsa-1");
  const key = opts.key ?? (alg === "ES256" ? ec.privateKey : rsa.privateKey);
  return new SignJWT(payload).setProtectedHeader({ alg, kid, typ: "JWT" }).sign(key);
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** Asserts the promise rejects with our invalid_id_token SignInError, for the reason given. */
async function assertRejected(promise: Promise<unknown>, reason: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof SignInError, `expected a SignInError, got ${String(err)}`);
    assert.equal(err.name, "SignInError");
    assert.equal(err.code, "invalid_id_token");
    assert.match(err.message, /nothing was sent to the kernel/);
    assert.match(err.message, reason);
    return true;
  });
}

test("a good RS256 token passes and returns its claims", async () => {
  const payload = claims({ email: "user@example.org" });
  const result = await validateIdToken(await sign(payload), expectations());
  assert.deepEqual(result, payload);
});

test("a good ES256 token passes and returns its claims", async () => {
  const payload = claims();
  const result = await validateIdToken(await sign(payload, { alg: "ES256" }), expectations());
  assert.deepEqual(result, payload);
});

test("a token signed by another key (wrong signature) is rejected", async () => {
  const token = await sign(claims(), { key: stranger.privateKey });
  await assertRejected(validateIdToken(token, expectations()), /signature does not verify/);
});

test("a token whose payload was altered after signing is rejected", async () => {
  const [header, , signature] = (await sign(claims())).split(".");
  const forged = `${header}.${b64url(claims({ sub: "someone-else" }))}.${signature}`;
  await assertRejected(validateIdToken(forged, expectations()), /signature does not verify/);
});

test("a token whose kid is not in the provider's JWKS is rejected", async () => {
  const token = await sign(claims(), { key: stranger.privateKey, kid: "unknown-kid" });
  await assertRejected(validateIdToken(token, expectations()), /no key in the provider's JWKS matches it/);
});

test("a token with a wrong iss is rejected", async () => {
  const token = await sign(claims({ iss: "https://evil.example.com" }));
  await assertRejected(validateIdToken(token, expectations()), /claim "iss"/);
});

test("a token with a wrong aud is rejected", async () => {
  const token = await sign(claims({ aud: "another-client" }));
  await assertRejected(validateIdToken(token, expectations()), /claim "aud"/);
});

test("a token expired beyond the 60 s tolerance is rejected", async () => {
  const token = await sign(claims({ iat: NOW_S - 3600, exp: NOW_S - 61 }));
  await assertRejected(validateIdToken(token, expectations()), /expired/);
});

test("a token that expired 30 s ago is accepted (within the 60 s tolerance)", async () => {
  const payload = claims({ iat: NOW_S - 3600, exp: NOW_S - 30 });
  const result = await validateIdToken(await sign(payload), expectations());
  assert.equal(result.exp, NOW_S - 30);
});

test("a custom clockTolerance of 0 rejects a token that expired 30 s ago", async () => {
  const token = await sign(claims({ iat: NOW_S - 3600, exp: NOW_S - 30 }));
  await assertRejected(validateIdToken(token, expectations({ clockTolerance: 0 })), /expired/);
});

test("a token whose iat lies in the future beyond the tolerance is rejected", async () => {
  const token = await sign(claims({ iat: NOW_S + 120, exp: NOW_S + 3600 }));
  await assertRejected(validateIdToken(token, expectations()), /iat lies in the future/);
});

test("a token whose iat lies 30 s in the future is accepted (within the tolerance)", async () => {
  const payload = claims({ iat: NOW_S + 30 });
  const result = await validateIdToken(await sign(payload), expectations());
  assert.equal(result.iat, NOW_S + 30);
});

test("a token whose nbf lies in the future beyond the tolerance is rejected", async () => {
  const token = await sign(claims({ nbf: NOW_S + 120 }));
  await assertRejected(validateIdToken(token, expectations()), /claim "nbf"/);
});

test("a token without iat is rejected", async () => {
  const token = await sign(claims({ iat: undefined }));
  await assertRejected(validateIdToken(token, expectations()), /claim "iat"/);
});

test("a token without sub is rejected", async () => {
  const token = await sign(claims({ sub: undefined }));
  await assertRejected(validateIdToken(token, expectations()), /claim "sub"/);
});

test("a token without exp is rejected", async () => {
  const token = await sign(claims({ exp: undefined }));
  await assertRejected(validateIdToken(token, expectations()), /claim "exp"/);
});

test("a token whose nonce does not match is rejected", async () => {
  const token = await sign(claims({ nonce: "some-other-nonce" }));
  await assertRejected(validateIdToken(token, expectations()), /nonce/);
});

test("a token without nonce is rejected", async () => {
  const token = await sign(claims({ nonce: undefined }));
  await assertRejected(validateIdToken(token, expectations()), /nonce/);
});

test("a token with several audiences and no azp is rejected", async () => {
  const token = await sign(claims({ aud: [CLIENT_ID, "another-client"] }));
  await assertRejected(validateIdToken(token, expectations()), /several audiences/);
});

test("a token with several audiences and azp = client_id is accepted", async () => {
  const payload = claims({ aud: [CLIENT_ID, "another-client"], azp: CLIENT_ID });
  const result = await validateIdToken(await sign(payload), expectations());
  assert.deepEqual(result.aud, [CLIENT_ID, "another-client"]);
  assert.equal(result.azp, CLIENT_ID);
});

test("a token with one audience and azp = client_id is accepted", async () => {
  const payload = claims({ azp: CLIENT_ID });
  const result = await validateIdToken(await sign(payload), expectations());
  assert.equal(result.azp, CLIENT_ID);
});

test("a token whose azp names another client is rejected", async () => {
  const token = await sign(claims({ azp: "another-client" }));
  await assertRejected(validateIdToken(token, expectations()), /azp is not this client/);
});

test("an HS256 token is rejected: the algorithm is not allowed, even with the right secret", async () => {
  const secret = new TextEncoder().encode("a-shared-secret-of-at-least-32-bytes!!");
  const token = await new SignJWT(claims()).setProtectedHeader({ alg: "HS256" }).sign(secret);
  const keys: JWTVerifyGetKey = async () => secret;
  await assertRejected(validateIdToken(token, expectations({ keys })), /algorithm that is not allowed/);
});

test('an unsecured token (alg "none") is rejected', async () => {
  const token = `${b64url({ alg: "none", typ: "JWT" })}.${b64url(claims())}.`;
  await assertRejected(validateIdToken(token, expectations()), /algorithm that is not allowed/);
});

test("a token that is not a JWS at all is rejected", async () => {
  await assertRejected(validateIdToken("not-a-jwt", expectations()), /failed validation/);
});

test("on a refresh (no nonce expected), an ID token without a nonce passes", async () => {
  const token = await sign(claims({ nonce: undefined }));
  const payload = await validateIdToken(token, expectations({ nonce: undefined, subject: "user-1234" }));
  assert.equal(payload.sub, "user-1234");
});

test("on a refresh, an ID token for another subject is rejected", async () => {
  const token = await sign(claims({ nonce: undefined, sub: "someone-else" }));
  await assertRejected(validateIdToken(token, expectations({ nonce: undefined, subject: "user-1234" })), /sub/);
});

test("with max_age requested, auth_time must be present and recent enough (Core §3.1.3.7 item 13)", async () => {
  const maxAge = expectations({ maxAge: 300 });
  assert.ok(await validateIdToken(await sign(claims({ auth_time: NOW_S - 100 })), maxAge));
  await assertRejected(validateIdToken(await sign(claims()), maxAge), /max_age was requested but auth_time is missing/);
  await assertRejected(
    validateIdToken(await sign(claims({ auth_time: NOW_S - 1000 })), maxAge),
    /older than max_age \(300 s\)/,
  );
  // max_age=0: a sign-in just now passes (within the clock tolerance).
  assert.ok(await validateIdToken(await sign(claims({ auth_time: NOW_S - 5 })), expectations({ maxAge: 0 })));
});

test("with acr_values requested, acr must be one of them (Core §3.1.3.7 item 12)", async () => {
  const acr = expectations({ acrValues: ["urn:mfa", "gold"] });
  assert.ok(await validateIdToken(await sign(claims({ acr: "gold" })), acr));
  await assertRejected(validateIdToken(await sign(claims({ acr: "bronze" })), acr), /acr is "bronze"/);
  await assertRejected(validateIdToken(await sign(claims()), acr), /acr is missing/);
});
