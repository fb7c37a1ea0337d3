// Signing out from a widget: the session is ended here at once (refresh token revoked, tokens
// forgotten), then at the provider in a popup (RP-Initiated Logout 1.0), or, when the browser
// refuses that popup, on the click of a Sign out button.
import type { OidcConfig, PageMessage, Status } from "./messages";
import type { Session } from "./session";
import { openPopup } from "./window";

export interface SignOutView {
  set(status: Status, message: string): void;
  send(msg: PageMessage): void;
}

export class SignOut {
  /** The provider's part, left for a click because the browser refused the popup. */
  private left: ((popup: Window) => Promise<void>) | null = null;

  constructor(private readonly view: SignOutView) {}

  /** Whether the widget's button should finish a sign-out rather than sign in. */
  get waitingForClick(): boolean {
    return this.left !== null;
  }

  /** The Sign out button: the click allows the popup the provider's sign-out needs. */
  finishOnClick(config: OidcConfig): void {
    const left = this.left;
    this.left = null;
    if (left) void this.atProvider(() => left(openPopup(config)), "Signed out, here and at the provider.");
  }

  /** Asked by the kernel (logout()): right after the cell ran, so a popup is usually allowed. */
  async run(session: Session | null, config: OidcConfig, redirectUri: string, timeout: number): Promise<void> {
    if (!session) {
      this.view.set("signed_out", "Signed out.");
      this.view.send({ type: "logged_out" });
      return;
    }
    let popup: Window | null = null;
    if (session.endsAtProvider) {
      try {
        popup = openPopup(config);
      } catch {
        popup = null; // offered as a button below
      }
    }
    const done = session.endsAtProvider
      ? "Signed out, here and at the provider."
      : "Signed out. The provider offers no sign-out endpoint, so its own session may remain.";
    const wait = {
      deadline: Date.now() + timeout * 1000,
      signal: new AbortController().signal,
      timeoutMessage: () => `The provider did not confirm the sign-out within ${timeout} s.`,
    };
    await this.atProvider(async () => {
      const left = await session.signOut(popup, redirectUri, wait);
      if (left) {
        this.left = left;
        this.view.set("needs_click", "Signed out here. Click Sign out to also end your session at the provider.");
      }
    }, done);
  }

  private async atProvider(run: () => Promise<void>, done: string): Promise<void> {
    try {
      await run();
      if (!this.left) this.view.set("signed_out", done);
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      this.view.set("error", `Signed out here, but ending the session at the provider failed (${text}).`);
    }
  }
}
