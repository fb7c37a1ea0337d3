// The popup window itself: opening it inside the user's gesture, and waiting for our callback page
// to hand back the provider's answer, by postMessage or, when COOP cut window.opener, BroadcastChannel.
import { SignInError } from "../shared/errors";
import { CALLBACK_SOURCE, callbackChannel, type CallbackMessage, type OidcConfig } from "../shared/messages";
import * as say from "../shared/wording";

export interface WaitOptions {
  /** When to give up, in ms since the epoch. */
  deadline: number;
  signal: AbortSignal;
  /** Called once when the popup looks closed; the answer may still come (COOP cuts the handle). */
  onPopupClosed: () => void;
  /** Said when the deadline passes. */
  timeoutMessage: (seconds: number) => string;
}

/** An unguessable name for each popup (so that two sign-ins never share a window): 48 bits from the
 * browser's CSPRNG, base64url (RFC 4648 §5). */
function windowName(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_");
}

function features(config: OidcConfig): string {
  const custom = (config.popupWindowFeatures ?? {}) as Record<string, string | number | boolean>;
  const size = { width: 500, height: 640, ...custom };
  const left = Math.max(0, window.screenX + (window.outerWidth - Number(size.width)) / 2);
  const top = Math.max(0, window.screenY + (window.outerHeight - Number(size.height)) / 2);
  const all: Record<string, string | number | boolean> = { left, top, popup: true, ...size };
  return Object.entries(all)
    .map(([k, v]) => `${k}=${typeof v === "boolean" ? (v ? "yes" : "no") : v}`)
    .join(",");
}

/** Open a popup at `url` now, synchronously: only within a user activation does the browser allow it. */
export function openPopup(config: OidcConfig, url = ""): Window {
  const popup = window.open(url, `ipython-oidc-client-${windowName()}`, features(config));
  if (!popup) throw new SignInError("popup_blocked", say.POPUP_BLOCKED);
  return popup;
}

/** Resolve with the callback page's message that answers `state`; reject at the deadline or on abort. */
export function waitForCallback(popup: Window, state: string, opts: WaitOptions): Promise<CallbackMessage> {
  return new Promise<CallbackMessage>((resolve, reject) => {
    const channel = new BroadcastChannel(callbackChannel(state));
    const cleanups: Array<() => void> = [() => channel.close()];
    const finish = (fn: () => void) => {
      cleanups.forEach((c) => c());
      fn();
    };
    const accept = (data: unknown) => {
      const msg = data as Partial<CallbackMessage> | null;
      // Ignore anything not answering this very request: other scripts on the page can post too.
      if (msg?.source !== CALLBACK_SOURCE || msg.state !== state) return;
      finish(() => resolve(msg as CallbackMessage));
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

    const seconds = Math.round((opts.deadline - Date.now()) / 1000);
    const timer = setTimeout(
      () => finish(() => reject(new SignInError("timeout", opts.timeoutMessage(seconds)))),
      Math.max(0, opts.deadline - Date.now()),
    );
    cleanups.push(() => clearTimeout(timer));

    const onAbort = () => finish(() => reject(new SignInError("cancelled", say.ABORTED)));
    if (opts.signal.aborted) onAbort();
    opts.signal.addEventListener("abort", onAbort);
    cleanups.push(() => opts.signal.removeEventListener("abort", onAbort));
  });
}
