// Full-page redirect mode: the fallback when popups are refused, and the original package's way. The
// page leaves for the provider and comes back; what crosses the trip in this tab's sessionStorage is
// only which widget left and the state it waits for, then the outcome the callback page had from the
// keeper (a session's view, or why it was refused). The code goes from the callback page to the keeper
// alone; the verifier and the nonce never leave the keeper (js/shared/trip.ts).
import { SignInError } from "../shared/errors";
import { PENDING, RESPONSE, type CallbackMessage } from "../shared/messages";
import { baseUrl, xsrfToken } from "../shared/page";
import { clearTrip, MAX_AGE_MS, readPending, type Pending } from "../shared/trip";
import * as say from "../shared/wording";

/** Keep where to come back to: the server sets an HttpOnly cookie (server/redirect_mode.py). */
export async function keepReturnPath(): Promise<void> {
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
    throw new SignInError("redirect_failed", say.returnPathRefused(why));
  }
}

/** Leave for the provider with the keeper's request `url`, remembering which widget waits for `state`. */
export function leave(instance: string, state: string, url: string): void {
  const pending: Pending = { instance, state, created: Date.now() };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  location.assign(url);
}

/**
 * Back from the provider: the outcome of this widget's trip, as a callback message, taken out of the
 * tab (nothing of the trip is left afterwards), or null when there is none for it.
 */
export function takeOutcome(instance: string): CallbackMessage | null {
  const pending = readPending();
  if (!pending || pending.instance !== instance) return null; // another widget's trip, or none
  try {
    const kept = JSON.parse(sessionStorage.getItem(RESPONSE) ?? "null") as Partial<CallbackMessage> | null;
    if (!kept || kept.state !== pending.state || Date.now() - pending.created > MAX_AGE_MS) return null;
    return { source: "ipython-oidc-client", state: pending.state, ...(kept.outcome ? { outcome: kept.outcome } : {}) };
  } catch {
    return null;
  } finally {
    clearTrip();
  }
}
