// anywidget entry point: draws the sign-in state and its one button.
import type { AnyModel, RenderProps } from "@anywidget/types";
import { Controller } from "./controller";
import type { WidgetTraits } from "./messages";
import "./widget.css";

const controllers = new WeakMap<AnyModel<WidgetTraits>, Controller>();

function controllerFor(model: AnyModel<WidgetTraits>): Controller {
  let controller = controllers.get(model);
  if (!controller) {
    controller = new Controller(model);
    controllers.set(model, controller);
  }
  return controller;
}

const BUTTON: Record<string, string | null> = {
  idle: null,
  signing_in: "Cancel",
  needs_click: "Sign in",
  signed_in: null,
  error: "Sign in",
};

function render({ model, el }: RenderProps<WidgetTraits>): () => void {
  const controller = controllerFor(model);
  const root = document.createElement("div");
  root.className = "ipython-oidc-client";
  const text = document.createElement("span");
  text.className = "ipython-oidc-client-message";
  const button = document.createElement("button");
  button.className = "ipython-oidc-client-button";
  button.type = "button";
  root.append(text, button);
  el.append(root);

  button.addEventListener("click", () => {
    if (controller.view.status === "signing_in") controller.cancel();
    else void controller.start();
  });

  const draw = () => {
    const { status, message } = controller.view;
    root.dataset.status = status;
    text.textContent = message;
    const label = BUTTON[status];
    button.hidden = label === null;
    button.textContent = label ?? "";
  };
  draw();
  const unsubscribe = controller.subscribe(draw);
  // Tell the kernel this view is live; it answers "start" once per authenticate() call.
  model.send({ type: "ready" });
  return () => {
    unsubscribe();
    root.remove();
  };
}

export default { render };
