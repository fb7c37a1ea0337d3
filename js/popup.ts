// Sign-in in a popup: authorization code + PKCE (RFC 6749 §4.1, RFC 7636), the callback delivered
// back to this page by our own callback page, every wait bounded by a deadline.
import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { createClient, loadMetadata } from "./client";
import { explain, SignInError } from "./errors";
import { validateIdToken } from "./idtoken";
import { CALLBACK_SOURCE, callbackChannel, type CallbackMessage, type OidcConfig } from "./messages";

export interface SignInResult {
  access_token: string;
  expires_at: number | null;
  scope: string | null;
  token_type: string;
  /** Kept in this module's memory only; never sent to the kernel (design.md §3). */
  refresh_token: string | null;
  id_token: string;
  claims: JWTPayload;
}

export interface PopupOptions {
  redirectUri: string;
  timeoutMs: number;
  signal: AbortSignal;
  /** Called once when the popup looks closed; sign-in may still finish (COOP cuts the handle). */
  onPopupClosed: () => void;
}

const jwksCache = new Map<string, JWTVerifyGetKey>();
function jwks(uri: string): JWTVerifyGetKey {
  let keys = jwksCache.get(uri);
  if (!keys) {
    keys = createRemoteJWKSet(new URL(uri), { timeoutDuration: 10_000 });
    jwksCache.set(uri, keys);
  }
  return keys;
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function popupFeatures(config: OidcConfig): string {
  const custom = (config.popupWindowFeatures ?? {}) as Record<string, string | number | boolean>;
  const size = { width: 500, height: 640, ...custom };
  const left = Math.max(0, window.screenX + (window.outerWidth - Number(size.width)) / 2);
  const top = Math.max(0, window.screenY + (window.outerHeight - Number(size.height)) / 2);
  const all: Record<string, string | number | boolean> = { left, top, popup: true, ...size };
  return Object.entries(all).map(([k, v]) => `${k}=${typeof v === "boolean" ? (v ? "yes" : "no") : v}`).join(",");
}

/**
 * Run one sign-in. Must be called inside a user gesture (or within its activation window):
 * window.open comes before the first await.
 */
export async function signInWithPopup(config: OidcConfig, opts: PopupOptions): Promise<SignInResult> {
  const popup = window.open("", `ipython-oidc-client-${randomToken().slice(0, 8)}`, popupFeatures(config));
  if (!popup) {
    throw new SignInError("popup_blocked", "The browser blocked the sign-in window. Click Sign in to open it.");
  }
  const ctx = { authority: config.authority, client_id: config.client_id, redirect_uri: opts.redirectUri };
  const deadline = Date.now() + opts.timeoutMs;
  try {
    const client = createClient(config, opts.redirectUri);
    const metadata = await loadMetadata(client, config);
    const nonce = randomToken();
    const request = await client.createSigninRequest({ request_type: "si:p", nonce });
    popup.location.replace(request.url);
    const url = await waitForCallback(popup, request.state.id, deadline, opts, ctx.redirect_uri);
    let response;
    try {
      response = await client.processSigninResponse(url);
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
  } catch (err) {
    throw explain(err, ctx);
  } finally {
    if (!popup.closed) popup.close();
  }
}

function stateOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.searchParams.get("state") ?? new URLSearchParams(parsed.hash.slice(1)).get("state");
  } catch {
    return null;
  }
}

/** Resolve with the callback URL for `state`; reject at the deadline or on abort. */
function waitForCallback(
  popup: Window,
  state: string,
  deadline: number,
  opts: PopupOptions,
  redirectUri: string,
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const channel = new BroadcastChannel(callbackChannel(state));
    const cleanups: Array<() => void> = [() => channel.close()];
    const finish = (fn: () => void) => {
      cleanups.forEach((c) => c());
      fn();
    };
    const accept = (data: unknown) => {
      const msg = data as Partial<CallbackMessage> | null;
      if (msg?.source !== CALLBACK_SOURCE || typeof msg.url !== "string") return;
      // Ignore anything not answering this very request: other scripts on the page can post too.
      if (stateOf(msg.url) !== state) return;
      finish(() => resolve(msg.url as string));
    };
    const onMessage = (e: MessageEvent) => {
      if (e.origin === location.origin) accept(e.data);
    };
    window.addEventListener("message", onMessage);
    cleanups.push(() => window.removeEventListener("message", onMessage));
    channel.onmessage = (e) => accept(e.data);

    let closedSeen = false;
    const poll = setInterval(() => {
      if (popup.closed && !closedSeen) {
        closedSeen = true;
        opts.onPopupClosed();
      }
    }, 500);
    cleanups.push(() => clearInterval(poll));

    const seconds = Math.round((deadline - Date.now()) / 1000);
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            new SignInError(
              "timeout",
              `Sign-in did not finish within ${seconds} s. If the sign-in window showed an error about ` +
                `the redirect URI, register exactly ${redirectUri} at the provider (or pass ` +
                `"redirect_uri" in the config). Then click Try again.`,
            ),
          ),
        ),
      Math.max(0, deadline - Date.now()),
    );
    cleanups.push(() => clearTimeout(timer));

    const onAbort = () => finish(() => reject(new SignInError("cancelled", "Sign-in was cancelled.")));
    if (opts.signal.aborted) onAbort();
    opts.signal.addEventListener("abort", onAbort);
    cleanups.push(() => opts.signal.removeEventListener("abort", onAbort));
  });
}
