// What a widget's sign-in flows (js/signin-flow.ts, js/comeback.ts) may ask of its controller:
// show a state, keep a session, talk to the kernel, and tell whether their work is still wanted.
import type { AnyModel } from "@anywidget/types";
import type { SignInError } from "./errors";
import type { KernelLink } from "./kernel";
import type { Status, WidgetTraits } from "./messages";
import type { SignedIn } from "./popup";
import type { Session } from "./session";
import type { WidgetSettings } from "./settings";

/** Who holds the token and until when, where no session of this page says it (a reloaded page). */
export interface Facts {
  user?: string | null;
  expiresAt?: number | null;
}

export interface FlowHost {
  readonly model: AnyModel<WidgetTraits>;
  readonly settings: WidgetSettings;
  readonly kernel: KernelLink;
  status(): Status;
  set(status: Status, message: string, facts?: Facts): void;
  fail(err: SignInError): void;
  adopt(signedIn: SignedIn): void;
  attach(session: Session): void;
  /**
   * Each sign-in, cancel or kernel loss starts a generation; an async step that finds its own
   * generation passed must not touch the widget, which has moved on.
   */
  generation(): number;
  current(generation: number): boolean;
  /** A new generation: whatever the last one had under way is stopped (its window closed). */
  interrupt(): number;
  /** A new generation, with a signal the next one aborts. */
  begin(): { generation: number; signal: AbortSignal };
}
