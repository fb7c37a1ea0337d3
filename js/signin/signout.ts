// Signing out from a widget: the server's keeper revokes the refresh token (RFC 7009) and ends the
// session for every kernel that used it, at once; then the provider's own session is ended in a popup
// (RP-Initiated Logout 1.0), or, when the browser refuses that popup, on the click of a Sign out button.
import * as api from "./api";
import type { OidcConfig, SessionView, Status } from "../shared/messages";
import * as say from "../shared/wording";
import { openPopup, waitForCallback } from "./window";

export interface SignOutView {
  set(status: Status, message: string): void;
  /** The session ended here: the kernel is told, the widget stops following it. */
  signedOut(): void;
}

export class SignOut {
  /** The provider's sign-out page, left for a click because the browser refused the popup. */
  private left: string | null = null;
  private revokeError: string | null = null;

  constructor(private readonly view: SignOutView) {}

  /** Whether the widget's button should finish a sign-out rather than sign in. */
  get waitingForClick(): boolean {
    return this.left !== null;
  }

  /** The Sign out button: the click allows the popup the provider's sign-out needs. */
  finishOnClick(config: OidcConfig, timeout: number): void {
    const url = this.left;
    this.left = null;
    if (url) void this.atProvider(openPopup(config), url, timeout);
  }

  /** Asked by the kernel (logout()) or the Sign out button: right after a gesture, so a popup is usually allowed. */
  async run(session: SessionView | null, config: OidcConfig, redirectUri: string, timeout: number): Promise<void> {
    if (!session) {
      this.view.set("signed_out", say.SIGNED_OUT);
      this.view.signedOut();
      return;
    }
    let popup: Window | null = null;
    if (session.end_session) {
      try {
        popup = openPopup(config); // first, inside the gesture; sent to the provider below
      } catch {
        popup = null; // offered as a button below
      }
    }
    let result: api.LoggedOut;
    try {
      result = await api.logout(session.id, redirectUri);
    } catch (err) {
      popup?.close();
      this.view.set("error", say.signOutFailed(err instanceof Error ? err.message : String(err)));
      return;
    }
    this.view.signedOut();
    this.revokeError = result.revoke_error;
    if (!result.end_session) {
      popup?.close();
      this.done(say.SIGNED_OUT_NO_ENDPOINT);
      return;
    }
    if (!popup) {
      this.left = result.end_session;
      this.view.set("needs_click", say.SIGN_OUT_NEEDS_CLICK);
      return;
    }
    this.view.set("signed_out", say.SIGNED_OUT);
    await this.atProvider(popup, result.end_session, timeout);
  }

  private async atProvider(popup: Window, url: string, timeout: number): Promise<void> {
    try {
      popup.location.replace(url);
      const state = new URL(url).searchParams.get("state") ?? "";
      await waitForCallback(popup, state, {
        deadline: Date.now() + timeout * 1000,
        signal: new AbortController().signal,
        onPopupClosed: () => {},
        timeoutMessage: () => say.signOutUnconfirmed(timeout),
      });
      this.done(say.SIGNED_OUT_EVERYWHERE);
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      this.view.set("error", say.providerSignOutFailed(text));
    } finally {
      if (!popup.closed) popup.close();
    }
  }

  private done(message: string): void {
    if (this.revokeError) {
      this.view.set("error", say.providerSignOutFailed(this.revokeError));
    } else this.view.set("signed_out", message);
  }
}
