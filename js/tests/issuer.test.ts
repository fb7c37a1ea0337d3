/// <reference types="node" />
// Who answered: the discovery document's issuer and endpoints (Discovery §4.3, RFC 9700 §2.6), and
// the authorization response's iss (RFC 9207), including the mix-up case.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { OidcMetadata } from "oidc-client-ts";
import { SignInError } from "../errors";
import { checkDiscovered, checkResponseIssuer } from "../issuer";

const ISSUER = "https://idp.example/realms/corp";
const CONFIG = { authority: ISSUER, client_id: "nb" };
const GOOD: Partial<OidcMetadata> = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/auth`,
  token_endpoint: `${ISSUER}/token`,
  jwks_uri: `${ISSUER}/certs`,
  code_challenge_methods_supported: ["S256"],
};
const CALLBACK = "https://lab.example/oidc/redirect.html";

function refusal(fn: () => unknown): SignInError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof SignInError);
    return err;
  }
  assert.fail("not refused");
}

test("a document whose issuer is exactly the authority passes", () => {
  assert.equal(checkDiscovered(GOOD, CONFIG, "u").issuer, ISSUER);
});

test("the issuer must match the authority exactly: a trailing slash is another issuer", () => {
  const err = refusal(() => checkDiscovered({ ...GOOD, issuer: `${ISSUER}/` }, CONFIG, "u"));
  assert.equal(err.code, "discovery_invalid");
  assert.match(err.message, /Set "authority" to exactly "https:\/\/idp\.example\/realms\/corp\/"/);
  refusal(() => checkDiscovered(GOOD, { ...CONFIG, authority: `${ISSUER}/` }, "u"));
});

test("the issuer is checked with metadataUrl too", () => {
  const config = { ...CONFIG, metadataUrl: "https://elsewhere.example/.well-known/openid-configuration" };
  refusal(() => checkDiscovered({ ...GOOD, issuer: "https://evil.example" }, config, "u"));
});

test("discovered endpoints must be https, except on loopback", () => {
  for (const field of ["token_endpoint", "jwks_uri", "authorization_endpoint", "revocation_endpoint"]) {
    const err = refusal(() => checkDiscovered({ ...GOOD, [field]: "http://other.example/x" }, CONFIG, "u"));
    assert.match(err.message, new RegExp(`"${field}" as http://other\\.example, which is not https`));
  }
  const local = "http://127.0.0.1:9000";
  const loopback = { issuer: local, authorization_endpoint: `${local}/auth`, token_endpoint: `${local}/token`, jwks_uri: `${local}/jwks` };
  assert.ok(checkDiscovered(loopback, { authority: local, client_id: "nb" }, "u"));
  refusal(() => checkDiscovered({ ...GOOD, token_endpoint: "not a url" }, CONFIG, "u"));
});

test("a provider without PKCE S256 is refused", () => {
  refusal(() => checkDiscovered({ ...GOOD, code_challenge_methods_supported: ["plain"] }, CONFIG, "u"));
});

test("RFC 9207: a response naming this issuer passes; one naming another is a mix-up", () => {
  const metadata = GOOD as OidcMetadata;
  checkResponseIssuer(`${CALLBACK}#code=c&state=s&iss=${encodeURIComponent(ISSUER)}`, metadata);
  const err = refusal(() =>
    checkResponseIssuer(`${CALLBACK}#code=c&state=s&iss=${encodeURIComponent("https://evil.example")}`, metadata),
  );
  assert.equal(err.code, "issuer_mismatch");
  assert.match(err.message, /another provider \(https:\/\/evil\.example\).*Nothing was sent/);
  // Error responses are checked the same way, and the query counts as well as the fragment.
  refusal(() => checkResponseIssuer(`${CALLBACK}?error=access_denied&state=s&iss=https%3A%2F%2Fevil.example`, metadata));
});

test("RFC 9207: iss may be absent unless the provider promises it", () => {
  checkResponseIssuer(`${CALLBACK}#code=c&state=s`, GOOD as OidcMetadata);
  const promising = { ...GOOD, authorization_response_iss_parameter_supported: true } as OidcMetadata;
  const err = refusal(() => checkResponseIssuer(`${CALLBACK}#code=c&state=s`, promising));
  assert.match(err.message, /does not say which provider sent it/);
});
