// Sign-in in a popup: authorization code + PKCE (RFC 6749 §4.1, RFC 7636), the callback delivered
// back to this page by our own callback page, every wait bounded by a deadline.
import type { JWTPayload } from "jose";
import type { OidcClient, OidcMetadata } from "oidc-client-ts";
import { createClient, loadMetadata, responseUrl } from "./client";
import { jwks } from "./jwks";
import { explain, SignInError } from "./errors";
import { validateIdToken } from "./idtoken";
import { checkResponseIssuer } from "./issuer";
import type { OidcConfig } from "./messages";
import { openPopup, randomToken, waitForCallback, type WaitOptions } from "./window";

export interface SignInResult {
  access_token: string;
  expires_at: number | null;
  scope: string | null;
  token_type: string;
  /** Kept in this module's memory only; never sent to the kernel (docs/architecture.md). */
  refresh_token: string | null;
  id_token: string;
  claims: JWTPayload;
}

export interface SignedIn {
  result: SignInResult;
  client: OidcClient;
  metadata: OidcMetadata;
}

export type PopupOptions = WaitOptions & { redirectUri: string };

/**
 * The provider's answer at `url` → tokens: the code exchanged with the PKCE verifier (by
 * oidc-client-ts, which also deletes the stored state), then the ID token validated. Shared by the
 * popup and the redirect flow.
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
    throw err;
  }
  if (!response.id_token) {
    throw new SignInError(
      "invalid_id_token",
      'The provider sent no ID token. Include "openid" in the scope, then click Try again.',
    );
  }
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

/**
 * Run one sign-in. Must be called inside a user gesture (or within its activation window):
 * window.open comes before the first await.
 */
export async function signInWithPopup(config: OidcConfig, opts: PopupOptions): Promise<SignedIn> {
  const popup = openPopup(config);
  const ctx = { authority: config.authority, client_id: config.client_id, redirect_uri: opts.redirectUri };
  try {
    const client = createClient(config, opts.redirectUri);
    const metadata = await loadMetadata(client, config);
    const nonce = randomToken();
    const request = await client.createSigninRequest({ request_type: "si:p", nonce });
    popup.location.replace(request.url);
    const url = await waitForCallback(popup, request.state.id, opts);
    const result = await completeSignIn(client, metadata, config, url, nonce);
    return { result, client, metadata };
  } catch (err) {
    throw explain(err, ctx);
  } finally {
    if (!popup.closed) popup.close();
  }
}
