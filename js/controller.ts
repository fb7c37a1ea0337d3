// One widget model's view of sign-in: what the user sees and what its kernel is told. Tokens come
// from a Session, which widgets of the same client share (session.ts).
import type { AnyModel } from "@anywidget/types";
import { finishTrip, redirect, rejoin } from "./comeback";
import { SignInError } from "./errors";
import type { Facts, FlowHost } from "./host";
import { KernelLink } from "./kernel";
import type { ActionId, KernelMessage, Status, View, WidgetTraits } from "./messages";
import { engineNow } from "./engine-load";
import type { SignedIn } from "./popup";
import type { Session, SessionEvent } from "./session";
import { sessionKey, sessions } from "./sessions";
import { tripPending } from "./trip";
import { WidgetSettings } from "./settings";
import { start } from "./signin-flow";
import { SignOut } from "./signout";
import * as say from "./wording";

export type { View } from "./messages";
export { HINT_AFTER_MS } from "./signin-flow";

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
  private readonly flows: FlowHost;
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
    this.flows = {
      model,
      settings: this.settings,
      kernel: this.kernel,
      status: () => this.view.status,
      set: (status, message, facts) => this.set(status, message, facts),
      fail: (err) => this.fail(err),
      adopt: (signedIn) => this.adopt(signedIn),
      attach: (session) => this.attach(session),
      generation: () => this.generation,
      current: (generation) => generation === this.generation,
      interrupt: () => this.interrupt(),
      begin: () => {
        const generation = this.interrupt();
        const abort = (this.abort = new AbortController());
        return { generation, signal: abort.signal };
      },
    };
    this.trip = tripPending(model.get("instance")) ? finishTrip(this.flows) : Promise.resolve();
  }

  private onKernel(msg: KernelMessage): void {
    if (msg.type === "start" && this.view.status === "idle") void this.start();
    if (msg.type === "rejoin") void rejoin(this.flows, this.trip, msg.expires_at);
    if (msg.type === "logout") void this.signOut();
  }

  private adopt(signedIn: SignedIn): void {
    if (this.kernel.gone) return;
    const { config, redirectUri } = this.settings;
    const key = sessionKey(config, redirectUri);
    const current = sessions.get(key);
    if (current) current.replace(signedIn);
    this.attach(current ?? new (engineNow().Session)(key, config, signedIn, this.model.get("renew_before")));
  }

  /**
   * The kernel restarted or stopped while this widget lived: whatever it was doing ends here (a
   * sign-in window open is closed, no token is taken for a kernel that cannot receive it), and the
   * widget says so. The new kernel gets a token by running the cell again.
   */
  private kernelGone(): void {
    this.interrupt();
    const session = this.leaveSession();
    // Nobody else in the page uses it: its refresh token and renewal go with this widget.
    if (session && !session.watched) session.end();
    this.set("idle", say.KERNEL_GONE);
  }

  /** The widget model is gone (its kernel stopped): stop receiving the session's tokens. */
  dispose(): void {
    this.interrupt();
    this.leaveSession();
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
    this.interrupt();
    this.fail(new SignInError("cancelled", say.CANCELLED));
  }

  /** Sign in, or join the page's live session for the same client without a new sign-in. */
  start(forceNew = false): Promise<void> {
    return start(this.flows, forceNew);
  }

  /** Sign in by taking this whole tab to the provider and back (the widget's second button). */
  redirect(): Promise<void> {
    return redirect(this.flows);
  }

  /** A new generation: the async steps of the last one find it passed, and its popup is closed. */
  private interrupt(): number {
    const generation = ++this.generation;
    this.abort?.abort();
    return generation;
  }

  /** Stop listening to this widget's session; returns the session it was. */
  private leaveSession(): Session | null {
    const session = this.session;
    this.detach?.();
    this.detach = null;
    this.session = null;
    return session;
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
    this.leaveSession();
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
