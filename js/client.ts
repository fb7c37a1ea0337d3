// oidc-client-ts, set up so that nothing reaches web storage, and the provider's metadata, checked.
import {
  InMemoryWebStorage,
  OidcClient,
  WebStorageStateStore,
  type OidcMetadata,
  type StateStore,
} from "oidc-client-ts";
import { SignInError } from "./errors";
import { checkDiscovered } from "./issuer";
import { responseParams, type OidcConfig } from "./messages";

// Settings that belong to the widget, not to oidc-client-ts's OidcClient.
const WIDGET_ONLY = new Set(["popup_redirect_uri", "popupWindowFeatures"]);

export function createClient(
  config: OidcConfig,
  redirectUri: string,
  // docs/architecture.md: in popup mode the PKCE verifier, state and nonce live in this module's memory only;
  // oidc-client-ts would otherwise put them in localStorage, where any kernel-emitted script reads
  // them. Redirect mode passes a sessionStorage store (js/redirect.ts).
  stateStore: StateStore = new WebStorageStateStore({ store: new InMemoryWebStorage() }),
): OidcClient {
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (!WIDGET_ONLY.has(key)) settings[key] = value;
  }
  return new OidcClient({
    ...(settings as unknown as OidcConfig),
    redirect_uri: redirectUri,
    // RFC 9700 §2.1.1: authorization code with PKCE only (oidc-client-ts sends S256).
    response_type: "code",
    // The code and state come back in the URL's fragment, which browsers never send to a server:
    // no Jupyter, JupyterHub or proxy log can hold them (OAuth 2.0 Multiple Response Type
    // Encoding Practices §2.1). `responseUrl` copes with providers that answer in the query anyway.
    response_mode: (config.response_mode as "query" | "fragment" | undefined) ?? "fragment",
    disablePKCE: false,
    stateStore,
    staleStateAgeInSeconds: (config.staleStateAgeInSeconds as number | undefined) ?? 600,
    requestTimeoutInSeconds: (config.requestTimeoutInSeconds as number | undefined) ?? 10,
  });
}

function discoveryUrl(config: OidcConfig): string {
  if (typeof config.metadataUrl === "string") return config.metadataUrl;
  return config.authority.replace(/\/$/, "") + "/.well-known/openid-configuration";
}

/** Fetch and check the discovery document (OpenID Connect Discovery 1.0 §4). */
export async function loadMetadata(client: OidcClient, config: OidcConfig): Promise<OidcMetadata> {
  const url = discoveryUrl(config);
  let metadata: Partial<OidcMetadata>;
  try {
    metadata = await client.metadataService.getMetadata();
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    const unreachable = err instanceof TypeError || (err instanceof Error && err.name === "ErrorTimeout");
    if (unreachable) {
      throw new SignInError(
        "provider_unreachable",
        `Could not reach the identity provider: ${url} did not load (${text}). ` +
          `Check that "authority" is right and the provider is up, and that it allows CORS ` +
          `from ${location.origin}. Then click Try again.`,
      );
    }
    throw new SignInError(
      "discovery_invalid",
      `The identity provider's discovery document ${url} is not usable (${text}). ` +
        `Check that "authority" points at an OpenID Connect provider, then click Try again.`,
    );
  }
  return checkDiscovered(metadata, config, url);
}

/**
 * Revoke a refresh token (RFC 7009 §2.1). Done here rather than by oidc-client-ts, which insists
 * on a JSON response: §2.2 says a 200 means success whatever the body, and providers answer empty.
 */
export async function revokeToken(
  metadata: OidcMetadata,
  clientId: string,
  token: string,
  hint: "refresh_token" | "access_token",
): Promise<void> {
  const body = new URLSearchParams({ token, token_type_hint: hint, client_id: clientId });
  const response = await fetch(metadata.revocation_endpoint as string, {
    method: "POST",
    body,
    credentials: "omit",
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) {
    // §2.2.1: an error response carries an OAuth error code.
    let code = `HTTP ${response.status}`;
    try {
      code = ((await response.json()) as { error?: string }).error ?? code;
    } catch {
      // not JSON: keep the status
    }
    throw new Error(`the provider refused to revoke the refresh token (${code})`);
  }
}

/** The callback URL with the response where oidc-client-ts will read it (its response_mode). */
export function responseUrl(url: string, config: OidcConfig): string {
  const params = responseParams(url);
  const parsed = new URL(url);
  parsed.search = "";
  parsed.hash = "";
  if ((config.response_mode ?? "fragment") === "query") parsed.search = params.toString();
  else parsed.hash = params.toString();
  return parsed.toString();
}
