// One widget's sign-in flows, as methods of one object that owns the one AbortController they stop
// by: a popup (the server's keeper makes the authorization request — PKCE S256, state, nonce, none of
// which the page sees —, the page opens it, and our callback page hands the answer to the keeper
// itself, js/callback/), the whole tab taken to the provider and back (js/signin/redirect.ts), a view
// drawn after the page was reloaded, and joining the sign-in another widget of this page has under way
// for the same request (js/signin/inflight.ts), so that one window serves them all. What they show,
// and the session they end with, are the widget's (js/widget/controller.ts, which extends this).
import type { AnyModel } from "@anywidget/types";
import { asSignInError, SignInError } from "../shared/errors";
import type { CallbackMessage, SessionView, Status, WidgetTraits } from "../shared/messages";
import { tripPending } from "../shared/trip";
import * as say from "../shared/wording";
import * as api from "./api";
import { flightKey, knownLive, lead, pending, type InFlight } from "./inflight";
import { keepReturnPath, leave, takeOutcome } from "./redirect";
import { WidgetSettings } from "./settings";
import { openPopup, waitForCallback } from "./window";

/** How long a sign-in window may stay open before the widget names what usually keeps it there. */
export const HINT_AFTER_MS = 8_000;
/** How long the server may take to prepare a sign-in before the window opens blank to wait for it. */
export const EARLY_WINDOW_MS = 150;

function later(ms: number): Promise<null> {
  return new Promise((resolve) => setTimeout(() => resolve(null), ms));
}

/** The session the callback page's outcome names, or its refusal as an error. */
export function sessionOf(message: CallbackMessage): SessionView {
  const outcome = message.outcome;
  if (outcome && "session" in outcome) return outcome.session;
  if (outcome) throw new SignInError(outcome.error, outcome.message);
  throw new SignInError("invalid_response", say.NO_ANSWER);
}

export abstract class SignInFlows {
  readonly settings: WidgetSettings;
  /**
   * Each sign-in, cancel or kernel loss aborts the last controller and makes the next: a flow holds
   * the signal of its own, and an async step that finds it aborted must not touch the widget, which
   * has moved on (its popup is closed, its requests cancelled).
   */
  private run = new AbortController();

  constructor(protected readonly model: AnyModel<WidgetTraits>) {
    this.settings = new WidgetSettings(model);
  }

  /** The state the widget shows. */
  protected abstract get status(): Status;
  protected abstract set(status: Status, message: string): void;
  protected abstract fail(err: SignInError): void;
  /** The keeper's session this widget now uses: follow it, and tell the kernel. */
  protected abstract bound(view: SessionView): void;

  /** Whatever was under way is stopped (its window closed); the signal of what comes next. */
  protected interrupt(): AbortSignal {
    this.run.abort();
    this.run = new AbortController();
    return this.run.signal;
  }

  private get key(): string {
    return flightKey(this.model.get("config"), this.settings.redirectUri);
  }

  /** Ask the keeper to start a sign-in for this widget (or to find the live session it may reuse). */
  private begin(fresh: boolean): Promise<api.Begun> {
    return api.beginOf({
      request: this.model.get("config"),
      redirect_uri: this.settings.redirectUri,
      instance: this.model.get("instance"),
      fresh,
      renew_before: this.model.get("renew_before"),
    });
  }

  /** Sign in, or take the live session the keeper holds for the same request without a new sign-in. */
  async start(forceNew = false): Promise<void> {
    const signal = this.interrupt();
    try {
      await this.settings.settle();
    } catch (err) {
      if (!signal.aborted) this.fail(asSignInError(err));
      return;
    }
    if (signal.aborted) return;
    const underWay = pending(this.key);
    if (underWay && !forceNew) return this.join(underWay, signal);
    if (this.model.get("mode") === "redirect") return this.redirect(forceNew);
    return this.popup(forceNew, signal);
  }

