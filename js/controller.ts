// One widget model's view of sign-in: what the user sees and what its kernel is told. Tokens come
// from a Session, which widgets of the same client share (session.ts).
import type { AnyModel } from "@anywidget/types";
import { SignInError } from "./errors";
import { lead, pending, type InFlight } from "./inflight";
import { KernelLink } from "./kernel";
import type { ActionId, KernelMessage, Status, View, WidgetTraits } from "./messages";
import { signInWithPopup, type SignedIn } from "./popup";
import { finishRedirect, startRedirect, tripPending } from "./redirect";
import { reusable, Session, sessionKey, sessions, type SessionEvent } from "./session";
import { WidgetSettings } from "./settings";
import { SignOut } from "./signout";
import * as say from "./wording";

export type { View } from "./messages";

/** Who holds the token and until when, where no session of this page says it (a reloaded page). */
interface Facts {
  user?: string | null;
  expiresAt?: number | null;
}

/** How long a sign-in window may stay open before the widget names what usually keeps it there. */
export const HINT_AFTER_MS = 8_000;

export class Controller {
  view: View;
  private listeners = new Set<() => void>();
  private generation = 0;
  private abort: AbortController | null = null;
  private session: Session | null = null;
  private detach: (() => void) | null = null;
  private readonly kernel: KernelLink;
  private readonly settings: WidgetSettings;
  private readonly signOutFlow: SignOut;
  private readonly trip: Promise<void>;

  constructor(private readonly model: AnyModel<WidgetTraits>) {
    this.settings = new WidgetSettings(model);
    this.kernel = new KernelLink(
      model,
      (msg) => this.onKernel(msg),
      () => this.kernelGone(),
      () => ({ type: "status", status: this.view.status, message: this.view.message }),
    );
    this.signOutFlow = new SignOut({ set: (s, m) => this.set(s, m), send: (m) => this.kernel.send(m) });
    this.view = say.view("idle", say.IDLE, { provider: this.settings.provider });
    this.trip = tripPending(model.get("instance")) ? this.finishTrip() : Promise.resolve();
  }

  private onKernel(msg: KernelMessage): void {
    if (msg.type === "start" && this.view.status === "idle") void this.start();
    if (msg.type === "rejoin") void this.rejoin(msg.expires_at);
    if (msg.type === "logout") void this.signOut();
  }

  /**
   * A view of a sign-in that began before this page was loaded (a reload, the notebook reopened):
   * the page's tokens died with the old page, so say where the kernel's token stands and offer
   * one click to go on, unless this page already holds a session for the same client.
   */
  private async rejoin(expiresAt: number | null): Promise<void> {
    const generation = this.generation;
    await this.trip; // back from a full-page sign-in: that finishes it instead
    if (this.view.status !== "idle") return;
    try {
      await this.settings.settle();
    } catch {
      this.settings.unsettle(); // offered below all the same; the click says what is wrong
    }
    // A sign-in started meanwhile (the kernel's start, a click) has the say.
    if (generation !== this.generation || this.view.status !== "idle") return;
    const { config, redirectUri } = this.settings;
    const existing = this.settings.settled ? sessions.get(sessionKey(config, redirectUri)) : undefined;
    if (existing && reusable(existing, config)) return this.attach(existing);
    if (expiresAt !== null && expiresAt * 1000 > Date.now()) {
      this.set("renew_needed", say.reloaded(expiresAt), { expiresAt });
    }
    else this.set("signed_out", say.RELOADED_WITHOUT_TOKEN);
  }

  /** Back from a full-page sign-in that this widget started: finish it, without a click. */
  private async finishTrip(): Promise<void> {
    const generation = this.generation;
    try {
      // The trip key, kept by the kernel while the page was away (js/sealed.ts); asked for once.
      const { key } = await this.kernel.ask({ type: "trip_back" }, "trip_key");
      const signedIn = await finishRedirect(this.model.get("instance"), key, async () => {
        await this.settings.settle();
        return { config: this.settings.config, redirectUri: this.settings.redirectUri };
      });
      if (signedIn && generation === this.generation) this.adopt(signedIn);
    } catch (err) {
      this.fail(say.asSignInError(err));
    }
  }

