/// <reference types="node" />
// The authorization response is read where oidc-client-ts expects it (its response_mode), even
// when a provider ignores response_mode=fragment and answers in the query.
import { test } from "node:test";
import assert from "node:assert/strict";
import { responseUrl } from "../client";
import { responseParams } from "../messages";

const BASE = "https://lab.example/user/alice/oidc/redirect.html";
const CONFIG = { authority: "https://idp.example", client_id: "nb" };

test("a fragment answer stays in the fragment", () => {
  const url = responseUrl(`${BASE}#code=c1&state=s1`, CONFIG);
  assert.equal(url, `${BASE}#code=c1&state=s1`);
});

test("a query answer from a provider that ignored response_mode=fragment moves to the fragment", () => {
  const url = new URL(responseUrl(`${BASE}?code=c1&state=s1&iss=https%3A%2F%2Fidp.example`, CONFIG));
  assert.equal(url.search, "");
  const params = new URLSearchParams(url.hash.slice(1));
  assert.equal(params.get("code"), "c1");
  assert.equal(params.get("state"), "s1");
  assert.equal(params.get("iss"), "https://idp.example");
});

test("with response_mode=query, the answer is read from the query", () => {
  const url = new URL(responseUrl(`${BASE}#error=access_denied&state=s2`, { ...CONFIG, response_mode: "query" }));
  assert.equal(url.hash, "");
  assert.equal(url.searchParams.get("error"), "access_denied");
  assert.equal(url.searchParams.get("state"), "s2");
});

test("the state is found in the fragment or in the query", () => {
  assert.equal(responseParams(`${BASE}#code=c&state=from-fragment`).get("state"), "from-fragment");
  assert.equal(responseParams(`${BASE}?code=c&state=from-query`).get("state"), "from-query");
});