  /** Sign in through a popup window. */
  private async popup(forceNew: boolean, signal: AbortSignal): Promise<void> {
    const { settings, key } = this;
    const causes = say.likelyCauses(settings.config.client_id, settings.redirectUri);
    let hint: ReturnType<typeof setTimeout> | undefined;
    let shared: InFlight | null = null;
    // Said once: a window the user closed is not said again as a timeout at the deadline (the wait goes
    // on, because a COOP header makes an open window look closed, and its answer still counts).
    let closedSaid = false;
    try {
      const timeout = this.model.get("timeout");
      const options = {
        deadline: Date.now() + timeout * 1000,
        signal,
        timeoutMessage: () => say.timedOut(timeout, causes),
        onPopupClosed: () => {
          const err = new SignInError("popup_closed", say.POPUP_CLOSED);
          shared?.abandon(err);
          closedSaid = true;
          if (!signal.aborted) this.fail(err);
        },
      };
      const signIn = (async (): Promise<SessionView> => {
        this.set("signing_in", say.preparing(settings.where));
        const asked = this.begin(forceNew);
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
          if (signal.aborted) throw new SignInError("cancelled", say.CANCELLED);
          if (popup) popup.location.replace(begun.url);
          else popup = openPopup(settings.config, begun.url);
          this.set("signing_in", say.signingIn(settings.where));
          hint = setTimeout(() => {
            if (!signal.aborted && this.status === "signing_in") this.set("signing_in", say.stillWaiting(causes));
          }, HINT_AFTER_MS);
          return sessionOf(await waitForCallback(popup, begun.state, options));
        } finally {
          if (popup && !popup.closed) popup.close();
        }
      })();
      shared = lead(key, signIn);
      const view = await signIn;
      if (signal.aborted) return;
      this.bound(view);
    } catch (err) {
      if (signal.aborted) return;
      const failure = asSignInError(err);
      if (closedSaid && failure.code === "timeout") return;
      this.fail(failure);
    } finally {
      clearTimeout(hint);
    }
  }

  /** Another widget of this page is signing in to the same request: wait for it, then take its session. */
  private async join(underWay: InFlight, signal: AbortSignal): Promise<void> {
    this.set("signing_in", say.SIGNING_IN_ELSEWHERE);
    try {
      await underWay.outcome;
      if (signal.aborted) return;
      const begun = await this.begin(false);
      if (signal.aborted) return;
      if ("session" in begun) this.bound(begun.session);
      else void this.start(); // the session could not serve this widget (a step-up): its own sign-in
    } catch (err) {
      if (!signal.aborted) this.fail(asSignInError(err));
    }
  }

  /** Sign in by taking this whole tab to the provider and back (the widget's second button). */
  async redirect(fresh = false): Promise<void> {
    const signal = this.interrupt();
    const { settings } = this;
    try {
      await settings.settle();
      this.set("signing_in", say.goingTo(settings.where));
      await keepReturnPath();
      const begun = await this.begin(fresh);
      if (signal.aborted) return;
      if ("session" in begun) return this.bound(begun.session);
      leave(this.model.get("instance"), begun.state, begun.url);
    } catch (err) {
      if (!signal.aborted) this.fail(asSignInError(err));
    }
  }

  /** Back from a full-page sign-in that this widget started: the callback page handed the answer to the
   * keeper already; take the session it made, or say why there is none — no click. Resolves at once
   * where this tab holds no trip of this widget's. */
  protected async finishTrip(): Promise<void> {
    if (!tripPending(this.model.get("instance"))) return;
    const outcome = takeOutcome(this.model.get("instance"));
    if (!outcome) return;
    try {
      this.bound(sessionOf(outcome));
    } catch (err) {
      this.fail(asSignInError(err));
    }
  }

  /**
   * A view of a sign-in that began before this page was loaded: the keeper still holds its session
   * (renewed meanwhile, even with the tab closed), so show it; without one, say so and offer Sign in.
   * `trip`: a full-page sign-in coming back finishes it instead.
   */
  protected async rejoin(trip: Promise<void>): Promise<void> {
    const signal = this.run.signal;
    await trip;
    if (signal.aborted || this.status !== "idle") return;
    try {
      await this.settings.settle();
    } catch {
      this.settings.unsettle(); // the label falls back to the kernel's config
    }
    let view = null;
    try {
      view = await api.sessionOf(this.model.get("instance"));
    } catch (err) {
      if (!signal.aborted && this.status === "idle") this.fail(asSignInError(err));
      return;
    }
    // A sign-in started meanwhile (the kernel's start, a click) has the say.
    if (signal.aborted || this.status !== "idle") return;
    if (view) this.bound(view);
    else this.set("signed_out", say.RELOADED_WITHOUT_TOKEN);
  }
}
