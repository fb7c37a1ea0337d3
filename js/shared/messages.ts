// The contract between the Python widget (ipython_oidc_client/_widget.py) and this script.
// Keep both sides in step: the trait names and message shapes are the same on each
// (tests/unit/test_contract_messages.py reads this file).

/** Settings passed to oidc-client-ts, already checked by ipython_oidc_client/_config.py (a notebook's)
 * or by the server extension at start (an administrator's provider, js/signin/registry.ts). */
export interface OidcConfig {
  authority: string;
  client_id: string;
  scope?: string;
  redirect_uri?: string;
  [key: string]: unknown;
}

/** Synced traits of OidcWidget. None of them ever holds a token: traits are saved into the .ipynb. */
export interface WidgetTraits {
  /** A random id per widget, so that the page finds one controller per model. */
  instance: string;
  config: OidcConfig;
  /** Seconds the whole sign-in may take before the widget gives up and says why. */
  timeout: number;
  /** Renew the access token this many seconds before it expires (at most half its lifetime). */
  renew_before: number;
  /** The default redirect URI's path on this origin (JupyterHub's user-redirect); "" for ours. */
  redirect_path: string;
  /** The kernel's IPYTHON_OIDC_CLIENT_REDIRECT_URI (an administrator's pin); "" when unset. */
  pinned_redirect_uri: string;
  /** "popup" (the default) or "redirect": the whole tab goes to the provider and back. */
  mode: "popup" | "redirect";
}

/** Kernel -> page. `rejoin`: a view drawn after the page was reloaded (the kernel's sign-in goes on in
 * the server's keeper; the page finds its session by the widget's instance). `attached`: the kernel's
 * answer to `session` — whether it follows the session at the keeper itself (`keeper`) or needs the
 * page to relay each access token (`page`: a kernel on another machine). */
export type KernelMessage =
  | { type: "start" }
  | { type: "rejoin" }
  | { type: "logout" }
  | { type: "attached"; via: "keeper" | "page" }
  // An API asked for a stronger sign-in (RFC 9470): the widget asks for a click, with the reason;
  // the kernel has already put the API's acr_values / max_age into the config.
  | { type: "step_up"; message: string }
  // Where the page cannot sign in (no server extension): the kernel's device grant, step by step. Only
  // `verification.link` ever becomes a link; `message` is text (a provider's error included).
  | { type: "device"; state: "waiting" | "signed_in" | "error"; message: string; verification?: Verification };

/** Every kernel message's type, at run time: js/tests/dispatch.test.ts sends each one. A Record of
 * them all, so that a type added to KernelMessage and not here (or one here that is not one) fails
 * to compile. */
const KERNEL_MESSAGES: Record<KernelMessage["type"], true> = {
  start: true,
  rejoin: true,
  logout: true,
  attached: true,
  step_up: true,
  device: true,
};
export const KERNEL_MESSAGE_TYPES = /* @__PURE__ */ Object.keys(KERNEL_MESSAGES) as readonly KernelMessage["type"][];

/** The device grant's link and code as the widget shows them (RFC 8628 §3.3), checked and bounded by
 * the keeper (ipython_oidc_client/_native/checks/device.py; _protocol.py Verification). */
export interface Verification {
  /** verification_uri_complete where the provider gave one, else verification_uri: https (http on
   * loopback only), plain URI characters, no user name. */
  link: string;
  /** The user code, printable characters only, at most 64. */
  code: string;
  /** The link's host as a browser writes it (a port only when not the default), said beside it. */
  host: string;
  /** The link carries the code (check that the page shows it), rather than asking for it (type it). */
  complete: boolean;
  /** Names both hosts when the link's is not the issuer's (some providers use another); else null. */
  warning: string | null;
}

/**
 * Page -> kernel. `session` names the keeper's session this widget now uses; the kernel follows it at
 * the keeper. `token` (exactly four fields) is sent only to a kernel that answered `attached` with
 * `page`: never a refresh token, an ID token, a code or a verifier — the page holds none
 * (docs/architecture.md).
 */
export type PageMessage =
  | { type: "ready" }
  | { type: "status"; status: Status; message: string }
  | { type: "session"; id: string }
  | {
      type: "token";
      access_token: string;
      expires_at: number | null;
      scope: string | null;
      token_type: string;
    }
  | { type: "error"; error: AnyErrorCode; message: string }
  | { type: "expired" }
  | { type: "logged_out" };

/** What the server's keeper shows of a session (ipython_oidc_client/_keeper/session.py view()):
 * never a token. */
