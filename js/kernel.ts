// The widget's line to its kernel: messages out, messages in, and the few questions the page asks
// the kernel and waits for (bounded), all typed by js/messages.ts.
import type { AnyModel } from "@anywidget/types";
import { SignInError } from "./errors";
import type { KernelMessage, PageMessage, WidgetTraits } from "./messages";

/** How long the kernel may take to answer a question (the redirect trip's key). */
export const KERNEL_REPLY_MS = 10_000;

type Reply<T extends KernelMessage["type"]> = Extract<KernelMessage, { type: T }>;

export class KernelLink {
  private readonly replies = new Map<string, (msg: KernelMessage) => void>();
  /** The kernel this widget's comm belonged to is gone (restarted or shut down): nothing more reaches it. */
  gone = false;

  constructor(
    private readonly model: AnyModel<WidgetTraits>,
    onMessage: (msg: KernelMessage) => void,
    private readonly onGone: () => void = () => {},
    /** A message the kernel may receive again without harm (the current status): sent to find out. */
    probe: () => PageMessage | null = () => null,
  ) {
    // ipywidgets marks every model's comm dead when the kernel restarts or dies (`comm_live` false,
    // announced by this event); a restart does not destroy the models, so the widget would
    // otherwise go on as if its kernel were there. A send then fails, which is what tells.
    model.on("comm_live_update", () => {
      const msg = probe();
      if (msg) this.send(msg);
    });
    model.on("msg:custom", (msg: KernelMessage) => {
      const waiter = msg?.type ? this.replies.get(msg.type) : undefined;
      if (waiter) {
        this.replies.delete(msg.type);
        waiter(msg);
      }
      if (msg?.type) onMessage(msg);
    });
  }

  /** Send, unless the kernel is gone; a send that fails ("Cannot send") means it is. */
  send(msg: PageMessage): boolean {
    if (this.gone) return false;
    try {
      this.model.send(msg);
      return true;
    } catch {
      this.gone = true;
      this.onGone();
      return false;
    }
  }


  /** Send `msg` and wait for the kernel's `reply`; a kernel that does not answer is said so. */
  ask<T extends KernelMessage["type"]>(msg: PageMessage, reply: T): Promise<Reply<T>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replies.delete(reply);
        reject(
          new SignInError("redirect_failed", "The kernel did not answer. Check that it is running, then click Sign in."),
        );
      }, KERNEL_REPLY_MS);
      this.replies.set(reply, (answer) => {
        clearTimeout(timer);
        resolve(answer as Reply<T>);
      });
      this.send(msg);
    });
  }
}
