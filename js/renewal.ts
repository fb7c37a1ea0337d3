// When and how a session's access token is renewed: with the refresh token (RFC 6749 §6) ahead of
// expiry, retried while the provider cannot be reached and the token still lives, given up when the
// provider refuses; a token that cannot be renewed expires on time.
import type { OidcClient, OidcMetadata, RefreshState } from "oidc-client-ts";
import { explain, SignInError } from "./errors";
import type { SignInResult } from "./exchange";
import { validateIdToken } from "./idtoken";
import { jwks } from "./jwks";
import type { OidcConfig } from "./messages";

/** What renewal needs of its session. `tokens` is another object once the session is replaced or ends. */
export interface RenewalHost {
  tokens(): SignInResult | null;
  readonly client: OidcClient;
  readonly metadata: OidcMetadata;
  readonly config: OidcConfig;
  renewed(result: SignInResult, obtainedAt: number): void;
  failed(error: SignInError): void;
  expire(): void;
}

export class Renewal {
  // One timer for the next renewal, retry or expiry: whichever is due replaces the others.
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly session: RenewalHost,
    /** Renew this many seconds before expiry (at most half the token's lifetime). */
    private readonly renewBefore: number,
  ) {}

  schedule(result: SignInResult | null, obtainedAt = Date.now()): void {
    clearTimeout(this.timer);
    if (!result?.expires_at) return;
    const lifetime = result.expires_at * 1000 - obtainedAt;
    if (result.refresh_token == null) {
      // Controllers show "click Renew" from `renewable` when they deliver the token.
      this.timer = setTimeout(() => this.session.expire(), Math.max(0, lifetime));
      return;
    }
    const lead = Math.min(this.renewBefore * 1000, lifetime / 2);
    // From now, not from when the request began: a slow answer must not push the renewal later.
    const due = result.expires_at * 1000 - lead - Date.now();
    this.timer = setTimeout(() => void this.renew(), Math.max(0, due));
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  async renew(): Promise<void> {
    const before = this.session.tokens();
    if (!before?.refresh_token) return;
    const started = Date.now();
    try {
      const response = await this.session.client.useRefreshToken({
        state: {
          refresh_token: before.refresh_token,
          id_token: before.id_token,
          session_state: null,
          scope: before.scope ?? undefined,
          profile: before.claims,
        } as unknown as RefreshState,
        timeoutInSeconds: 10,
      });
      if (this.session.tokens() !== before) return; // signed out or replaced meanwhile
      let { claims, id_token } = before;
      if (response.id_token && response.id_token !== before.id_token) {
        // Core §12.2: a refreshed ID token is checked as the first was, and names the same subject.
        claims = await validateIdToken(response.id_token, {
          issuer: this.session.metadata.issuer,
          client_id: this.session.config.client_id,
          subject: before.claims.sub,
          keys: jwks(this.session.metadata.jwks_uri),
        });
        id_token = response.id_token;
      }
      const result: SignInResult = {
        access_token: response.access_token,
        expires_at: response.expires_at ?? null,
        scope: response.scope ?? before.scope,
        token_type: response.token_type || before.token_type,
        // RFC 6749 §6: the provider may rotate the refresh token.
        refresh_token: response.refresh_token ?? before.refresh_token,
        id_token,
        claims,
      };
      this.session.renewed(result, started);
    } catch (err) {
      if (this.session.tokens() !== before) return;
      this.failed(err, before);
    }
  }

  private failed(err: unknown, before: SignInResult): void {
    const left = (before.expires_at ?? 0) * 1000 - Date.now();
    const transient = err instanceof TypeError || (err instanceof Error && err.name === "ErrorTimeout");
    // The widget shows when the token expires; these sentences say what happened and what to do, and
    // stay true after the expiry (the kernel keeps the last one as the reason).
    if (transient && left > 4000) {
      this.timer = setTimeout(() => void this.renew(), Math.min(10_000, left / 2));
      this.session.failed(
        new SignInError("renewal_failed", "Could not reach the provider to renew the token; retrying until it expires."),
      );
      return;
    }
    this.timer = setTimeout(() => this.session.expire(), Math.max(0, left));
    if (transient) {
      const text = err instanceof Error ? err.message : String(err);
      this.session.failed(
        new SignInError(
          "renewal_failed",
          `Could not reach the provider to renew the token (${text}) before it expired; click Sign in to sign in again.`,
        ),
      );
      return;
    }
    const { authority, client_id } = this.session.config;
    const reason = explain(err, { authority, client_id, redirect_uri: "" });
    const why = reason.code === "invalid_grant" ? "the sign-in was revoked or has ended" : reason.message;
    this.session.failed(
      new SignInError(
        "renewal_failed",
        `The token could not be renewed (${reason.code}: ${why}); click Sign in to sign in again.`,
      ),
    );
  }
}
