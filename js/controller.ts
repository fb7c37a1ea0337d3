// One widget model's view of sign-in: what the user sees and what its kernel is told. Tokens come
// from a Session, which widgets of the same client share (session.ts).
import type { AnyModel } from "@anywidget/types";
import { SignInError } from "./errors";
import type { KernelMessage, OidcConfig, PageMessage, Status, WidgetTraits } from "./messages";
import { clock, defaultRedirectUri } from "./page";
import { signInWithPopup, type SignedIn, type SignInResult } from "./popup";
import { finishRedirect, startRedirect, tripPending } from "./redirect";
import { chooseRedirectUri, resolveRequest, type Resolved, type SignInRequest } from "./registry";
import { reusable, Session, sessionKey, sessions, type SessionEvent } from "./session";
import { openPopup } from "./window";

export interface View {
  status: Status;
  message: string;
}

/** How long a sign-in window may stay open before the widget names what usually keeps it there. */
export const HINT_AFTER_MS = 8_000;
/** How long the kernel may take to answer a message about the redirect trip. */
const KERNEL_REPLY_MS = 10_000;

function asSignInError(err: unknown): SignInError {
  return err instanceof SignInError ? err : new SignInError("invalid_response", String(err));
}

function displayName(claims: SignInResult["claims"]): string {
  for (const key of ["name", "preferred_username", "email", "sub"]) {
    if (typeof claims[key] === "string" && claims[key]) return claims[key] as string;
  }
  return "unknown user";
}

export class Controller {
  view: View = { status: "idle", message: "Run this cell to sign in." };
  private listeners = new Set<() => void>();
  private generation = 0;
  private abort: AbortController | null = null;
  private session: Session | null = null;
  private detach: (() => void) | null = null;
  private finishSignOut: ((popup: Window) => Promise<void>) | null = null;
  private resolved: Resolved | null = null;
  private readonly trip: Promise<void>;

  constructor(private readonly model: AnyModel<WidgetTraits>) {
    model.on("msg:custom", (msg: KernelMessage) => {
      const waiter = msg?.type ? this.replies.get(msg.type) : undefined;
      if (waiter) {
        this.replies.delete(msg.type);
        waiter(msg);
      }
      if (msg?.type === "start" && this.view.status === "idle") void this.start();
      if (msg?.type === "rejoin") void this.rejoin(msg.expires_at);
      if (msg?.type === "logout") void this.signOut();
    });
    this.trip = tripPending(model.get("instance")) ? this.finishTrip() : Promise.resolve();
  }

  private readonly replies = new Map<string, (msg: KernelMessage) => void>();

