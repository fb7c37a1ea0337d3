/// <reference types="node" />
// An administrator's providers (OidcExtension.providers): asked of the server once per page with
// the XSRF header, resolved by name with what the notebook adds, and the redirect URI's ranking.
import { beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { SignInError } from "../shared/errors";
import { chooseRedirectUri, resolveRequest, type Registry } from "../signin/registry";
import { FakeServer, installPage } from "./fakes";

const g = globalThis as Record<string, unknown>;
const CORP = { authority: "https://idp.example/realms/corp", client_id: "notebooks", scope: "openid profile" };
const LAB = { authority: "https://lab-idp.example", client_id: "lab", extraQueryParams: { kc_idp_hint: "x" } };
let server: FakeServer;

/** The server answers GET oidc/providers with `status` and `body` (null: 404, no registry). */
function serve(status: number, body: Registry | null): void {
  server = new FakeServer("/user/alice/").install();
  server.registry = body;
  if (status !== 200 && status !== 404) server.refuse("providers", status);
}

async function refused(request: Parameters<typeof resolveRequest>[0]): Promise<SignInError> {
  try {
    await resolveRequest(request);
  } catch (err) {
    assert.ok(err instanceof SignInError);
    return err;
  }
  assert.fail("resolveRequest did not refuse");
}

/** A new notebook page under /user/alice/ (JupyterHub's classic layout): it has not asked yet. */
function newPage(): void {
  installPage();
  g.document = {
    getElementById: () => null,
    body: { dataset: { baseUrl: "/user/alice/" } },
    cookie: "other=1; _xsrf=xsrf-value",
  };
}

beforeEach(newPage);

test("the registry is asked for once per page, under the base URL, with the XSRF header", async () => {
  serve(200, { providers: { corp: CORP }, redirect_uri: null });
  await resolveRequest({ provider: "corp" });
  await resolveRequest({ provider: "corp" });
  assert.deepEqual(server.requests.map((r) => [r.method, r.path]), [["GET", "providers"]]);
  assert.equal(server.requests[0].headers["X-XSRFToken"], "xsrf-value");
});

test("a name gives the administrator's entry; the notebook's additions apply on top", async () => {
  serve(200, { providers: { corp: CORP, lab: LAB }, redirect_uri: null });
  const plain = await resolveRequest({ provider: "corp" });
  assert.deepEqual(plain.config, CORP);
  assert.equal(plain.provider, "corp");
  const added = await resolveRequest({ provider: "lab", scope: "openid api", extraQueryParams: { login_hint: "a" } });
  assert.equal(added.config.scope, "openid api");
  assert.equal(added.config.authority, LAB.authority);
  assert.deepEqual(added.config.extraQueryParams, { kc_idp_hint: "x", login_hint: "a" });
});

test("no name picks the only provider, and says what to do when there are several or none", async () => {
  serve(200, { providers: { corp: CORP }, redirect_uri: null });
  assert.equal((await resolveRequest({ provider: null })).provider, "corp");
  newPage();
  serve(200, { providers: { corp: CORP, lab: LAB }, redirect_uri: null });
  const several = await refused({ provider: null });
  assert.equal(several.code, "unknown_provider");
  assert.match(several.message, /2 providers: "corp", "lab"\. Name one, e\.g\. authenticate\("corp", token\)/);
  newPage();
  serve(200, { providers: {}, redirect_uri: null });
  assert.match((await refused({ provider: null })).message, /no providers configured.*OidcExtension\.providers/);
});

test("an unknown name lists the configured ones", async () => {
  serve(200, { providers: { corp: CORP, lab: LAB }, redirect_uri: null });
  const err = await refused({ provider: "crop" });
  assert.equal(err.code, "unknown_provider");
  assert.match(err.message, /No provider named "crop".*Configured: "corp", "lab"\./);
  assert.equal((await refused({ provider: "constructor" })).code, "unknown_provider");
});

test("a full config passes through; without the server extension it still works", async () => {
  serve(404, null);
  const resolved = await resolveRequest(CORP);
  assert.deepEqual(resolved, { config: CORP, provider: null, redirectUri: null });
  const err = await refused({ provider: "corp" });
  assert.match(err.message, /no ipython-oidc-client server extension.*pass a full config/);
});

test("a server that refuses (login ended) is an error that says to log in again, and is asked again", async () => {
  serve(403, null);
  const err = await refused(CORP);
  assert.equal(err.code, "registry_unavailable");
  assert.match(err.message, /HTTP 403.*log in/);
  serve(200, { providers: {}, redirect_uri: null });
  await resolveRequest(CORP);
  assert.equal(server.to("providers").length, 1, "a failure is not kept: asked again");
});

test("the redirect URI: config, then the server's, then the kernel's pin, then the hub's, then ours", () => {
  const ours = "https://lab.example/oidc/redirect.html";
  const own = {
    config: { ...CORP, redirect_uri: "https://own.example/cb" },
    provider: null,
    redirectUri: "https://server.example/cb",
  };
  assert.equal(chooseRedirectUri(own, "https://pin.example/cb", "/hub/x", ours), "https://own.example/cb");
  const server = { config: CORP, provider: null, redirectUri: "https://server.example/cb" };
  assert.equal(chooseRedirectUri(server, "https://pin.example/cb", "/hub/x", ours), "https://server.example/cb");
  const none = { config: CORP, provider: null, redirectUri: null };
  assert.equal(chooseRedirectUri(none, "https://pin.example/cb", "/hub/x", ours), "https://pin.example/cb");
  assert.equal(chooseRedirectUri(none, "", "/hub/x", ours), "https://lab.example/hub/x");
  assert.equal(chooseRedirectUri(none, "", "", ours), ours);
});
