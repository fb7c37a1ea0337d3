// A local OpenID Provider for the tests and the demo, on 127.0.0.1 only.
//   node provider.mjs config.json
// config.json: {"port": 9000, "clients": [{"client_id": "...", "redirect_uris": ["..."]}],
//   (public clients, PKCE required; a confidential "resource-server" client may introspect tokens)
//               "access_token_ttl": 3600, "spy_file": "/tmp/issued.jsonl"}
// Optional, for the flows without a notebook frontend (tests/native, docs/native.md):
//   a client's "application_type": "native" lets it use http://127.0.0.1/ with any port (RFC 8252 §7.3);
//   "device_flow": true enables the device authorization grant (RFC 8628), "device_code_ttl" (s) is
//   how long its codes live, "device_interval" (s) the polling interval it announces (default: none,
//   so clients use 5 s, RFC 8628 §3.2).
// "token_exchange": true (tests only) adds OAuth 2.0 Token Exchange (RFC 8693) through oidc-provider's
//   registerGrantType: a live opaque access token of the same client is exchanged for a JWT access token
//   whose audience is the "audience" or "resource" asked for, which must be one of resource_indicators.
//   Clients get the grant with "grant_types" (it is then listed in discovery's grant_types_supported).
// spy_file (tests only): every code and token this provider issues is appended there, with the grant
// type of each token request, so the tests can prove that none of them leaks where it must not be
// and count renewals.
// client_auth_file (tests only): how each client authenticated at /token and /token/revocation.
// "no_cors": true answers no CORS headers at all (the token keeper makes every request to the provider
// from the server; the browser only opens windows here, so nothing in the page may need CORS).
import fs from "node:fs";
import Provider, { errors } from "oidc-provider";

const config = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const issuer = `http://127.0.0.1:${config.port}`;

const provider = new Provider(issuer, {
  clients: [
    ...config.clients.map((c) => ({
      client_id: c.client_id,
      // A public client by default (PKCE is then required); a confidential one names its method and
      // gives a client_secret (client_secret_basic, client_secret_post) or jwks (private_key_jwt).
      token_endpoint_auth_method: c.token_endpoint_auth_method ?? "none",
      ...(c.client_secret ? { client_secret: c.client_secret } : {}),
      ...(c.jwks ? { jwks: c.jwks } : {}),
      grant_types: c.grant_types ?? ["authorization_code", "refresh_token"],
      response_types: ["code"],
      redirect_uris: c.redirect_uris,
      post_logout_redirect_uris: c.post_logout_redirect_uris ?? c.redirect_uris,
      ...(c.application_type ? { application_type: c.application_type } : {}),
    })),
    // A resource server, as an API would be: it may introspect tokens (RFC 7662).
    {
      client_id: "resource-server",
      client_secret: "resource-server-secret",
      grant_types: [],
      response_types: [],
      redirect_uris: [],
    },
  ],
  // Put the profile claims into the ID token too, as Keycloak, Entra ID and Okta do.
  conformIdTokenClaims: false,
  claims: {
    openid: ["sub"],
    profile: ["name", "preferred_username"],
    email: ["email"],
  },
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        const name = id.charAt(0).toUpperCase() + id.slice(1);
        return { sub: id, name: `${name} Example`, preferred_username: id, email: `${id}@example.test` };
      },
    };
  },
  // Issue a refresh token to every client allowed the grant, so the tests can show it never leaks.
  async issueRefreshToken(_ctx, client) {
    return client.grantTypeAllowed("refresh_token");
  },
  ttl: {
    AccessToken: config.access_token_ttl ?? 3600,
    IdToken: 3600,
    AuthorizationCode: 60,
    RefreshToken: 86400,
    DeviceCode: config.device_code_ttl ?? 600,
    Interaction: 600,
    Session: 86400,
    Grant: 86400,
  },
  features: {
    devInteractions: { enabled: true },
    revocation: { enabled: true },
    introspection: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    deviceFlow: { enabled: config.device_flow === true },
    // "resource_indicators": [URI, …] (tests only): APIs whose tokens are JWTs with that audience and
    // the scope "api" (RFC 8707); without a resource, the token is for userinfo as before.
    resourceIndicators: {
      enabled: Array.isArray(config.resource_indicators),
      defaultResource: async () => undefined,
      useGrantedResource: async () => false,
      getResourceServerInfo: async (_ctx, resource) => {
        if (!(config.resource_indicators ?? []).includes(resource)) throw new errors.InvalidTarget();
        return { scope: "api", audience: resource, accessTokenFormat: "jwt", accessTokenTTL: config.access_token_ttl ?? 3600 };
      },
    },
  },
  ...(Array.isArray(config.resource_indicators) ? { scopes: ["openid", "offline_access", "api"] } : {}),
  cookies: { keys: ["local-test-provider-only"] },
});