  /** Send the kernel `msg` and wait (bounded) for its `reply`. */
  private ask<T extends KernelMessage["type"]>(msg: PageMessage, reply: T): Promise<Extract<KernelMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replies.delete(reply);
        reject(new SignInError("redirect_failed", "The kernel did not answer. Check that it is running, then click Sign in."));
      }, KERNEL_REPLY_MS);
      this.replies.set(reply, (answer) => {
        clearTimeout(timer);
        resolve(answer as Extract<KernelMessage, { type: T }>);
      });
      this.send(msg);
    });
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
      await this.settle();
    } catch {
      this.resolved = null; // offered below all the same; the click says what is wrong
    }
    // A sign-in started meanwhile (the kernel's start, a click) has the say.
    if (generation !== this.generation || this.view.status !== "idle") return;
    const existing = this.resolved ? sessions.get(sessionKey(this.config, this.redirectUri)) : undefined;
    if (existing && reusable(existing, this.config)) return this.attach(existing);
    if (expiresAt !== null && expiresAt * 1000 > Date.now()) {
      this.set(
        "renew_needed",
        `This page was reloaded, so the token is no longer renewed. The kernel's token is valid until ` +
          `${clock(expiresAt)}; click Renew to sign in again and keep it current.`,
      );
    } else {
      this.set("signed_out", "Not signed in: this page was reloaded before a valid token arrived. Click Sign in.");
    }
  }

  /** Back from a full-page sign-in that this widget started: finish it, without a click. */
  private async finishTrip(): Promise<void> {
    const generation = this.generation;
    try {
      // The trip key, kept by the kernel while the page was away (js/sealed.ts); asked for once.
      const { key } = await this.ask({ type: "trip_back" }, "trip_key");
      const signedIn = await finishRedirect(this.model.get("instance"), key, async () => {
        await this.settle();
        return { config: this.config, redirectUri: this.redirectUri };
      });
      if (signedIn && generation === this.generation) this.adopt(signedIn);
    } catch (err) {
      this.fail(asSignInError(err));
    }
  }

  private adopt(signedIn: SignedIn): void {
    const key = sessionKey(this.config, this.redirectUri);
    const current = sessions.get(key);
    if (current) current.replace(signedIn);
    this.attach(current ?? new Session(key, this.config, signedIn, this.model.get("renew_before")));
  }

  /** Sign in by taking this whole tab to the provider and back (the widget's second button). */
  async redirect(): Promise<void> {
    this.generation++;
    this.abort?.abort();
    try {
      await this.settle();
      this.set("signing_in", `Going to ${this.where} to sign in…`);
      await startRedirect(this.config, this.redirectUri, this.model.get("instance"), async (key) => {
        await this.ask({ type: "trip_key", key }, "trip_key_kept");
      });
    } catch (err) {
      this.fail(asSignInError(err));
    }
  }

  /** What the kernel asked for, with the server's settings for it (an administrator's provider). */
  private async settle(): Promise<void> {
    this.resolved = await resolveRequest(this.model.get("config") as SignInRequest);
  }

  private get config(): OidcConfig {
    return this.resolved?.config ?? this.model.get("config");
  }

  private get where(): string {
    const name = this.resolved?.provider;
    return name ? `${name} (${this.config.authority})` : this.config.authority;
  }

  private get redirectUri(): string {
    const resolved = this.resolved ?? { config: this.config, provider: null, redirectUri: null };
    const pinned = this.model.get("pinned_redirect_uri") ?? "";
    return chooseRedirectUri(resolved, pinned, this.model.get("redirect_path"), defaultRedirectUri());
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

  private send(msg: PageMessage): void {
    this.model.send(msg);
  }

  private set(status: Status, message: string): void {
    this.view = { status, message };
    this.listeners.forEach((l) => l());
    this.send({ type: "status", status, message });
  }

  private fail(err: SignInError): void {
    this.set(err.code === "popup_blocked" ? "needs_click" : "error", err.message);
    this.send({ type: "error", error: err.code, message: err.message });
  }

  /** The widget's button. A click is a user gesture: popups opened here are allowed. */
  click(): void {
    const { status } = this.view;
    if (status === "signing_in") return this.cancel();
    const finish = this.finishSignOut;
    if (finish) {
      this.finishSignOut = null;
      void this.endAtProvider(() => finish(openPopup(this.config)), "Signed out, here and at the provider.");
      return;
    }
    void this.start(status === "renew_needed");
  }

  cancel(): void {
    this.generation++;
    this.abort?.abort();
    this.fail(new SignInError("cancelled", "Sign-in cancelled. Click Sign in to start again."));
  }

  /** Sign in, or join the page's live session for the same client without a new sign-in. */
  async start(forceNew = false): Promise<void> {
    const generation = ++this.generation;
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    try {
      await this.settle();
    } catch (err) {
      if (generation === this.generation) this.fail(asSignInError(err));
      return;
    }
    if (generation !== this.generation) return;
    const config = this.config;
    const redirectUri = this.redirectUri;
    const key = sessionKey(config, redirectUri);
    const existing = sessions.get(key);
    if (existing && reusable(existing, config) && !forceNew) return this.attach(existing);
    if (this.model.get("mode") === "redirect") return this.redirect();
    this.set("signing_in", `Signing in at ${this.where}… finish in the sign-in window.`);
    const hint = setTimeout(() => {
      if (generation !== this.generation || this.view.status !== "signing_in") return;
      this.set("signing_in", `Still waiting for the sign-in window. ${this.likelyCauses(redirectUri)}`);
    }, HINT_AFTER_MS);
    try {
      const timeout = this.model.get("timeout");
      const signedIn = await signInWithPopup(config, {
        redirectUri,
        deadline: Date.now() + timeout * 1000,
        signal: abort.signal,
        timeoutMessage: () =>
          `Sign-in did not finish within ${timeout} s. ${this.likelyCauses(redirectUri)} Then click Sign in.`,
        onPopupClosed: () => {
          if (generation !== this.generation) return;
          this.fail(
            new SignInError(
              "popup_closed",
              "The sign-in window was closed before sign-in finished. Click Sign in to try again.",
            ),
          );
        },
      });
      if (generation !== this.generation) return;
      this.adopt(signedIn);
    } catch (err) {
      if (generation !== this.generation) return;
      this.fail(asSignInError(err));
    } finally {
      clearTimeout(hint);
    }
  }

  /** What keeps a sign-in window from coming back: the provider shows its error there, not here. */
  private likelyCauses(redirectUri: string): string {
    return (
      "If it shows an error, the usual causes are a client_id the provider does not know " +
      `("${this.config.client_id}": invalid_client) or a redirect URI not registered for it: register ` +
      `exactly ${redirectUri} (or set "redirect_uri").`
    );
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
    this.send({
      type: "token",
      access_token: token.access_token,
      expires_at: token.expires_at,
      scope: token.scope,
      token_type: token.token_type,
    });
    const who = `Signed in as ${displayName(token.claims)}`;
    if (!token.expires_at) return this.set("signed_in", who);
    const until = clock(token.expires_at);
    if (this.session?.renewable) return this.set("signed_in", `${who} · token valid until ${until}, renewed automatically`);
    this.set(
      "renew_needed",
      `${who} · token valid until ${until}. This provider gives no refresh token: click Renew before then.`,
    );
  }

  private onSession(e: SessionEvent): void {
    if (e.kind === "token") return this.deliver();
    if (e.kind === "renewal_failed") return this.fail(e.error);
    this.detach?.();
    this.detach = null;
    this.session = null;
    if (e.kind === "expired") {
      this.set("error", "The access token has expired. Click Sign in to get a new one.");
      this.send({ type: "expired" });
    } else if (e.kind === "ended") {
      this.set("signed_out", "Signed out.");
      this.send({ type: "logged_out" });
    }
  }

  /** Asked by the kernel (logout()): right after the cell ran, so a popup is usually allowed. */
  async signOut(): Promise<void> {
    const session = this.session;
    if (!session) {
      this.set("signed_out", "Signed out.");
      this.send({ type: "logged_out" });
      return;
    }
    let popup: Window | null = null;
    if (session.endsAtProvider) {
      try {
        popup = openPopup(this.config);
      } catch {
        popup = null; // offered as a button below
      }
    }
    const done = session.endsAtProvider
      ? "Signed out, here and at the provider."
      : "Signed out. The provider offers no sign-out endpoint, so its own session may remain.";
    await this.endAtProvider(async () => {
      const finish = await session.signOut(popup, this.redirectUri, this.signOutWait());
      if (finish) {
        this.finishSignOut = finish;
        this.set("needs_click", "Signed out here. Click Sign out to also end your session at the provider.");
      }
    }, done);
  }

  private signOutWait() {
    const timeout = this.model.get("timeout");
    return {
      deadline: Date.now() + timeout * 1000,
      signal: new AbortController().signal,
      timeoutMessage: (s: number) => `The provider did not confirm the sign-out within ${s} s.`,
    };
  }

  private async endAtProvider(run: () => Promise<void>, done: string): Promise<void> {
    try {
      await run();
      if (!this.finishSignOut) this.set("signed_out", done);
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      this.set("error", `Signed out here, but ending the session at the provider failed (${text}).`);
    }
  }
}
