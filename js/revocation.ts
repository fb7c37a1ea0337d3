// Token revocation (RFC 7009), asked on sign-out so that a refresh token outlives no session here.
import type { OidcMetadata } from "oidc-client-ts";

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
