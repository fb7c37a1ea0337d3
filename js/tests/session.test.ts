/// <reference types="node" />
// Which settings make another session, and when a live session may serve a new authenticate():
// a request for a fresh or stronger sign-in (max_age, prompt=login, acr_values) is never served by
// an older token.
import { test } from "node:test";
import assert from "node:assert/strict";
import { reusable, sessionKey, type Session } from "../session";

const CONFIG = { authority: "https://idp.example", client_id: "nb", scope: "openid" };
const URI = "https://lab.example/oidc/redirect.html";
const now = Math.floor(Date.now() / 1000);

function live(authTime?: number): Session {
  const claims = authTime === undefined ? {} : { auth_time: authTime };
  return { live: true, current: { claims } } as unknown as Session;
}

test("max_age, prompt and acr_values are part of the session key", () => {
  const base = sessionKey(CONFIG, URI);
  for (const extra of [{ max_age: 0 }, { prompt: "login" }, { acr_values: "urn:mfa" }]) {
    assert.notEqual(sessionKey({ ...CONFIG, ...extra }, URI), base, JSON.stringify(extra));
  }
  assert.equal(sessionKey({ ...CONFIG, ui_locales: "de" }, URI), base);
});

test("prompt=login never reuses a live session", () => {
  assert.equal(reusable(live(now), { ...CONFIG, prompt: "login" }), false);
  assert.equal(reusable(live(now), { ...CONFIG, prompt: "consent" }), true);
});

test("max_age reuses a session only while its sign-in is recent enough", () => {
  assert.equal(reusable(live(now - 10), { ...CONFIG, max_age: 60 }), true);
  assert.equal(reusable(live(now - 100), { ...CONFIG, max_age: 60 }), false);
  assert.equal(reusable(live(), { ...CONFIG, max_age: 60 }), false);
  assert.equal(reusable(live(now - 100), CONFIG), true);
});

test("a session that is not live is never reused", () => {
  const dead = { live: false, current: null } as unknown as Session;
  assert.equal(reusable(dead, CONFIG), false);
});
