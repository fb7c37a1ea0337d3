/// <reference types="node" />
// What one widget signs in with (js/signin/settings.ts): the kernel's config, or an administrator's provider
// named by it once the server has answered; how the provider reads in the widget before and after;
// and the redirect URI it sends, first of the config's, the server's, the kernel's pin, JupyterHub's
// path, ours.
import { test } from "node:test";
import assert from "node:assert/strict";
import { WidgetSettings } from "../signin/settings";
import { fakeModel } from "./fake-widget";
import { CONFIG, FakeServer, installPage, ISSUER, ORIGIN, REDIRECT_URI } from "./fakes";

const CORP = { authority: "https://corp-idp.example/realms/x", client_id: "notebooks" };

function settings(over: Parameters<typeof fakeModel>[0] = {}, registry: FakeServer["registry"] = null) {
  installPage();
  const server = new FakeServer().install();
  server.registry = registry;
  return new WidgetSettings(fakeModel(over).model);
}

test("a full config: the authority's host before and after the server answers, our redirect URI", async () => {
  const s = settings();
  assert.equal(s.provider, "idp.example");
  assert.equal(s.where, ISSUER);
  assert.equal(s.redirectUri, REDIRECT_URI);
  assert.equal(s.settled, false);
  await s.settle();
  assert.equal(s.settled, true);
  assert.deepEqual(s.config, CONFIG);
  assert.equal(s.provider, "idp.example");
});

test("a provider by name: its name at once; its entry, and name with authority, once settled", async () => {
  const named = { provider: "corp", scope: "openid api" } as never;
  const s = settings({ config: named }, { providers: { corp: CORP }, redirect_uri: null });
  assert.equal(s.provider, "corp");
  await s.settle();
  assert.deepEqual(s.config, { ...CORP, scope: "openid api" });
  assert.equal(s.where, `corp (${CORP.authority})`);
  assert.equal(s.provider, "corp");
  s.unsettle();
  assert.equal(s.settled, false);
  assert.equal(s.provider, "corp", "the kernel's word again");
});

test("no name and not settled: nothing to show yet", () => {
  assert.equal(settings({ config: { provider: null } as never }).provider, null);
});

test("the redirect URI: the config's, the server's, the kernel's pin, JupyterHub's path, ours", async () => {
  const PIN = "https://pin.example/cb";
  const HUB = "/hub/user-redirect/oidc/redirect.html";
  const own = settings({ config: { ...CONFIG, redirect_uri: "https://own.example/cb" }, pinned_redirect_uri: PIN });
  assert.equal(own.redirectUri, "https://own.example/cb");

  const server = settings({ pinned_redirect_uri: PIN }, { providers: {}, redirect_uri: "https://server.example/cb" });
  assert.equal(server.redirectUri, PIN, "before the server answered");
  await server.settle();
  assert.equal(server.redirectUri, "https://server.example/cb");

  assert.equal(settings({ pinned_redirect_uri: PIN, redirect_path: HUB }).redirectUri, PIN);
  assert.equal(settings({ redirect_path: HUB }).redirectUri, `${ORIGIN}${HUB}`);
  assert.equal(settings().redirectUri, REDIRECT_URI);
});
