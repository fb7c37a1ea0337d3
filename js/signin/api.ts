// The server extension's sign-in routes (ipython_oidc_client/server/sessions.py): the keeper behind
// them makes the authorization request, renews and signs out (the callback page's redeem is
// js/callback/answer.ts). Each goes through js/shared/server.ts.
import type { SessionView } from "../shared/messages";
import { call } from "../shared/server";

/** What a sign-in's start gives: a live session found again (no window), or a request to open. */
export type Begun = { session: SessionView } | { url: string; state: string };

export interface AccessToken {
  access_token: string;
  expires_at: number | null;
  scope: string | null;
  token_type: string;
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
