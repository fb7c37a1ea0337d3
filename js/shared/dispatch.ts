// The kernel's messages (js/shared/messages.ts KernelMessage), each handed to its own handler: one
// switch for every page that listens — the widget's controller and the loader's stand-in — which
// TypeScript checks is exhaustive, so that a message added to the protocol cannot go unhandled.
import type { AnyModel } from "@anywidget/types";
import type { KernelMessage, WidgetTraits } from "./messages";

type Of<T extends KernelMessage["type"]> = Extract<KernelMessage, { type: T }>;

/** What a page does with each kernel message; one that has nothing to do says so where it is made. */
export type KernelHandlers = { [T in KernelMessage["type"]]: (msg: Of<T>) => void };

/** Hand `msg` to its handler; false (and said on the console) for a message this page does not
 * know, from a newer kernel say. */
export function dispatch(msg: KernelMessage, on: KernelHandlers): boolean {
  switch (msg.type) {
    case "start":
      on.start(msg);
      return true;
    case "rejoin":
      on.rejoin(msg);
      return true;
    case "logout":
      on.logout(msg);
      return true;
    case "attached":
      on.attached(msg);
      return true;
    case "step_up":
      on.step_up(msg);
      return true;
    case "device":
      on.device(msg);
      return true;
    default: {
      const unknown: never = msg;
      console.warn("ipython-oidc-client: a kernel message this page does not know", unknown);
      return false;
    }
  }
}

/** Listen to the kernel's messages on `model` (anything without a type is not one); returns the way
 * to stop. */
export function listen(model: AnyModel<WidgetTraits>, on: KernelHandlers): () => void {
  const heard = (msg: KernelMessage | null | undefined) => {
    if (msg?.type) dispatch(msg, on);
  };
  model.on("msg:custom", heard);
  return () => model.off("msg:custom", heard);
}
