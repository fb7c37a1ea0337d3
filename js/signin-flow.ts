// Signing in through a popup window: the server's keeper makes the authorization request (PKCE S256,
// state, nonce — none of which the page sees), the page opens it, and our callback page hands the
// answer to the keeper itself (js/callback.ts), then tells this page the outcome. Or joining the
// sign-in another widget of this page has under way for the same request (js/inflight.ts), so that
// one window serves them all.
import { beginOf, type Begun } from "./api";
import { redirect } from "./comeback";
import { SignInError } from "./errors";
import type { FlowHost } from "./host";
import { flightKey, knownLive, lead, pending, type InFlight } from "./inflight";
import type { CallbackMessage, SessionView } from "./messages";
import { openPopup, waitForCallback } from "./window";
import * as say from "./wording";

/** How long a sign-in window may stay open before the widget names what usually keeps it there. */
export const HINT_AFTER_MS = 8_000;
/** How long the server may take to prepare a sign-in before the window opens blank to wait for it. */
export const EARLY_WINDOW_MS = 150;

function later(ms: number): Promise<null> {
  return new Promise((resolve) => setTimeout(() => resolve(null), ms));
}

/** Ask the keeper to start a sign-in for this widget (or to find the live session it may reuse). */
export function beginFor(host: FlowHost, fresh: boolean): Promise<Begun> {
  const { model, settings } = host;
  return beginOf({
    request: model.get("config"),
    redirect_uri: settings.redirectUri,
    instance: model.get("instance"),
    fresh,
    renew_before: model.get("renew_before"),
  });
}

/** The session the callback page's outcome names, or its refusal as an error. */
export function sessionOf(message: CallbackMessage): SessionView {
  const outcome = message.outcome;
  if (outcome && "session" in outcome) return outcome.session;
  if (outcome) throw new SignInError(outcome.error, outcome.message);
  throw new SignInError("invalid_response", "The sign-in window came back without an answer. Click Sign in.");
}

/** Sign in, or take the live session the keeper holds for the same request without a new sign-in. */
export async function start(host: FlowHost, forceNew = false): Promise<void> {
  const { generation, signal } = host.begin();
  const { settings } = host;
  try {
    await settings.settle();
  } catch (err) {
    if (host.current(generation)) host.fail(say.asSignInError(err));
    return;
  }
  if (!host.current(generation)) return;
  const key = flightKey(host.model.get("config"), settings.redirectUri);
  const underWay = pending(key);
  if (underWay && !forceNew) return join(host, underWay, generation);
  if (host.model.get("mode") === "redirect") return redirect(host, forceNew);
  const causes = say.likelyCauses(settings.config.client_id, settings.redirectUri);
  let hint: ReturnType<typeof setTimeout> | undefined;
  let shared: InFlight | null = null;
  // Said once: a window the user closed is not said again as a timeout at the deadline (the wait goes
  // on, because a COOP header makes an open window look closed, and its answer still counts).
  let closedSaid = false;
  try {
    const timeout = host.model.get("timeout");
    const options = {
      deadline: Date.now() + timeout * 1000,
      signal,
      timeoutMessage: () => say.timedOut(timeout, causes),
      onPopupClosed: () => {
        const err = new SignInError("popup_closed", say.POPUP_CLOSED);
        shared?.abandon(err);
        closedSaid = true;
        if (host.current(generation)) host.fail(err);
      },
    };
    const signIn = (async (): Promise<SessionView> => {
      host.set("signing_in", say.preparing(settings.where));
      const asked = beginFor(host, forceNew);
      asked.catch(() => {}); // awaited below, unless a refused window ends the sign-in first
      // The window opens at the keeper's URL as soon as the server answers — one navigation, the
      // quickest. A server slower than EARLY_WINDOW_MS gets a blank window meanwhile, so that the
      // user's activation is not spent waiting; unless this page knows a live session for the request,
      // which the keeper will hand over without any window (a kernel restarted, the cell run again).
      let popup: Window | null = null;
      try {
        let begun = forceNew || !knownLive(key) ? await Promise.race([asked, later(EARLY_WINDOW_MS)]) : await asked;
        if (begun === null) {
          popup = openPopup(settings.config);
          begun = await asked;
        }
        if ("session" in begun) return begun.session;
        if (!host.current(generation)) throw new SignInError("cancelled", say.CANCELLED);
        if (popup) popup.location.replace(begun.url);
        else popup = openPopup(settings.config, begun.url);
        host.set("signing_in", say.signingIn(settings.where));
        hint = setTimeout(() => {
          if (host.current(generation) && host.status() === "signing_in") host.set("signing_in", say.stillWaiting(causes));
        }, HINT_AFTER_MS);
        return sessionOf(await waitForCallback(popup, begun.state, options));
      } finally {
        if (popup && !popup.closed) popup.close();
      }
    })();
    shared = lead(key, signIn);
    const view = await signIn;
    if (!host.current(generation)) return;
    host.bound(view);
  } catch (err) {
    if (!host.current(generation)) return;
    const failure = say.asSignInError(err);
    if (closedSaid && failure.code === "timeout") return;
    host.fail(failure);
  } finally {
    clearTimeout(hint);
  }
}

/** Another widget of this page is signing in to the same request: wait for it, then take its session. */
async function join(host: FlowHost, underWay: InFlight, generation: number): Promise<void> {
  host.set("signing_in", say.SIGNING_IN_ELSEWHERE);
  try {
    await underWay.outcome;
    if (!host.current(generation)) return;
    const begun = await beginFor(host, false);
    if (!host.current(generation)) return;
    if ("session" in begun) host.bound(begun.session);
    else void start(host); // the session could not serve this widget (a step-up): its own sign-in
  } catch (err) {
    if (host.current(generation)) host.fail(say.asSignInError(err));
  }
}
