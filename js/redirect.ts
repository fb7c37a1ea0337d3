// Full-page redirect mode: the fallback when popups are refused, and the original package's way.
// The page leaves for the provider and comes back, so what the sign-in needs across the trip (the
// PKCE verifier, state, nonce, then the provider's answer) sits in this tab's sessionStorage, the
// verifier and nonce sealed with a key only the kernel keeps (js/sealed.ts), all of it deleted on
// use and abandoned after ten minutes (js/trip.ts, docs/architecture.md). Tokens never do.
import { createClient } from "./client";
import { loadMetadata } from "./discovery";
import { explain, SignInError } from "./errors";
import { completeSignIn, type SignedIn } from "./exchange";
import { PENDING, RESPONSE, type OidcConfig } from "./messages";
import { baseUrl, xsrfToken } from "./page";
import { randomToken } from "./random";
import { importTripKey, newTripKey, SealedStore } from "./sealed";
import { clearTrip, MAX_AGE_MS, NONCE_PREFIX, readPending, STATE_PREFIX, type Pending } from "./trip";

export { tripPending } from "./trip";

/** Leave for the provider; the server keeps where to come back to (an HttpOnly cookie). */
export async function startRedirect(
  config: OidcConfig,
  redirectUri: string,
  instance: string,
  /** Hands the trip key to the kernel; resolves once the kernel holds it. */
  keepKey: (raw: string) => Promise<void>,
): Promise<void> {
  const kept = await fetch(`${baseUrl()}oidc/return-path`, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-XSRFToken": xsrfToken() },
    body: JSON.stringify({ path: location.pathname, https: location.protocol === "https:" }),
  });
  if (!kept.ok) {
    let why = `HTTP ${kept.status}`;
    try {
      why = ((await kept.json()) as { message?: string }).message ?? why;
    } catch {
      // keep the status
    }
    throw new SignInError("redirect_failed", `Could not prepare the full-page sign-in (${why}).`);
  }
  const { key, raw } = await newTripKey();
  await keepKey(raw); // before anything is sealed with it: an unkept key would strand the trip
  const client = createClient(config, redirectUri, new SealedStore(key, sessionStorage, STATE_PREFIX));
  try {
    await loadMetadata(client, config);
    const nonce = randomToken();
    const request = await client.createSigninRequest({ request_type: "si:r", nonce });
    await new SealedStore(key, sessionStorage, NONCE_PREFIX).set(request.state.id, nonce);
    const pending: Pending = { instance, state: request.state.id, created: Date.now() };
    sessionStorage.setItem(PENDING, JSON.stringify(pending));
    location.assign(request.url);
  } catch (err) {
    throw explain(err, { authority: config.authority, client_id: config.client_id, redirect_uri: redirectUri });
  }
}

/**
 * Back from the provider: finish the sign-in this widget started before the page left. `rawKey` is
 * the trip key the kernel kept (null: the kernel no longer has it). Whatever happens, nothing of the
 * trip is left in the tab afterwards.
 */
export async function finishRedirect(
  instance: string,
  rawKey: string | null,
  // Asked only when this tab holds an answer: the settings may come from the server (js/registry.ts).
  settings: () => Promise<{ config: OidcConfig; redirectUri: string }>,
): Promise<SignedIn | null> {
  const pending = readPending();
  if (!pending || pending.instance !== instance) return null; // another widget's trip, or none
  try {
    const url = sessionStorage.getItem(RESPONSE);
    if (!url || Date.now() - pending.created > MAX_AGE_MS) return null;
    if (!rawKey) {
      throw new SignInError(
        "redirect_failed",
        "The kernel no longer holds this sign-in's key (it was restarted while you were at the provider), " +
          "so the answer cannot be used. Click Sign in to start again.",
      );
    }
    const key = await importTripKey(rawKey);
    const nonce = await new SealedStore(key, sessionStorage, NONCE_PREFIX).get(pending.state);
    if (!nonce) throw new SignInError("redirect_failed", "This sign-in's state is missing. Click Sign in to start again.");
    const { config, redirectUri } = await settings();
    const client = createClient(config, redirectUri, new SealedStore(key, sessionStorage, STATE_PREFIX));
    try {
      const metadata = await loadMetadata(client, config);
      const result = await completeSignIn(client, metadata, config, url, nonce);
      return { result, client, metadata };
    } catch (err) {
      throw explain(err, { authority: config.authority, client_id: config.client_id, redirect_uri: redirectUri });
    }
  } finally {
    clearTrip();
  }
}
