// The page's sessions, one per set of settings that yields the same tokens: every widget of the page
// that asks for the same client shares one sign-in, one renewal and one sign-out.
import type { OidcConfig } from "./messages";
import type { Session } from "./session";

/** The live session for each key; a session puts itself here and takes itself out when it ends. */
export const sessions = new Map<string, Session>();

/** The settings that decide which tokens a sign-in yields: same key, same session. */
export function sessionKey(config: OidcConfig, redirectUri: string): string {
  const { authority, client_id, scope, resource, acr_values, max_age, prompt } = config;
  const { extraQueryParams, extraTokenParams, metadataUrl } = config;
  // A request for a fresh or stronger sign-in (max_age, prompt, acr_values) is another session:
  // a live session's token must not stand in for it.
  const fields = { authority, client_id, scope, resource, acr_values, max_age, prompt };
  return JSON.stringify({ ...fields, extraQueryParams, extraTokenParams, metadataUrl, redirectUri });
}

/**
 * Whether a live session may serve a new authenticate() call: not when it asks the user to sign in
 * again (prompt=login, Core §3.1.2.1), nor when its max_age has passed since the sign-in.
 */
export function reusable(session: Session, config: OidcConfig): boolean {
  if (!session.live) return false;
  if (typeof config.prompt === "string" && config.prompt.split(" ").includes("login")) return false;
  if (typeof config.max_age === "number") {
    const authTime = session.current?.claims.auth_time;
    if (typeof authTime !== "number" || authTime + config.max_age < Date.now() / 1000) return false;
  }
  return true;
}
