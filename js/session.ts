// A signed-in session, shared by every widget in the page that asks for the same client: its
// tokens (the refresh and ID token only here, in module memory), renewal, revocation and sign-out.
import type { OidcClient, OidcMetadata, RefreshState } from "oidc-client-ts";
import { revokeToken } from "./client";
import { jwks } from "./jwks";
import { explain, SignInError } from "./errors";
import { validateIdToken } from "./idtoken";
import type { OidcConfig } from "./messages";
import { clock } from "./page";
import type { SignedIn, SignInResult } from "./popup";
import { waitForCallback, type WaitOptions } from "./window";

export type SessionEvent =
  | { kind: "token" }
  | { kind: "renewal_failed"; error: SignInError }
  | { kind: "expired" }
  | { kind: "ended" };

/** The settings that decide which tokens a sign-in yields: same key, same session. */
export function sessionKey(config: OidcConfig, redirectUri: string): string {
  const { authority, client_id, scope, resource, acr_values, max_age, prompt } = config;
  const { extraQueryParams, extraTokenParams, metadataUrl } = config;
  // A request for a fresh or stronger sign-in (max_age, prompt, acr_values) is another session:
  // a live session's token must not stand in for it.
  const fields = { authority, client_id, scope, resource, acr_values, max_age, prompt };
  return JSON.stringify({ ...fields, extraQueryParams, extraTokenParams, metadataUrl, redirectUri });
}

/**
 * Whether a live session may serve a new authenticate() call: not when it asks the user to sign in
 * again (prompt=login, Core §3.1.2.1), nor when its max_age has passed since the sign-in.
 */
export function reusable(session: Session, config: OidcConfig): boolean {
  if (!session.live) return false;
  if (typeof config.prompt === "string" && config.prompt.split(" ").includes("login")) return false;
  if (typeof config.max_age === "number") {
    const authTime = session.current?.claims.auth_time;
    if (typeof authTime !== "number" || authTime + config.max_age < Date.now() / 1000) return false;
  }
  return true;
}

export const sessions = new Map<string, Session>();

export class Session {
  private listeners = new Set<(e: SessionEvent) => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private result: SignInResult | null;
  private readonly client: OidcClient;
  private readonly metadata: OidcMetadata;

  constructor(
    readonly key: string,
    private readonly config: OidcConfig,
    signedIn: SignedIn,
    /** Renew this many seconds before expiry (at most half the token's lifetime). */
    private readonly renewBefore: number,
  ) {
    this.client = signedIn.client;
    this.metadata = signedIn.metadata;
    this.result = signedIn.result;
    sessions.set(key, this);
    this.schedule();
  }

  /** What may leave this module: never the refresh token or the ID token. */
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
    this.schedule();
    this.emit({ kind: "token" });
  }

  private schedule(obtainedAt = Date.now()): void {
    clearTimeout(this.timer);
    const expiresAt = this.result?.expires_at;
    if (!expiresAt) return;
    const lifetime = expiresAt * 1000 - obtainedAt;
    if (!this.renewable) {
      // Controllers show "click Renew" from `renewable` when they deliver the token.
      this.timer = setTimeout(() => this.expire(), Math.max(0, lifetime));
      return;
    }
    const lead = Math.min(this.renewBefore * 1000, lifetime / 2);
    this.timer = setTimeout(() => void this.renew(), Math.max(0, lifetime - lead));
  }

  private expire(): void {
    this.end();
    this.emit({ kind: "expired" });
  }

  /** Refresh (RFC 6749 §6); the new access token goes to every kernel that uses this session. */
  async renew(): Promise<void> {
    const before = this.result;
    if (!before?.refresh_token) return;
    const started = Date.now();
    try {
      const response = await this.client.useRefreshToken({
        state: {
          refresh_token: before.refresh_token,
          id_token: before.id_token,
          session_state: null,
          scope: before.scope ?? undefined,
          profile: before.claims,
        } as unknown as RefreshState,
        timeoutInSeconds: 10,
      });
      if (this.result !== before) return; // signed out or replaced meanwhile
      let { claims, id_token } = before;
      if (response.id_token && response.id_token !== before.id_token) {
        claims = await validateIdToken(response.id_token, {
          issuer: this.metadata.issuer,
          client_id: this.config.client_id,
          subject: before.claims.sub,
          keys: jwks(this.metadata.jwks_uri),
        });
        id_token = response.id_token;
      }
      this.result = {
        access_token: response.access_token,
        expires_at: response.expires_at ?? null,
        scope: response.scope ?? before.scope,
        token_type: response.token_type || before.token_type,
        // RFC 6749 §6: the provider may rotate the refresh token.
        refresh_token: response.refresh_token ?? before.refresh_token,
        id_token,
        claims,
      };
      this.schedule(started);
      this.emit({ kind: "token" });
    } catch (err) {
      if (this.result !== before) return;
      this.renewalFailed(err, before);
    }
  }

  private renewalFailed(err: unknown, before: SignInResult): void {
    const until = before.expires_at ? clock(before.expires_at) : "soon";
    const left = (before.expires_at ?? 0) * 1000 - Date.now();
    const transient = err instanceof TypeError || (err instanceof Error && err.name === "ErrorTimeout");
    if (transient && left > 4000) {
      this.timer = setTimeout(() => void this.renew(), Math.min(10_000, left / 2));
      this.emit({
        kind: "renewal_failed",
        error: new SignInError(
          "renewal_failed",
          `Could not reach the provider to renew the token; retrying. It is valid until ${until}.`,
        ),
      });
      return;
    }
    const reason = explain(err, {
      authority: this.config.authority,
      client_id: this.config.client_id,
      redirect_uri: "",
    });
    const why = reason.code === "invalid_grant" ? "the sign-in was revoked or has ended" : reason.message;
    this.timer = setTimeout(() => this.expire(), Math.max(0, left));
    this.emit({
      kind: "renewal_failed",
      error: new SignInError(
        "renewal_failed",
        `The token could not be renewed (${reason.code}: ${why}). It is valid until ${until}; ` +
          "click Sign in to sign in again.",
      ),
    });
  }

  /** Forget the tokens here; no more renewals. */
  end(): void {
    clearTimeout(this.timer);
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
