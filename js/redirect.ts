// Full-page redirect mode: the fallback when popups are refused, and the original package's way.
// The page leaves for the provider and comes back, so what the sign-in needs across the trip (the
// PKCE verifier, state, nonce, then the provider's answer) sits in sessionStorage — this tab only,
// deleted as soon as it is used, ignored after ten minutes (docs/architecture.md). Tokens never do.
import { WebStorageStateStore } from "oidc-client-ts";
import { createClient, loadMetadata } from "./client";
import { explain, SignInError } from "./errors";
import { PENDING, RESPONSE, type OidcConfig } from "./messages";
import { baseUrl, xsrfToken } from "./page";
import { completeSignIn, type SignedIn } from "./popup";
import { randomToken } from "./window";

const PREFIX = "ipython-oidc-client.";
const MAX_AGE_MS = 10 * 60 * 1000;

interface Pending {
  instance: string;
  state: string;
  nonce: string;
  created: number;
}

function stateStore(): WebStorageStateStore {
  return new WebStorageStateStore({ store: sessionStorage, prefix: PREFIX });
}

/** Leave for the provider; the server keeps where to come back to (an HttpOnly cookie). */
export async function startRedirect(config: OidcConfig, redirectUri: string, instance: string): Promise<void> {
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
  const client = createClient(config, redirectUri, stateStore());
  try {
    await loadMetadata(client, config);
    const nonce = randomToken();
    const request = await client.createSigninRequest({ request_type: "si:r", nonce });
    const pending: Pending = { instance, state: request.state.id, nonce, created: Date.now() };
    sessionStorage.setItem(PENDING, JSON.stringify(pending));
    location.assign(request.url);
  } catch (err) {
    throw explain(err, { authority: config.authority, client_id: config.client_id, redirect_uri: redirectUri });
  }
}

/** Take (and delete) the provider's answer for this widget instance, if this tab has one. */
function takeResponse(instance: string): { pending: Pending; url: string } | null {
  const raw = sessionStorage.getItem(PENDING);
  if (!raw) return null;
  const pending = JSON.parse(raw) as Pending;
  if (Date.now() - pending.created > MAX_AGE_MS) {
    sessionStorage.removeItem(PENDING);
    sessionStorage.removeItem(RESPONSE);
    return null;
  }
  if (pending.instance !== instance) return null;
  const url = sessionStorage.getItem(RESPONSE);
  sessionStorage.removeItem(PENDING);
  sessionStorage.removeItem(RESPONSE);
  return url ? { pending, url } : null;
}

/** Back from the provider: finish the sign-in this widget started before the page left. */
export async function finishRedirect(
  instance: string,
  // Asked only when this tab holds an answer: the settings may come from the server (js/registry.ts).
  settings: () => Promise<{ config: OidcConfig; redirectUri: string }>,
): Promise<SignedIn | null> {
  const taken = takeResponse(instance);
  if (!taken) return null;
  const { config, redirectUri } = await settings();
  const client = createClient(config, redirectUri, stateStore());
  try {
    const metadata = await loadMetadata(client, config);
    const result = await completeSignIn(client, metadata, config, taken.url, taken.pending.nonce);
    return { result, client, metadata };
  } catch (err) {
    throw explain(err, { authority: config.authority, client_id: config.client_id, redirect_uri: redirectUri });
  }
}