  private adopt(signedIn: SignedIn): void {
    if (this.kernel.gone) return;
    const { config, redirectUri } = this.settings;
    const key = sessionKey(config, redirectUri);
    const current = sessions.get(key);
    if (current) current.replace(signedIn);
    this.attach(current ?? new Session(key, config, signedIn, this.model.get("renew_before")));
  }

  /** Sign in by taking this whole tab to the provider and back (the widget's second button). */
  async redirect(): Promise<void> {
    this.generation++;
    this.abort?.abort();
    try {
      await this.settings.settle();
      this.set("signing_in", say.goingTo(this.settings.where));
      const { config, redirectUri } = this.settings;
      await startRedirect(config, redirectUri, this.model.get("instance"), async (key) => {
        await this.kernel.ask({ type: "trip_key", key }, "trip_key_kept");
      });
    } catch (err) {
      this.fail(say.asSignInError(err));
    }
  }

  /**
   * The kernel restarted or stopped while this widget lived: whatever it was doing ends here (a
   * sign-in window open is closed, no token is taken for a kernel that cannot receive it), and the
   * widget says so. The new kernel gets a token by running the cell again.
   */
  private kernelGone(): void {
    this.generation++;
    this.abort?.abort();
    const session = this.session;
    this.detach?.();
    this.detach = null;
    this.session = null;
    // Nobody else in the page uses it: its refresh token and renewal go with this widget.
    if (session && !session.watched) session.end();
    this.set("idle", say.KERNEL_GONE);
  }

