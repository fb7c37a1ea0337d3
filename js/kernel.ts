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

  constructor(
    private readonly model: AnyModel<WidgetTraits>,
    onMessage: (msg: KernelMessage) => void,
  ) {
    model.on("msg:custom", (msg: KernelMessage) => {
      const waiter = msg?.type ? this.replies.get(msg.type) : undefined;
      if (waiter) {
        this.replies.delete(msg.type);
        waiter(msg);
      }
      if (msg?.type) onMessage(msg);
    });
  }

  send(msg: PageMessage): void {
    this.model.send(msg);
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
