// What redirect mode keeps in this tab's sessionStorage across the trip to the provider, and how it
// is cleared: on use, on an answer for a trip started too long ago, and whenever a widget loads in a
// tab that holds a stale trip. Shared by the widget and the callback page.
import { PENDING, RESPONSE } from "./messages";

/** Names earlier versions sealed their trip state under; cleared with every trip. */
const OLD_PREFIXES = ["ipython-oidc-client.state.", "ipython-oidc-client.nonce."];
/** A trip older than this is abandoned: its answer is not used and its state is removed. */
export const MAX_AGE_MS = 10 * 60 * 1000;

export interface Pending {
  instance: string;
  state: string;
  created: number;
}

export function readPending(): Pending | null {
  try {
    const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? "null") as Pending | null;
    return pending && typeof pending.state === "string" && typeof pending.created === "number" ? pending : null;
  } catch {
    return null;
  }
}

/** Remove everything of a trip from this tab's sessionStorage. */
export function clearTrip(): void {
  const names: string[] = [];
  for (let i = 0; i < sessionStorage.length; i++) {
    const name = sessionStorage.key(i);
    if (name && OLD_PREFIXES.some((prefix) => name.startsWith(prefix))) names.push(name);
  }
  names.forEach((name) => sessionStorage.removeItem(name));
  sessionStorage.removeItem(PENDING);
  sessionStorage.removeItem(RESPONSE);
}

/** Clear a trip that nobody can finish any more: too old, or an answer without its trip. */
export function clearAbandonedTrip(now = Date.now()): void {
  const pending = readPending();
  if (pending ? now - pending.created > MAX_AGE_MS : sessionStorage.getItem(RESPONSE) !== null) clearTrip();
}

/** How long after this page loaded a trip's widget has to come back for it (its kernel must first
 * bring the widget back: a kernel restarted meanwhile never does). */
export const CLAIM_WINDOW_MS = 20_000;

/**
 * Clear what nobody can finish now, and, once the claim window has passed, a trip that no widget came
 * back for: its kernel was restarted or stopped while the tab was at the provider.
 */
export function clearTripsNobodyClaims(): void {
  clearAbandonedTrip();
  const pending = readPending();
  if (!pending) return;
  setTimeout(() => {
    if (readPending()?.state === pending.state) clearTrip();
  }, CLAIM_WINDOW_MS);
}

/** Whether this tab is back from a trip that this widget instance started, not too long ago. */
export function tripPending(instance: string): boolean {
  const pending = readPending();
  return pending !== null && pending.instance === instance && Date.now() - pending.created <= MAX_AGE_MS;
}
