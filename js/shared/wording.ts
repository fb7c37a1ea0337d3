// Every sentence the widget, the loader's stand-in and the callback page say, in one place. Each says
// what happened and the one thing to do, naming a button by its label (LABELS), composed, never written
// out twice; js/widget/views.ts decides which buttons a state shows, and js/tests/wording.test.ts checks
// that no sentence names one its state does not show. The keeper's sentences (the provider's errors,
// the ID token's checks) come from the server.
import type { ActionId } from "./messages";

// The words sentences are composed of, written once. A const enum, not consts: esbuild folds its
// members into the strings that use them, so that a bundle keeps only the sentences it shows (a
// template with a const in it would stay in every bundle, used or not).
const enum W {
  SignIn = "Sign in",
  SignOut = "Sign out",
  Renew = "Renew",
  /** The way out of every error, its one button (js/widget/views.ts). */
  ClickSignIn = `Click ${SignIn}`,
  ThenSignIn = `then click ${SignIn}.`,
  TryAgain = `${ClickSignIn} to try again.`,
  FullConfig = 'authenticate({"authority": …, "client_id": …}, token)',
}

/** The buttons' labels. The end-to-end tests find the buttons by these words. */
export const LABELS = {
  sign_in: W.SignIn,
  sign_out: W.SignOut,
  renew: W.Renew,
  cancel: "Cancel",
  redirect: `${W.SignIn} in this tab`,
} as const satisfies Record<ActionId, string>;

// --- the widget's own states -------------------------------------------------------------------

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

/** What usually keeps a sign-in window from coming back: the provider shows its error there, not here. */
export function likelyCauses(clientId: string, redirectUri: string): string {
  return (
    "If it shows an error, the usual causes are a client_id the provider does not know " +
    `("${clientId}": invalid_client) or a redirect URI not registered for it: register ` +
    `exactly ${redirectUri} (or set "redirect_uri").`
  );
}

export function stillWaiting(causes: string): string {
  return `Still waiting for the sign-in window. ${causes}`;
}

export function timedOut(seconds: number, causes: string): string {
  return `Sign-in did not finish within ${seconds} s. ${causes} Then click ${W.SignIn}.`;
}

