/// <reference types="node" />
// Tests for explain (js/errors.ts): anything thrown during sign-in becomes one SignInError.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ErrorResponse } from "oidc-client-ts";
import { explain, SignInError, type ErrorContext } from "../errors";

const ctx: ErrorContext = {
  authority: "https://idp.example.org/realms/test",
  client_id: "notebook-client",
  redirect_uri: "http://localhost:8888/oidc/callback",
};

test("an ErrorResponse access_denied becomes SignInError access_denied with its description and Try again", () => {
  const err = new ErrorResponse({ error: "access_denied", error_description: "End-User aborted interaction" });
  const result = explain(err, ctx);
  assert.ok(result instanceof SignInError);
  assert.equal(result.name, "SignInError");
  assert.equal(result.code, "access_denied");
  assert.match(result.message, /refused the sign-in/);
  assert.match(result.message, /End-User aborted interaction/);
  assert.match(result.message, /If you cancelled, click Try again/);
  assert.match(result.message, /notebook-client/);
});

test("an ErrorResponse access_denied without a description still becomes access_denied", () => {
  const result = explain(new ErrorResponse({ error: "access_denied" }), ctx);
  assert.equal(result.code, "access_denied");
  assert.match(result.message, /refused the sign-in \(access_denied\)/);
  assert.match(result.message, /click Try again/);
  assert.doesNotMatch(result.message, /null|undefined/);
});

test("another provider error (invalid_scope) keeps its code and description", () => {
  const err = new ErrorResponse({ error: "invalid_scope", error_description: "Scope 'admin' is not allowed" });
  const result = explain(err, ctx);
  assert.ok(result instanceof SignInError);
  assert.equal(result.code, "invalid_scope");
  assert.match(result.message, /answered with an error \(invalid_scope/);
  assert.match(result.message, /Scope 'admin' is not allowed/);
  assert.match(result.message, /click Try again/);
});

test("a SignInError passes through unchanged", () => {
  const original = new SignInError("popup_blocked", "The browser blocked the sign-in window.");
  assert.equal(explain(original, ctx), original);
  assert.equal(original.code, "popup_blocked");
  assert.equal(original.message, "The browser blocked the sign-in window.");
});

test("a plain Error becomes invalid_response and keeps its message", () => {
  const result = explain(new Error("Unexpected end of JSON input"), ctx);
  assert.ok(result instanceof SignInError);
  assert.equal(result.code, "invalid_response");
  assert.match(result.message, /Unexpected end of JSON input/);
  assert.match(result.message, /Try again/);
});

test("a thrown non-Error value becomes invalid_response", () => {
  const result = explain("boom", ctx);
  assert.equal(result.code, "invalid_response");
  assert.match(result.message, /boom/);
});

test("an Error that carries an error field but is not named ErrorResponse is not taken for a provider error", () => {
  const err = Object.assign(new Error("socket hang up"), { error: "access_denied" });
  const result = explain(err, ctx);
  assert.equal(result.code, "invalid_response");
  assert.match(result.message, /socket hang up/);
});

test("a provider error code outside RFC 6749's character set, or too long, becomes invalid_response", () => {
  for (const bad of ["bad code", "x".repeat(65), "quote\"d", "back\\slash", "ünïcode"]) {
    const result = explain(new ErrorResponse({ error: bad }), ctx);
    assert.equal(result.code, "invalid_response", bad);
    if (bad) assert.ok(!result.message.includes(bad), bad);
  }
  assert.equal(explain(new ErrorResponse({ error: "temporarily_unavailable" }), ctx).code, "temporarily_unavailable");
});

test("a provider's error_description loses characters outside RFC 6749's set and is bounded", () => {
  const hostile = "line1\nline2\u0007 \"quoted\" <b>ok</b> " + "y".repeat(1000);
  const result = explain(new ErrorResponse({ error: "server_error", error_description: hostile }), ctx);
  assert.ok(!/[\n\u0007]/.test(result.message) && !result.message.includes('"quoted"'));
  assert.match(result.message, /line1line2 quoted <b>ok<\/b> y+…/);
  assert.ok(result.message.length < 600, String(result.message.length));
});
