// One widget model's view of sign-in: what the user sees and what its kernel is told. The session
// itself lives in the server's keeper (docs/keeper.md); this page follows it (js/signin/watch.ts) and
// shows it, and relays access tokens only to a kernel that cannot reach the keeper itself. The sign-in
// flows are this object's own methods (js/signin/flows.ts), stopped by its one AbortController.
import type { AnyModel } from "@anywidget/types";
import type { KernelHandlers } from "../shared/dispatch";
import { asSignInError, SignInError } from "../shared/errors";
import type { ActionId, SessionView, Status, View, WidgetTraits } from "../shared/messages";
import * as say from "../shared/wording";
import * as api from "../signin/api";
import { SignInFlows } from "../signin/flows";
import { flightKey, remember } from "../signin/inflight";
import { SignOut } from "../signin/signout";
import { follow, told } from "../signin/watch";
import { KernelLink } from "./kernel";
import { view as viewOf } from "./views";

export class Controller extends SignInFlows {
  view: View;
  private listeners = new Set<() => void>();
  /** The keeper's session this widget shows, as last seen. */
  private session: SessionView | null = null;
  private unfollow: (() => void) | null = null;
  /** The kernel answered `attached` with `page`: it cannot reach the keeper, so tokens go through here. */
  private relay = false;
  /** An API asked for a stronger sign-in: the next Sign in is a fresh one, never the live session. */
  private stepUp = false;
  private relayed: number | null = null;
  private readonly kernel: KernelLink;
  private readonly signOutFlow: SignOut;
  private readonly trip: Promise<void>;

  constructor(model: AnyModel<WidgetTraits>) {
    super(model);
    this.kernel = new KernelLink(
      model,
      this.onKernel,
      () => this.kernelGone(),
      () => ({ type: "status", status: this.view.status, message: this.view.message }),
    );
    this.signOutFlow = new SignOut({
      set: (s, m) => this.set(s, m),
      signedOut: () => {
        this.leaveSession();
        this.forgetLive();
        this.session = null; // no holder, no expiry is shown from here on
        this.kernel.send({ type: "logged_out" });
      },
    });
    this.view = viewOf("idle", say.IDLE, { provider: this.settings.provider });
    this.trip = this.finishTrip();
  }

  /** What each kernel message does (js/shared/dispatch.ts hands each to its own). */
  private readonly onKernel: KernelHandlers = {
    start: () => {
      if (this.view.status === "idle") void this.start();
    },
    rejoin: () => void this.rejoin(this.trip),
    logout: () => void this.signOut(),
    // A popup needs the person's click (user activation): ask for it, saying why.
    step_up: (msg) => {
      this.stepUp = true;
      this.set("needs_click", msg.message);
    },
    attached: (msg) => {
      this.relay = msg.via === "page";
      if (this.session) this.show(this.session);
    },
    // The kernel's own device sign-in, started because this page said no_server_extension (a server
    // whose sign-in routes answered 404): its words are shown as they are, text only — the loader's
    // stand-in (js/loader/) is what links the verification URI, where no extension serves this module.
    device: (msg) => this.draw(msg.state === "waiting" ? "signing_in" : msg.state, msg.message),
  };

  /** The keeper's session this widget uses from now on (a sign-in, or a live session found again). */
  protected bound(view: SessionView): void {
    if (this.kernel.gone) return;
    if (this.session?.id !== view.id) {
      this.leaveSession();
      this.unfollow = follow(view, (next) => (next ? this.show(next) : this.sessionGone()));
    }
    this.session = view;
    this.relayed = null;
    // The kernel follows the session at the keeper itself, or answers that it cannot (`attached`).
    this.kernel.send({ type: "session", id: view.id });
    this.show(view);
  }

  /**
   * The kernel restarted or stopped while this widget lived: whatever it was doing ends here (a
   * sign-in window open is closed), and the widget says so. The session stays in the keeper: the new
   * kernel gets it by running the cell again, without a window.
   */
  private kernelGone(): void {
    this.interrupt();
    this.leaveSession();
    this.set("idle", say.KERNEL_GONE);
  }