if (config.token_exchange) {
  const GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
  const ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token";
  const exchange = async (ctx) => {
    const { subject_token, subject_token_type, requested_token_type, audience, resource } = ctx.oidc.params;
    if (subject_token_type !== ACCESS_TOKEN) throw new errors.InvalidRequest("subject_token_type must be an access token");
    if (requested_token_type && requested_token_type !== ACCESS_TOKEN) throw new errors.InvalidRequest("only access tokens are issued");
    const subject = await provider.AccessToken.find(subject_token);
    if (!subject || subject.isExpired || subject.clientId !== ctx.oidc.client.clientId) {
      throw new errors.InvalidGrant("subject_token is not a live access token of this client");
    }
    const target = audience ?? resource;
    if (!(config.resource_indicators ?? []).includes(target)) throw new errors.InvalidTarget();
    const token = new provider.AccessToken({
      accountId: subject.accountId,
      client: ctx.oidc.client,
      grantId: subject.grantId,
      gty: "token_exchange",
      scope: "api",
    });
    token.resourceServer = new provider.ResourceServer(target, {
      scope: "api",
      audience: target,
      accessTokenFormat: "jwt",
      accessTokenTTL: config.access_token_ttl ?? 3600,
    });
    const value = await token.save();
    ctx.body = {
      access_token: value,
      issued_token_type: ACCESS_TOKEN,
      token_type: "Bearer",
      expires_in: token.expiration,
      scope: token.scope,
    };
  };
  const params = ["subject_token", "subject_token_type", "requested_token_type", "audience", "resource", "scope"];
  provider.registerGrantType(GRANT, exchange, params, ["audience", "resource"]);
}

if (config.device_interval) {
  // oidc-provider announces no interval; a test may ask for a shorter one than the 5 s default.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === "/device/auth" && ctx.status === 200 && ctx.body && typeof ctx.body === "object") {
      ctx.body = { ...ctx.body, interval: config.device_interval };
    }
  });
}

if (config.no_cors) {
  provider.use(async (ctx, next) => {
    await next();
    for (const name of Object.keys(ctx.response.headers)) {
      if (name.toLowerCase().startsWith("access-control-")) ctx.remove(name);
    }
  });
}

if (config.spy_file) {
  const record = (entry) => fs.appendFileSync(config.spy_file, JSON.stringify(entry) + "\n");
  provider.use(async (ctx, next) => {
    await next();
    const location = ctx.response.get("location");
    if (location) {
      const url = new URL(location, issuer);
      const code = url.searchParams.get("code") ?? new URLSearchParams(url.hash.slice(1)).get("code");
      if (code) record({ code });
    }
    if (ctx.path === "/token" && ctx.body && typeof ctx.body === "object") {
      const { access_token, refresh_token, id_token } = ctx.body;
      const grant_type = ctx.oidc?.params?.grant_type ?? null;
      record({ access_token, refresh_token, id_token, grant_type });
    }
  });
}

if (config.client_auth_file) {
  // How each client authenticated at the token and revocation endpoints, as the request shows it.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== "/token" && ctx.path !== "/token/revocation") return;
    const body = ctx.oidc?.body ?? {};
    const auth = ctx.headers.authorization?.startsWith("Basic ")
      ? "client_secret_basic"
      : body.client_assertion
        ? "private_key_jwt"
        : body.client_secret
          ? "client_secret_post"
          : "none";
    const entry = {
      endpoint: ctx.path,
      client_id: ctx.oidc?.client?.clientId ?? null,
      auth,
      status: ctx.status,
      grant_type: body.grant_type ?? null,
      error: ctx.body && typeof ctx.body === "object" ? (ctx.body.error ?? null) : null,
    };
    fs.appendFileSync(config.client_auth_file, JSON.stringify(entry) + "\n");
  });
}

const server = provider.listen(config.port, "127.0.0.1", () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
