// What the widget says and offers, in one place. Each state has its buttons (actionsFor); each
// sentence says what happened and the one thing to do, and names only a button its state shows
// (js/tests/wording.test.ts checks both).
import { SignInError } from "./errors";
import type { Action, ActionId, SessionView, Status, View } from "./messages";
import { clock } from "./page";

/** The buttons' labels. The end-to-end tests find the buttons by these words. */
export const LABELS: Readonly<Record<ActionId, string>> = {
  sign_in: "Sign in",
  sign_out: "Sign out",
  renew: "Renew",
  cancel: "Cancel",
  redirect: "Sign in in this tab",
};

/** Buttons in order; the first is primary when the state asks for it (`urge`). */
function actions(urge: boolean, ...ids: ActionId[]): Action[] {
  return ids.map((id, i) => ({ id, label: LABELS[id], primary: urge && i === 0 }));
}

export interface StateFacts {
  /** The provider's part of a sign-out is left for a click (the browser refused its popup). */
  signOutPending?: boolean;
}

/** The buttons a state offers, first the one its message points at (primary where it asks for a click). */
export function actionsFor(status: Status, facts: StateFacts = {}): Action[] {
  switch (status) {
    case "idle":
      return [];
    case "signing_in":
      return actions(false, "cancel");
    case "needs_click":
      // A click is what the browser wanted: for the sign-out's popup, or the sign-in's, which the
      // whole tab can also do without a popup.
      return facts.signOutPending ? actions(true, "sign_out") : actions(true, "sign_in", "redirect");
    case "signed_in":
      return actions(false, "renew", "sign_out"); // renewed by itself: nothing to urge
    case "renew_needed":
      return actions(true, "renew", "sign_out");
    case "signed_out":
    case "error":
      return actions(true, "sign_in");
  }
}

// Other modules' errors say "click Try again": that is the Sign in button of an error.
const TRY_AGAIN = /\b([Cc])lick Try again\b/g;
// What a sentence tells the user to click: "click " and a capitalised name, up to punctuation.
const CLICK = /\b[Cc]lick\s+([A-Z][^.,;:()]*)/g;

/** The buttons a sentence tells the user to click, by label ("Try again" and unknown ones as written). */
export function namedButtons(message: string): string[] {
  const known = [...Object.values(LABELS), "Try again"].sort((a, b) => b.length - a.length);
  const named: string[] = [];
  for (const [, after] of message.matchAll(CLICK)) {
    const label = known.find((k) => after === k || after.startsWith(`${k} `));
    named.push(label ?? after.trim());
  }
  return named;
}

/** A sentence pointed at the buttons shown: "click Try again" becomes "click Sign in to try again". */
export function pointAt(message: string, shown: Action[]): string {
  const signIn = shown.find((a) => a.id === "sign_in");
  return signIn ? message.replace(TRY_AGAIN, `$1lick ${signIn.label} to try again`) : message;
}

export interface ViewFacts extends StateFacts {
  provider?: string | null;
  user?: string | null;
  expiresAt?: number | null;
}

/** The whole view of one state: its sentence, pointed at its buttons, and what is known besides. */
export function view(status: Status, message: string, facts: ViewFacts = {}): View {
  const shown = actionsFor(status, facts);
  return {
    status,
    message: pointAt(message, shown),
    actions: shown,
    provider: facts.provider ?? null,
    user: facts.user ?? null,
    expiresAt: facts.expiresAt ?? null,
  };
}

export function asSignInError(err: unknown): SignInError {
  return err instanceof SignInError ? err : new SignInError("invalid_response", String(err));
}

/** The authority as a person reads it: its host (and port), or the text as given. */
export function host(authority: string): string {
  try {
    return new URL(authority).host || authority;
  } catch {
    return authority;
  }
}

