// One sign-in at a time per request in the page. Twenty notebooks that run authenticate() with the
// same config at once must open one sign-in window, not twenty: the first widget signs in, the
// others wait for its outcome, then find the session it made at the keeper.
import type { SignInError } from "../shared/errors";
import type { SessionView } from "../shared/messages";

export class InFlight {
  /** Settles with the session, or with its error — also early, when its window was closed. */
  readonly outcome: Promise<SessionView>;
  private giveUp: (err: SignInError) => void = () => {};

  constructor(signIn: Promise<SessionView>) {
    const closed = new Promise<never>((_, reject) => {
      this.giveUp = reject;
    });
    this.outcome = Promise.race([signIn, closed]);
    this.outcome.catch(() => {}); // nobody may be waiting; the leader handles its own errors
  }

  /** The leader's window was closed without an answer: those waiting stop waiting. */
  abandon(err: SignInError): void {
    this.giveUp(err);
  }
}

const inFlight = new Map<string, InFlight>();

/** What makes two sign-ins the same here: what the kernel asked for, and where the answer comes back. */
export function flightKey(request: unknown, redirectUri: string): string {
  return JSON.stringify({ request, redirectUri });
}

/** What this page last knew of each request's session: its window can wait where one is live. */
const known = new Map<string, { renewable: boolean; expiresAt: number | null }>();

/** Remember `view` as the session of the request `key` (a sign-in, a session found again). */
export function remember(key: string, view: SessionView): void {
  if (view.status === "signed_in") known.set(key, { renewable: view.renewable, expiresAt: view.expires_at });
  else known.delete(key);
}

/** Whether this page knows a live session for `key`: the keeper will most likely hand it over. */
export function knownLive(key: string, now = Date.now()): boolean {
  const k = known.get(key);
  return k !== undefined && (k.renewable || k.expiresAt === null || k.expiresAt * 1000 > now);
}

/** The sign-in under way for `key`, if any. */
export function pending(key: string): InFlight | undefined {
  return inFlight.get(key);
}

/** Register the sign-in for `key` until it settles. */
export function lead(key: string, signIn: Promise<SessionView>): InFlight {
  const entry = new InFlight(signIn);
  inFlight.set(key, entry);
  const done = () => {
    if (inFlight.get(key) === entry) inFlight.delete(key);
  };
  entry.outcome.then(done, done);
  return entry;
}