export interface SessionView {
  id: string;
  version: number;
  status: "signed_in" | "expired" | "signed_out";
  user: string | null;
  expires_at: number | null;
  renewable: boolean;
  error: { error: AnyErrorCode; message: string } | null;
  issuer: string | null;
  client_id: string;
  label: string | null;
  /** Whether the provider offers RP-initiated logout (its end_session_endpoint). */
  end_session: boolean;
}

export type Status =
  | "idle"
  | "signing_in"
  | "needs_click"
  | "signed_in"
  | "renew_needed"
  | "signed_out"
  | "error";

/** What a widget's buttons do. Each state offers its own (js/widget/views.ts). */
export type ActionId = "sign_in" | "sign_out" | "renew" | "cancel" | "redirect";

export interface Action {
  id: ActionId;
  label: string;
  /** The one thing the state asks for (drawn filled); false where nothing is urged. */
  primary: boolean;
}

/** What one widget shows, drawn as it is by js/widget/widget.ts: its text never decides a button. */
export interface View {
  status: Status;
  /** What happened and what to do; it names only buttons that `actions` shows. */
  message: string;
  /** The buttons, in order; at most one is primary, the one the message points at. */
  actions: Action[];
  /** The administrator's name for the provider, else the authority's host; null before it is known. */
  provider: string | null;
  /** Who is signed in (name, username, email or subject), while a token is held. */
  user: string | null;
  /** When the token the kernel holds expires (epoch seconds); null: no expiry known. */
  expiresAt: number | null;
}

/** Our own error codes; provider errors (RFC 6749 §4.1.2.1) pass through under their own code. The
 * same list as ipython_oidc_client/_codes.py ErrorCode (tests/unit/test_contract_codes.py). */
export type ErrorCode =
  | "popup_blocked"
  | "popup_closed"
  | "timeout"
  | "provider_unreachable"
  | "discovery_invalid"
  | "token_request_failed"
  | "invalid_id_token"
  | "invalid_response"
  | "cancelled"
  | "renewal_failed"
  | "redirect_failed"
  | "issuer_mismatch"
  | "unknown_provider"
  | "registry_unavailable"
  | "no_server_extension"
  | "widget_load_failed"
  // From the server's keeper (docs/keeper.md).
  | "state_mismatch"
  | "unknown_session"
  | "keeper_unavailable"
  | "config"
  | "invalid_request"
  | "keeper_failed"
  | "not_renewable"
  | "invalid_target"
  // The kernel's, the native engine's, the Azure adapter's: the same list as
  // ipython_oidc_client/_codes.py ErrorCode, so that each side names every code.
  | "cannot_wait"
  | "not_signed_in"
  | "token_expired"
  | "expired_token"
  | "insufficient_claims";

/**
 * A code this page did not make and passes on as it came: the provider's own (RFC 6749 §4.1.2.1,
 * §5.2: access_denied, invalid_grant, …) as the keeper reports it, or any code of the keeper's. It is
 * branded so that a plain string — a typo of ours — is not one: only `received` (js/shared/errors.ts)
 * makes one, where a server's answer is read. (A separate field for it was the other way; it would
 * change the kernel's protocol, which has one `error` per message: ipython_oidc_client/_protocol.py.)
 */
export type ProviderErrorCode = string & { readonly provider: true };

/** What an error carries to the kernel: one of our codes, or one passed on (ipython_oidc_client/_codes.py
 * AnyErrorCode, the same name on each side). */
export type AnyErrorCode = ErrorCode | ProviderErrorCode;

/** Marks messages from our callback page (js/callback/callback.ts) to the page that opened the popup. */
export const CALLBACK_SOURCE = "ipython-oidc-client";

/** BroadcastChannel name for one sign-in, used when the provider's COOP header cut window.opener. */
export function callbackChannel(state: string): string {
  return `${CALLBACK_SOURCE}:${state}`;
}

/** What the callback page made of the provider's answer: it hands the answer straight to the
 * server's keeper (POST oidc/redeem), so the code never reaches the notebook page; this is the
 * keeper's reply — a session's view, never a token — or its refusal. */
export type Outcome = { session: SessionView } | { error: AnyErrorCode; message: string };

/** The callback page to the page that opened the window: the sign-in `state` it answers, and its
 * outcome (none for the provider's sign-out coming back, which redeems nothing). */
export interface CallbackMessage {
  source: typeof CALLBACK_SOURCE;
  state: string;
  outcome?: Outcome;
}

/** sessionStorage keys of redirect mode (js/signin/redirect.ts, js/shared/trip.ts), read by the callback page too:
 * which widget's sign-in the tab left for, and the outcome the callback page had from the keeper
 * (a session's view or an error: never a code or a token). */
export const PENDING = "ipython-oidc-client.pending";
export const RESPONSE = "ipython-oidc-client.response";