  /** The widget model is gone (its kernel stopped): stop receiving the session's tokens. */
  dispose(): void {
    this.generation++;
    this.abort?.abort();
    this.detach?.();
    this.detach = null;
    this.session = null;
    this.listeners.clear();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Show a state: its buttons follow from it (js/wording.ts), the token's holder and expiry from
   * this page's session unless `facts` says otherwise. */
  private set(status: Status, message: string, facts: Facts = {}): void {
    const token = this.session?.current;
    this.view = say.view(status, message, {
      signOutPending: this.signOutFlow.waitingForClick,
      provider: this.settings.provider,
      user: facts.user !== undefined ? facts.user : token ? say.displayName(token.claims) : null,
      expiresAt: facts.expiresAt !== undefined ? facts.expiresAt : (token?.expires_at ?? null),
    });
    this.listeners.forEach((l) => l());
    this.kernel.send({ type: "status", status, message: this.view.message });
  }

  private fail(err: SignInError): void {
    this.set(err.code === "popup_blocked" ? "needs_click" : "error", err.message);
    this.kernel.send({ type: "error", error: err.code, message: this.view.message });
  }

  /** One of the widget's buttons. A click is a user gesture: popups opened here are allowed. */
  act(action: ActionId): void {
    if (!this.view.actions.some((a) => a.id === action)) return; // a button of a state that has passed
    switch (action) {
      case "cancel":
        return this.cancel();
      case "redirect":
        return void this.redirect();
      case "sign_out":
        if (this.signOutFlow.waitingForClick) return this.signOutFlow.finishOnClick(this.settings.config);
        return void this.signOut();
      case "renew":
        // With a refresh token, at once and without a window; else a fresh sign-in.
        if (this.session?.renewable && this.session.live) return void this.session.renew();
        return void this.start(true);
      case "sign_in":
        // After an error a live session may be the trouble (its renewal failed): sign in afresh.
        return void this.start(this.view.status === "error");
    }
  }

  cancel(): void {
    this.generation++;
    this.abort?.abort();
    this.fail(new SignInError("cancelled", say.CANCELLED));
  }

  /** Sign in, or join the page's live session for the same client without a new sign-in. */
  async start(forceNew = false): Promise<void> {
    const generation = ++this.generation;
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    try {
      await this.settings.settle();
    } catch (err) {
      if (generation === this.generation) this.fail(say.asSignInError(err));
      return;
    }
    if (generation !== this.generation) return;
    const { config, redirectUri } = this.settings;
    const key = sessionKey(config, redirectUri);
    const existing = sessions.get(key);
    if (existing && reusable(existing, config) && !forceNew) return this.attach(existing);
    const underWay = pending(key);
    if (underWay && !forceNew) return this.join(underWay, key, generation);
    if (this.model.get("mode") === "redirect") return this.redirect();
    this.set("signing_in", say.signingIn(this.settings.where));
    const causes = say.likelyCauses(config.client_id, redirectUri);
    const hint = setTimeout(() => {
      if (generation !== this.generation || this.view.status !== "signing_in") return;
      this.set("signing_in", say.stillWaiting(causes));
    }, HINT_AFTER_MS);
    let shared: InFlight | null = null;
    try {
      const timeout = this.model.get("timeout");
      const signIn = signInWithPopup(config, {
        redirectUri,
        deadline: Date.now() + timeout * 1000,
        signal: abort.signal,
        timeoutMessage: () => say.timedOut(timeout, causes),
        onPopupClosed: () => {
          const err = new SignInError("popup_closed", say.POPUP_CLOSED);
          shared?.abandon(err);
          if (generation === this.generation) this.fail(err);
        },
      });
      shared = lead(key, signIn);
      const signedIn = await signIn;
      if (generation !== this.generation) return;
      this.adopt(signedIn);
    } catch (err) {
      if (generation !== this.generation) return;
      this.fail(say.asSignInError(err));
    } finally {
      clearTimeout(hint);
    }
  }

  /** Another widget of this page is signing in to the same client: wait for it, share its session. */
  private async join(underWay: InFlight, key: string, generation: number): Promise<void> {
    this.set("signing_in", say.SIGNING_IN_ELSEWHERE);
    try {
      const signedIn = await underWay.outcome;
      if (generation !== this.generation) return;
      const session = sessions.get(key);
      if (session) this.attach(session);
      else this.adopt(signedIn); // the widget that signed in went away before keeping it
    } catch (err) {
      if (generation === this.generation) this.fail(say.asSignInError(err));
    }
  }

  private attach(session: Session): void {
    if (this.session !== session) {
      this.detach?.();
      this.session = session;
      this.detach = session.subscribe((e) => this.onSession(e));
    }
    this.deliver();
  }

  private deliver(): void {
    const token = this.session?.current;
    if (!token) return;
    const { access_token, expires_at, scope, token_type } = token;
    if (!this.kernel.send({ type: "token", access_token, expires_at, scope, token_type })) return;
    const renewable = this.session?.renewable ?? false;
    const status = !expires_at || renewable ? "signed_in" : "renew_needed";
    this.set(status, say.signedIn(token.claims, expires_at, renewable));
  }

  private onSession(e: SessionEvent): void {
    if (e.kind === "token") return this.deliver();
    if (e.kind === "renewal_failed") return this.fail(e.error);
    this.detach?.();
    this.detach = null;
    this.session = null;
    if (e.kind === "expired") {
      this.set("error", say.EXPIRED);
      this.kernel.send({ type: "expired" });
    } else if (e.kind === "ended") {
      this.set("signed_out", say.SIGNED_OUT);
      this.kernel.send({ type: "logged_out" });
    }
  }

  /** Asked by the kernel (logout()): right after the cell ran, so a popup is usually allowed. */
  async signOut(): Promise<void> {
    const { config, redirectUri } = this.settings;
    await this.signOutFlow.run(this.session, config, redirectUri, this.model.get("timeout"));
  }
}
