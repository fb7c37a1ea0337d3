// The end of every sign-in, popup or full-page redirect: the provider's answer turned into tokens.
// The code is exchanged with the PKCE verifier (RFC 6749 §4.1.3, RFC 7636 §4.5) and the ID token
// checked here, in the notebook page; the callback page only carries the answer back.
import type { JWTPayload } from "jose";
import type { OidcClient, OidcMetadata } from "oidc-client-ts";
import { responseUrl } from "./client";
import { SignInError } from "./errors";
import { reject, validateIdToken } from "./idtoken";
import { checkResponseIssuer } from "./issuer";
import { jwks } from "./jwks";
import type { OidcConfig } from "./messages";

/** oidc-client-ts's own ID token refusals ("ID Token is missing a subject claim", "nonce in id_token
 * does not match nonce in client storage", …). */
const ID_TOKEN_FAULT = /\bid[ _]token\b/i;

export interface SignInResult {
  access_token: string;
  expires_at: number | null;
  scope: string | null;
  token_type: string;
  /** Kept in the session's memory only; never sent to the kernel (docs/architecture.md). */
  refresh_token: string | null;
  id_token: string;
  claims: JWTPayload;
}

export interface SignedIn {
  result: SignInResult;
  client: OidcClient;
  metadata: OidcMetadata;
}

/**
 * The provider's answer at `url` → tokens: the code exchanged with the PKCE verifier (by
 * oidc-client-ts, which also deletes the stored state), then the ID token validated.
 */
export async function completeSignIn(
  client: OidcClient,
  metadata: OidcMetadata,
  config: OidcConfig,
  url: string,
  nonce: string,
): Promise<SignInResult> {
  // Before the code goes anywhere: was it this provider that answered (RFC 9207)?
  checkResponseIssuer(url, metadata);
  let response;
  try {
    response = await client.processSigninResponse(responseUrl(url, config));
  } catch (err) {
    if (err instanceof TypeError) {
      throw new SignInError(
        "token_request_failed",
        `The token request to ${metadata.token_endpoint} failed (${err.message}). The provider must ` +
          `allow CORS from ${location.origin} for this client. Then click Try again.`,
      );
    }
    // oidc-client-ts checks `sub` and the nonce itself (Core §3.1.3.7 items 2, 11) before ours
    // runs: the same fault, said the same way.
    if (err instanceof Error && err.name !== "ErrorResponse" && ID_TOKEN_FAULT.test(err.message)) reject(err.message);
    throw err;
  }
  if (!response.id_token) {
    throw new SignInError(
      "invalid_id_token",
      'The provider sent no ID token. Include "openid" in the scope, then click Try again.',
    );
  }
  // Core §3.1.3.7, with the nonce of this request (§3.1.2.1) and what it asked for (max_age, acr_values).
  const claims = await validateIdToken(response.id_token, {
    issuer: metadata.issuer,
    client_id: config.client_id,
    nonce,
    keys: jwks(metadata.jwks_uri),
    maxAge: typeof config.max_age === "number" ? config.max_age : undefined,
    acrValues: typeof config.acr_values === "string" ? config.acr_values.split(" ").filter(Boolean) : undefined,
  });
  return {
    access_token: response.access_token,
    expires_at: response.expires_at ?? null,
    scope: response.scope ?? null,
    token_type: response.token_type || "Bearer",
    refresh_token: response.refresh_token ?? null,
    id_token: response.id_token,
    claims,
  };
}
