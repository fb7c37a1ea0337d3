// oidc-client-ts, set up so that nothing reaches web storage (popup mode) or nothing readable does
// (redirect mode), and the authorization response put where that setup has it read.
import { InMemoryWebStorage, OidcClient, WebStorageStateStore, type StateStore } from "oidc-client-ts";
import { responseParams, type OidcConfig } from "./messages";

// Settings that belong to the widget, not to oidc-client-ts's OidcClient.
const WIDGET_ONLY = new Set(["popup_redirect_uri", "popupWindowFeatures"]);

export function createClient(
  config: OidcConfig,
  redirectUri: string,
  // docs/architecture.md: in popup mode the PKCE verifier, state and nonce live in this client's memory only;
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
