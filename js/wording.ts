// What the widget says, in one place: each sentence names what happened and the one thing to do.
import type { JWTPayload } from "jose";
import { SignInError } from "./errors";
import { clock } from "./page";

export function asSignInError(err: unknown): SignInError {
  return err instanceof SignInError ? err : new SignInError("invalid_response", String(err));
}

export function displayName(claims: JWTPayload): string {
  for (const key of ["name", "preferred_username", "email", "sub"]) {
    if (typeof claims[key] === "string" && claims[key]) return claims[key] as string;
  }
  return "unknown user";
}

/** What keeps a sign-in window from coming back: the provider shows its error there, not here. */
export function likelyCauses(clientId: string, redirectUri: string): string {
  return (
    "If it shows an error, the usual causes are a client_id the provider does not know " +
    `("${clientId}": invalid_client) or a redirect URI not registered for it: register ` +
    `exactly ${redirectUri} (or set "redirect_uri").`
  );
}

export function signedIn(claims: JWTPayload, expiresAt: number | null, renewable: boolean): string {
  const who = `Signed in as ${displayName(claims)}`;
  if (!expiresAt) return who;
  const until = clock(expiresAt);
  return renewable
    ? `${who} · token valid until ${until}, renewed automatically`
    : `${who} · token valid until ${until}. This provider gives no refresh token: click Renew before then.`;
}

export function reloaded(expiresAt: number): string {
  return (
    `This page was reloaded, so the token is no longer renewed. The kernel's token is valid until ` +
    `${clock(expiresAt)}; click Renew to sign in again and keep it current.`
  );
}

export const RELOADED_WITHOUT_TOKEN = "Not signed in: this page was reloaded before a valid token arrived. Click Sign in.";
export const POPUP_CLOSED = "The sign-in window was closed before sign-in finished. Click Sign in to try again.";
export const CANCELLED = "Sign-in cancelled. Click Sign in to start again.";