  /** The widget model is gone (its kernel stopped): stop following the session. */
  dispose(): void {
    this.interrupt();
    this.leaveSession();
    this.listeners.clear();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  protected get status(): Status {
    return this.view.status;
  }

  /** Show a state and tell the kernel. */
  protected set(status: Status, message: string): void {
    this.draw(status, message);
    this.kernel.send({ type: "status", status, message: this.view.message });
  }

  /** Show a state: its buttons follow from it (js/widget/views.ts), the holder and expiry from the session. */
  private draw(status: Status, message: string): void {
    const s = this.session;
    this.view = viewOf(status, message, {
      signOutPending: this.signOutFlow.waitingForClick,
      provider: s?.label ?? this.settings.provider,
      user: s?.status === "signed_in" ? s.user : null,
      expiresAt: s && s.status !== "signed_out" ? s.expires_at : null,
    });
    this.listeners.forEach((l) => l());
  }

  protected fail(err: SignInError): void {
    this.set(err.code === "popup_blocked" ? "needs_click" : "error", err.message);
    this.kernel.send({ type: "error", error: err.code, message: this.view.message });
  }

  /** What the keeper says of the session, shown; to a kernel that cannot reach the keeper, relayed. */
  private show(view: SessionView): void {
    this.session = view;
    // The page's memory of this request's session: its next sign-in knows whether a window is likely.
    remember(flightKey(this.model.get("config"), this.settings.redirectUri), view);
    if (view.status === "signed_out") {
      this.leaveSession();
      this.set("signed_out", say.SIGNED_OUT);
      this.kernel.send({ type: "logged_out" });
      return;
    }
    if (view.status === "expired") {
      // The reason (a failed renewal) stays the kernel's, from the keeper; the widget says what now.
      this.fail(new SignInError(view.error?.error ?? "token_expired", say.EXPIRED));
      this.kernel.send({ type: "expired" });
      return;
    }
    if (view.error) {
      // Renewal failing while the token lives: said, with the way out; the token stays in the kernel.
      this.fail(new SignInError(view.error.error, view.error.message));
    } else {
      this.set(view.renewable || !view.expires_at ? "signed_in" : "renew_needed", say.signedIn(view, this.relay));
    }
    if (this.relay && this.relayed !== view.version) void this.relayToken(view);
  }

  private async relayToken(view: SessionView): Promise<void> {
    this.relayed = view.version;
    try {
      const { access_token, expires_at, scope, token_type } = await api.accessToken(view.id);
      if (this.session?.id === view.id) this.kernel.send({ type: "token", access_token, expires_at, scope, token_type });
    } catch (err) {
      if (this.session?.id === view.id) this.fail(asSignInError(err));
    }
  }

  /** The session is no longer live (signed out here, or the keeper lost it), though no view said so:
   * the page stops counting on it, so its next sign-in opens the early window again. */
  private forgetLive(): void {
    if (this.session) {
      remember(flightKey(this.model.get("config"), this.settings.redirectUri), { ...this.session, status: "signed_out" });
    }
  }

  /** The keeper no longer knows the session (it was restarted, with the server or alone). */
  private sessionGone(): void {
    this.unfollow = null;
    this.forgetLive();
    this.session = null;
    this.fail(new SignInError("unknown_session", say.KEEPER_GONE));
    this.kernel.send({ type: "expired" });
  }

  /** One of the widget's buttons. A click is a user gesture: popups opened here are allowed. */
  act(action: ActionId): void {
    if (!this.view.actions.some((a) => a.id === action)) return; // a button of a state that has passed
    switch (action) {
      case "cancel":
        return this.cancel();
      case "redirect":
        return void this.redirect(true);
      case "sign_out":
        if (this.signOutFlow.waitingForClick) {
          return this.signOutFlow.finishOnClick(this.settings.config, this.model.get("timeout"));
        }
        return void this.signOut();
      case "renew":
        // With a refresh token, at once and without a window; else a fresh sign-in.
        if (this.session?.renewable && this.session.status === "signed_in") return void this.renew(this.session.id);
        return void this.start(true);
      case "sign_in": {
        // After an error the session may be the trouble (its renewal failed), and an API that asked
        // for a stronger sign-in refused the live one: sign in afresh.
        const fresh = this.view.status === "error" || this.stepUp;
        this.stepUp = false;
        return void this.start(fresh);
      }
    }
  }

  private async renew(id: string): Promise<void> {
    try {
      told(await api.renew(id));
    } catch (err) {
      this.fail(asSignInError(err));
    }
  }

  cancel(): void {
    this.interrupt();
    this.fail(new SignInError("cancelled", say.CANCELLED));
  }

  /** Stop following this widget's session; the keeper keeps it. */
  private leaveSession(): void {
    this.unfollow?.();
    this.unfollow = null;
  }

  /** Asked by the kernel (logout()) or the Sign out button: right after the cell ran or the click, so
   * a popup is usually allowed. The session may already be signed out here: the kernel's logout()
   * also ends it at the keeper itself (a page may be closed), and the page can hear that first. The
   * keeper still gives the provider's sign-out URL for it (docs/keeper.md, logout), so it is asked. */
  async signOut(): Promise<void> {
    const { config, redirectUri } = this.settings;
    await this.signOutFlow.run(this.session, config, redirectUri, this.model.get("timeout"));
  }
}