/** A time of day, the token's expiry in a sentence: "11:02". */
export function clock(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** `relay`: the kernel cannot reach the server's keeper, so renewals reach it through this page. */
export function signedIn(view: { user: string | null; expires_at: number | null; renewable: boolean }, relay = false): string {
  const who = `Signed in as ${view.user ?? "unknown user"}`;
  if (!view.expires_at) return who;
  const until = clock(view.expires_at);
  if (!view.renewable) {
    return `${who} · token valid until ${until}. This provider gives no refresh token: click ${W.Renew} before then.`;
  }
  return relay
    ? `${who} · token valid until ${until}, renewed by the server; this kernel runs elsewhere, so it gets ` +
        "each new token through this page, between cells."
    : `${who} · token valid until ${until}, renewed automatically`;
}

export const RELOADED_WITHOUT_TOKEN = `Not signed in: this page was reloaded, and the server holds no sign-in for this cell. ${W.ClickSignIn}.`;
export const POPUP_CLOSED = `The sign-in window was closed before sign-in finished. ${W.TryAgain}`;
export const POPUP_BLOCKED = `The browser blocked the sign-in window. ${W.ClickSignIn} to open it.`;
export const NO_ANSWER = `The sign-in window came back without an answer. ${W.ClickSignIn}.`;
export const CANCELLED = `Sign-in cancelled. ${W.ClickSignIn} to start again.`;
/** A request or a wait given up because the widget moved on: the user never reads it. */
export const ABORTED = "Cancelled.";
export const EXPIRED = `The access token has expired. ${W.ClickSignIn} to get a new one.`;
export const SIGNED_OUT = "Signed out.";
export const SIGNED_OUT_EVERYWHERE = "Signed out, here and at the provider.";
export const SIGNED_OUT_NO_ENDPOINT =
  "Signed out. The provider offers no sign-out endpoint, so its own session may remain.";
export const SIGN_OUT_NEEDS_CLICK = `Signed out here. Click ${W.SignOut} to also end your session at the provider.`;
export const KEEPER_GONE =
  "The sign-in ended: the server's token keeper stopped (the Jupyter server was restarted, or the keeper " +
  `was ended), so the token is no longer renewed. ${W.ClickSignIn} to sign in again.`;
export const SIGNING_IN_ELSEWHERE = "Signing in… another notebook of this page opened the sign-in window: finish there.";
export const KERNEL_GONE = "The kernel was restarted, so this sign-in stopped. Run the cell again to sign in.";

export function signOutFailed(why: string): string {
  return `Could not sign out (${why})`;
}

export function providerSignOutFailed(why: string): string {
  return `Signed out here, but ending the session at the provider failed (${why}).`;
}

export function signOutUnconfirmed(seconds: number): string {
  return `The provider did not confirm the sign-out within ${seconds} s.`;
}

// --- the server's answers ----------------------------------------------------------------------

export function serverSilent(why: string): string {
  return `The Jupyter server did not answer (${why}). Check that it is running, ${W.ThenSignIn}`;
}

export function serverRefused(status: number): string {
  return (
    `The Jupyter server refused the sign-in request (HTTP ${status}). If your Jupyter login ` +
    `has ended, reload the page and log in; ${W.ThenSignIn}`
  );
}

export const NO_EXTENSION_ROUTES =
  "This Jupyter server does not run the ipython-oidc-client extension. Install the package where the " +
  "server runs and restart it.";

export function returnPathRefused(why: string): string {
  return `Could not prepare the full-page sign-in (${why}).`;
}

export function registryRefused(url: string, status: number): string {
  return (
    `The Jupyter server did not give its sign-in settings (${url} answered HTTP ${status}). If your ` +
    `Jupyter login has ended, reload the page and log in; ${W.ThenSignIn}`
  );
}

export function registryUnreachable(why: string): string {
  return `Could not ask the Jupyter server for its sign-in settings (${why}). Reload the page, ${W.ThenSignIn}`;
}

export const NO_REGISTRY =
  "This page has no ipython-oidc-client server extension, so no administrator's providers: pass " +
  `a full config instead, e.g. ${W.FullConfig}.`;

export const NO_PROVIDERS =
  `authenticate() was given no config, and this server has no providers configured. Pass a config, e.g. ` +
  `${W.FullConfig}, or ask your administrator to set OidcExtension.providers.`;

export function whichProvider(names: string[]): string {
  return (
    `authenticate() was given no config, but this server has ${names.length} providers: ${quoted(names)}. ` +
    `Name one, e.g. authenticate("${names[0]}", token).`
  );
}

export function unknownProvider(asked: string, names: string[]): string {
  return (
    `No provider named "${asked}" is configured on this server. ` +
    (names.length ? `Configured: ${quoted(names)}.` : "None is configured; pass a full config instead.")
  );
}

function quoted(names: string[]): string {
  return names.map((n) => `"${n}"`).join(", ");
}

// --- the callback page -------------------------------------------------------------------------

export const CALLBACK_ALONE =
  "This page finishes a sign-in started from a notebook. Run authenticate() in a notebook to sign in.";
export const TRIP_TOO_OLD = `This sign-in was started too long ago. Go back to the notebook and click ${W.SignIn} again.`;
export const FINISHING = "Finishing sign-in…";
export const GOING_BACK = "Going back to the notebook…";
export const CALLBACK_DONE = "Done. You can close this window.";

// --- the loader's stand-in (js/loader/) ----------------------------------------------------------

/** Said where the module cannot be had: this page's server does not run the extension (VS Code,
 * Colab, a Jupyter server where the package is not installed), so it has no callback page either. */
export const NO_SERVER_EXTENSION =
  "This Jupyter server has no ipython-oidc-client extension, so it serves no sign-in page for this " +
  "notebook: the kernel signs in with a link and a code instead, where the provider offers that. " +
  "(To sign in here in a popup, install the package where the server runs and restart it.)";

/** Said where the module is there, or may be, but did not load: a server that has the extension and
 * failed once (a restart, a proxy's 502, a dropped connection). No device grant then: the popup will
 * work again once the page loads the module; a browser keeps a failed module import for the page's
 * life, so the page must be reloaded. */
export function loadFailed(url: string, why: string): string {
  return (
    `The sign-in widget could not be loaded from ${url} (${why}). Reload the page; if it persists, ask ` +
    "the administrator of this Jupyter server."
  );
}

export const MODULE_NOT_STARTED = "it did not start";
export const SERVER_SILENT = "the server did not answer";
export const MODULE_DID_NOT_RUN = "it is there, but did not run";

/** The device grant's prompt around its link, host and code (RFC 8628 §3.3), in the words of the
 * keeper's terminal line (DeviceAuthorization.prompt): one text, two places. */
export function devicePrompt<T>(link: T, host: T, code: T, complete: boolean): (T | string)[] {
  const what = complete ? "check that it shows the code " : "enter the code ";
  return ["To sign in, open ", link, " in a browser (it is on ", host, ") and ", what, code, "."];
}

// --- the widget's facts beside its sentence ------------------------------------------------------

export const PROVIDER_KEY = "Provider ";
export const USER_TITLE = "Signed in as";

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
