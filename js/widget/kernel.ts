// The widget's line to its kernel: messages out, messages in — each to its handler, through the one
// dispatch of js/shared/dispatch.ts —, and the moment the kernel is gone (a send that fails).
import type { AnyModel } from "@anywidget/types";
import { listen, type KernelHandlers } from "../shared/dispatch";
import type { PageMessage, WidgetTraits } from "../shared/messages";

export class KernelLink {
  /** The kernel this widget's comm belonged to is gone (restarted or shut down): nothing more reaches it. */
  gone = false;

  constructor(
    private readonly model: AnyModel<WidgetTraits>,
    on: KernelHandlers,
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
    listen(model, on);
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
}
