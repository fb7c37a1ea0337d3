// Sign-in in a popup: authorization code + PKCE (RFC 6749 §4.1, RFC 7636), the callback delivered
// back to this page by our own callback page, every wait bounded by a deadline.
import { createClient } from "./client";
import { loadMetadata } from "./discovery";
import { explain } from "./errors";
import { completeSignIn, type SignedIn } from "./exchange";
import type { OidcConfig } from "./messages";
import { randomToken } from "./random";
import { openPopup, waitForCallback, type WaitOptions } from "./window";

// js/controller.ts imports these from here.
export type { SignedIn, SignInResult } from "./exchange";

export type PopupOptions = WaitOptions & { redirectUri: string };

/**
 * Run one sign-in. Must be called inside a user gesture (or within its activation window):
 * window.open comes before the first await.
 */
export async function signInWithPopup(
  config: OidcConfig,
  opts: PopupOptions,
  popup: Window = openPopup(config),
): Promise<SignedIn> {
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
