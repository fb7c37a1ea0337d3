// A signed-in session, shared by every widget in the page that asks for the same client (js/sessions.ts):
// its tokens (the refresh and ID token only in the session's memory: here and in js/renewal.ts), their
// renewal, and the end of it all, here and at the provider.
import type { OidcClient, OidcMetadata } from "oidc-client-ts";
import type { SignInError } from "./errors";
import type { SignedIn, SignInResult } from "./exchange";
import type { OidcConfig } from "./messages";
import { Renewal } from "./renewal";
import { revokeToken } from "./revocation";
import { sessions } from "./sessions";
import { waitForCallback, type WaitOptions } from "./window";

// js/controller.ts imports these from here.
export { reusable, sessionKey, sessions } from "./sessions";

export type SessionEvent =
  | { kind: "token" }
  | { kind: "renewal_failed"; error: SignInError }
  | { kind: "expired" }
  | { kind: "ended" };

export class Session {
  private listeners = new Set<(e: SessionEvent) => void>();
  private result: SignInResult | null;
  private readonly client: OidcClient;
  private readonly metadata: OidcMetadata;
  private readonly renewal: Renewal;

  constructor(
    readonly key: string,
    private readonly config: OidcConfig,
    signedIn: SignedIn,
    /** Renew this many seconds before expiry (at most half the token's lifetime). */
    renewBefore: number,
  ) {
    this.client = signedIn.client;
    this.metadata = signedIn.metadata;
    this.result = signedIn.result;
    // Closures rather than public members: the refresh and ID token stay out of reach of the widgets.
    this.renewal = new Renewal(
      {
        tokens: () => this.result,
        client: this.client,
        metadata: this.metadata,
        config,
        renewed: (result, obtainedAt) => {
          this.result = result;
          this.renewal.schedule(result, obtainedAt);
          this.emit({ kind: "token" });
        },
        failed: (error) => this.emit({ kind: "renewal_failed", error }),
        expire: () => this.expire(),
      },
      renewBefore,
    );
    sessions.set(key, this);
    this.renewal.schedule(this.result);
  }

  /** What may leave the session: never the refresh token or the ID token. */
  get current(): Omit<SignInResult, "refresh_token" | "id_token"> | null {
    if (!this.result) return null;
    const { refresh_token: _r, id_token: _i, ...shareable } = this.result;
    return shareable;
  }

  get live(): boolean {
    const r = this.result;
    return r !== null && (r.expires_at === null || r.expires_at * 1000 > Date.now());
  }

  get renewable(): boolean {
    return this.result?.refresh_token != null;
  }

  /** Whether any widget still listens to this session. */
  get watched(): boolean {
    return this.listeners.size > 0;
  }

  subscribe(listener: (e: SessionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: SessionEvent): void {
    this.listeners.forEach((l) => l(e));
  }

  /** A fresh sign-in for the same client (the Renew button, where there is no refresh token). */
  replace(signedIn: SignedIn): void {
    this.result = signedIn.result;
    this.renewal.schedule(this.result);
    this.emit({ kind: "token" });
  }

  /** Refresh now (RFC 6749 §6); the new access token goes to every kernel that uses this session. */
  renew(): Promise<void> {
    return this.renewal.renew();
  }

  private expire(): void {
    this.end();
    this.emit({ kind: "expired" });
  }

  /** Forget the tokens here; no more renewals. */
  end(): void {
    this.renewal.stop();
    this.result = null;
    if (sessions.get(this.key) === this) sessions.delete(this.key);
  }

  /** Whether the provider offers RP-initiated logout, which needs a popup. */
  get endsAtProvider(): boolean {
    return typeof this.metadata.end_session_endpoint === "string";
  }

  /**
   * Sign out: revoke the refresh token (RFC 7009) and forget everything here at once, then end the
   * provider's session with RP-initiated logout (RP-Initiated Logout 1.0 §2) in `popup`, which the
   * caller opened inside a user activation. Without a popup, returns the step to run later in one.
   */
  async signOut(
    popup: Window | null,
    postLogoutRedirectUri: string,
    wait: Omit<WaitOptions, "onPopupClosed">,
  ): Promise<((popup: Window) => Promise<void>) | null> {
    const before = this.result;
    this.end();
    this.emit({ kind: "ended" });
    let revokeFailure: unknown = null;
    if (before?.refresh_token && this.metadata.revocation_endpoint) {
      try {
        await revokeToken(this.metadata, this.config.client_id, before.refresh_token, "refresh_token");
      } catch (err) {
        revokeFailure = err; // still end the provider session below, then say so
      }
    }
    const sayIfRevocationFailed = () => {
      if (revokeFailure) throw revokeFailure instanceof Error ? revokeFailure : new Error(String(revokeFailure));
    };
    if (!before || !this.endsAtProvider) {
      sayIfRevocationFailed();
      return null;
    }
    const finish = async (win: Window): Promise<void> => {
      try {
        const request = await this.client.createSignoutRequest({
          id_token_hint: before.id_token,
          post_logout_redirect_uri: postLogoutRedirectUri,
          request_type: "so:p",
          state: "sign-out", // makes oidc-client-ts send a state, which routes the answer back here
        });
        win.location.replace(request.url);
        const url = await waitForCallback(win, request.state?.id ?? "", { ...wait, onPopupClosed: () => {} });
        await this.client.processSignoutResponse(url);
      } finally {
        if (!win.closed) win.close();
      }
    };
    if (popup) await finish(popup);
    sayIfRevocationFailed();
    return popup ? null : finish;
  }
}