/** How far off an expiry is, in the browser's language: "expires in 14 minutes", "expired 3 minutes ago". */
export function relativeExpiry(expiresAt: number, now = Date.now(), locale?: string): string {
  const seconds = Math.round(expiresAt - now / 1000);
  const size = Math.abs(seconds);
  const [value, unit]: [number, Intl.RelativeTimeFormatUnit] =
    size < 90
      ? [seconds, "second"]
      : size < 90 * 60
        ? [Math.trunc(seconds / 60), "minute"]
        : size < 36 * 3600
          ? [Math.trunc(seconds / 3600), "hour"]
          : [Math.trunc(seconds / 86400), "day"];
  const when = new Intl.RelativeTimeFormat(locale, { numeric: "auto" }).format(value, unit);
  return seconds > 0 ? `expires ${when}` : `expired ${when}`;
}

/** An expiry with its date and the time zone's name, in the browser's zone: "30 Nov 2026, 11:02 UTC". */
export function absoluteExpiry(expiresAt: number, locale?: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZone,
    timeZoneName: "short",
  }).format(new Date(expiresAt * 1000));
}

/** What usually keeps a sign-in window from coming back: the provider shows its error there, not here. */
export function likelyCauses(clientId: string, redirectUri: string): string {
  return (
    "If it shows an error, the usual causes are a client_id the provider does not know " +
    `("${clientId}": invalid_client) or a redirect URI not registered for it: register ` +
    `exactly ${redirectUri} (or set "redirect_uri").`
  );
}

export const IDLE = "Run this cell to sign in.";

export function signingIn(where: string): string {
  return `Signing in at ${where}… finish in the sign-in window.`;
}

export function preparing(where: string): string {
  return `Signing in at ${where}…`;
}

export function goingTo(where: string): string {
  return `Going to ${where} to sign in…`;
}

export function stillWaiting(causes: string): string {
  return `Still waiting for the sign-in window. ${causes}`;
}

export function timedOut(seconds: number, causes: string): string {
  return `Sign-in did not finish within ${seconds} s. ${causes} Then click Sign in.`;
}

/** `relay`: the kernel cannot reach the server's keeper, so renewals reach it through this page. */
export function signedIn(view: SessionView, relay = false): string {
  const who = `Signed in as ${view.user ?? "unknown user"}`;
  if (!view.expires_at) return who;
  const until = clock(view.expires_at);
  if (!view.renewable) {
    return `${who} · token valid until ${until}. This provider gives no refresh token: click Renew before then.`;
  }
  return relay
    ? `${who} · token valid until ${until}, renewed by the server; this kernel runs elsewhere, so it gets ` +
        "each new token through this page, between cells."
    : `${who} · token valid until ${until}, renewed automatically`;
}

export const RELOADED_WITHOUT_TOKEN =
  "Not signed in: this page was reloaded, and the server holds no sign-in for this cell. Click Sign in.";
export const POPUP_CLOSED = "The sign-in window was closed before sign-in finished. Click Sign in to try again.";
export const CANCELLED = "Sign-in cancelled. Click Sign in to start again.";
export const EXPIRED = "The access token has expired. Click Sign in to get a new one.";
export const SIGNED_OUT = "Signed out.";
export const SIGNED_OUT_EVERYWHERE = "Signed out, here and at the provider.";
export const SIGNED_OUT_NO_ENDPOINT =
  "Signed out. The provider offers no sign-out endpoint, so its own session may remain.";
export const SIGN_OUT_NEEDS_CLICK = "Signed out here. Click Sign out to also end your session at the provider.";
export const KEEPER_GONE =
  "The sign-in ended: the server's token keeper stopped (the Jupyter server was restarted, or the keeper " +
  "was ended), so the token is no longer renewed. Click Sign in to sign in again.";
export const SIGNING_IN_ELSEWHERE = "Signing in… another notebook of this page opened the sign-in window: finish there.";
export const KERNEL_GONE = "The kernel was restarted, so this sign-in stopped. Run the cell again to sign in.";
