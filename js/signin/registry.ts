// The providers an administrator configured on the server (OidcExtension.providers) and its pinned
// redirect URI, asked of the server extension once per page. The kernel never sees them: it sends
// only a provider's name and what the notebook adds (ipython_oidc_client/_providers.py).
import { SignInError } from "../shared/errors";
import type { OidcConfig } from "../shared/messages";
import { baseUrl, xsrfToken } from "../shared/page";
import * as say from "../shared/wording";

export interface Registry {
  providers: Record<string, OidcConfig>;
  redirect_uri: string | null;
}

/** What the kernel asked for: a full config, or a provider by name (null: the only one). */
export type SignInRequest = OidcConfig | { provider: string | null; [key: string]: unknown };

export interface Resolved {
  config: OidcConfig;
  /** The administrator's name for the provider, when the notebook used one. */
  provider: string | null;
  /** The server's pinned redirect URI (OidcExtension.redirect_uri), if any. */
  redirectUri: string | null;
}

let loading: Promise<Registry | null> | null = null;

async function fetchRegistry(): Promise<Registry | null> {
  const response = await fetch(`${baseUrl()}oidc/providers`, {
    credentials: "same-origin",
    headers: { "X-XSRFToken": xsrfToken() },
    signal: AbortSignal.timeout(10_000),
  });
  // No server extension on this origin (another frontend, or a server without it).
  if (response.status === 404) return null;
  if (!response.ok) {
    throw new SignInError("registry_unavailable", say.registryRefused(`${baseUrl()}oidc/providers`, response.status));
  }
  return (await response.json()) as Registry;
}

/** The registry, or null where no server extension answers. Asked once per page; a failure is not kept. */
export function loadRegistry(): Promise<Registry | null> {
  if (!loading) {
    loading = fetchRegistry().catch((err: unknown) => {
      loading = null;
      throw err instanceof SignInError
        ? err
        : new SignInError("registry_unavailable", say.registryUnreachable(String(err)));
    });
  }
  return loading;
}

/** Forget the registry (the tests use it; a page asks once). */
export function forgetRegistry(): void {
  loading = null;
}

function isNamed(request: SignInRequest): request is { provider: string | null; [key: string]: unknown } {
  return "provider" in request;
}

function pick(registry: Registry | null, asked: string | null): [string, OidcConfig] {
  const providers = registry?.providers ?? {};
  const names = Object.keys(providers).sort();
  if (!registry) throw new SignInError("unknown_provider", say.NO_REGISTRY);
  if (asked === null) {
    if (names.length === 1) return [names[0], providers[names[0]]];
    throw new SignInError("unknown_provider", names.length === 0 ? say.NO_PROVIDERS : say.whichProvider(names));
  }
  if (!Object.prototype.hasOwnProperty.call(providers, asked)) {
    throw new SignInError("unknown_provider", say.unknownProvider(asked, names));
  }
  return [asked, providers[asked]];
}

/** The settings a sign-in uses: the kernel's config, or an administrator's entry plus what the notebook adds. */
export async function resolveRequest(request: SignInRequest): Promise<Resolved> {
  const registry = await loadRegistry();
  const redirectUri = registry?.redirect_uri ?? null;
  if (!isNamed(request)) return { config: request, provider: null, redirectUri };
  const { provider: asked, ...added } = request;
  const [name, entry] = pick(registry, asked);
  const config: OidcConfig = { ...entry, ...added };
  // A notebook's extra parameters (login_hint, …) join the administrator's rather than replace them.
  const params = {
    ...(entry.extraQueryParams as object | undefined),
    ...(added.extraQueryParams as object | undefined),
  };
  if (Object.keys(params).length) config.extraQueryParams = params;
  return { config, provider: name, redirectUri };
}

/**
 * The redirect URI, first of: the config's own (a notebook's, or the provider entry's); the server's
 * OidcExtension.redirect_uri; the kernel's IPYTHON_OIDC_CLIENT_REDIRECT_URI; JupyterHub's one
 * user-redirect URI (a path on this origin); {base_url}oidc/redirect.html on this origin.
 */
export function chooseRedirectUri(resolved: Resolved, pinned: string, hubPath: string, ours: string): string {
  const own = resolved.config.redirect_uri;
  if (typeof own === "string" && own) return own;
  return resolved.redirectUri || pinned || (hubPath ? location.origin + hubPath : ours);
}
