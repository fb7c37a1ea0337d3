// The server extension's sign-in routes (ipython_oidc_client/server/sessions.py): the keeper behind
// them makes the authorization request, redeems the answer, renews and signs out. Every fetch is
// same-origin with the XSRF token (jupyter_server checks it on POSTs; JupyterHub >= 4.1 on every
// cookie-authenticated fetch, docs/architecture.md) and bounded in time.
import { SignInError } from "./errors";
import type { SessionView } from "./messages";
import { baseUrl, xsrfToken } from "./page";

/** What a sign-in's start gives: a live session found again (no window), or a request to open. */
export type Begun = { session: SessionView } | { url: string; state: string };

export interface AccessToken {
  access_token: string;
  expires_at: number | null;
  scope: string | null;
  token_type: string;
}

async function call<T>(path: string, body?: unknown, timeoutMs = 45_000, signal?: AbortSignal): Promise<T> {
  const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
  let response: Response;
  try {
    response = await fetch(`${baseUrl()}oidc/${path}`, {
      method: body === undefined ? "GET" : "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-XSRFToken": xsrfToken() },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.any(signals),
    });
  } catch (err) {
    if (signal?.aborted) throw new SignInError("cancelled", "Cancelled.");
    throw new SignInError(
      "keeper_unavailable",
      `The Jupyter server did not answer (${err instanceof Error ? err.message : String(err)}). Check that it ` +
        "is running, then click Sign in.",
    );
  }
  let answer: unknown = null;
  try {
    answer = await response.json();
  } catch {
    answer = null;
  }
  if (!response.ok) {
    const said = (answer ?? {}) as { error?: unknown; message?: unknown };
    if (response.status === 404 && typeof said.error !== "string") {
      throw new SignInError(
        "no_server_extension",
        "This Jupyter server does not run the ipython-oidc-client extension. Install the package where the " +
          "server runs and restart it.",
      );
    }
    throw new SignInError(
      typeof said.error === "string" ? said.error : "registry_unavailable",
      typeof said.message === "string"
        ? said.message
        : `The Jupyter server refused the sign-in request (HTTP ${response.status}). If your Jupyter login ` +
            "has ended, reload the page and log in; then click Sign in.",
    );
  }
  return answer as T;
}

export interface BeginRequest {
  /** The widget's config trait as the kernel set it: the server checks and resolves it again. */
  request: unknown;
  redirect_uri: string;
  instance: string;
  fresh: boolean;
  renew_before: number;
}

export const beginOf = (body: BeginRequest): Promise<Begun> => call<Begun>("signin", body);

/** Hand the provider's answer to the keeper, which redeems the code; only the session's view comes back
 * (the callback page does this, js/callback.ts). */
export async function redeem(state: string, response: Record<string, string>): Promise<SessionView> {
  return (await call<{ session: SessionView }>("redeem", { state, response })).session;
}

export async function sessionOf(instance: string): Promise<SessionView | null> {
  return (await call<{ session: SessionView | null }>(`instances/${encodeURIComponent(instance)}`)).session;
}

/** Wait until one of `seen` ({id: version}) changes or is gone; {} when nothing changed in time. */
export async function watch(
  seen: Record<string, number>,
  signal: AbortSignal,
): Promise<Record<string, SessionView | null>> {
  return (await call<{ sessions: Record<string, SessionView | null> }>("watch", { sessions: seen }, 40_000, signal))
    .sessions;
}

export async function renew(id: string): Promise<SessionView> {
  return (await call<{ session: SessionView }>(`sessions/${encodeURIComponent(id)}/renew`, {})).session;
}

export interface LoggedOut {
  session: SessionView;
  /** The provider's sign-out page for this client, to open in a window; null: it offers none. */
  end_session: string | null;
  revoke_error: string | null;
}

export const logout = (id: string, postLogoutRedirectUri: string): Promise<LoggedOut> =>
  call<LoggedOut>(`sessions/${encodeURIComponent(id)}/logout`, { post_logout_redirect_uri: postLogoutRedirectUri });

/** The access token, for a kernel that cannot reach the keeper (the page relays it). */
export async function accessToken(id: string): Promise<AccessToken> {
  return (await call<{ token: AccessToken }>(`sessions/${encodeURIComponent(id)}/token`, {})).token;
}
