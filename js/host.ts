// What a widget's sign-in flows (js/signin-flow.ts, js/comeback.ts) may ask of its controller:
// show a state, take the session the keeper made, talk to the kernel, and tell whether their work is
// still wanted.
import type { AnyModel } from "@anywidget/types";
import type { SignInError } from "./errors";
import type { KernelLink } from "./kernel";
import type { SessionView, Status, WidgetTraits } from "./messages";
import type { WidgetSettings } from "./settings";

export interface FlowHost {
  readonly model: AnyModel<WidgetTraits>;
  readonly settings: WidgetSettings;
  readonly kernel: KernelLink;
  status(): Status;
  set(status: Status, message: string): void;
  fail(err: SignInError): void;
  /** The keeper's session this widget now uses: follow it, and tell the kernel. */
  bound(view: SessionView): void;
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
