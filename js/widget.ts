// anywidget entry point: draws the sign-in state and its one button.
//
// anywidget imports each widget's script from its own blob: URL, which would give every widget its
// own copy of this module and of its sessions. So a blob copy hands over to the copy the server
// extension serves at one URL: one module instance, one set of sessions for the whole page.
import type { Initialize, Render } from "@anywidget/types";
import { Controller } from "./controller";
import type { Status, WidgetTraits } from "./messages";
import { sharedModuleUrl } from "./page";
import { clearTripsNobodyClaims } from "./trip";
import "./widget.css";

// Keyed by the model's instance id: anywidget hands initialize() and each render() a different
// proxy object of the same model.
const controllers = new Map<string, Controller>();

const BUTTON: Record<Status, string | null> = {
  idle: null,
  signing_in: "Cancel",
  needs_click: null, // "Sign in" or "Sign out", from the message
  signed_in: null,
  renew_needed: "Renew",
  signed_out: "Sign in",
  error: "Sign in",
};

// A redirect-mode trip nobody can finish (too old, an answer without its trip, or one whose widget
// did not come back for it) is removed once any widget loads in this tab.
clearTripsNobodyClaims();

// Once per model: its controller listens to the kernel for the model's whole life.
const initialize: Initialize<WidgetTraits> = ({ model }) => {
  const id = model.get("instance");
  const controller = new Controller(model);
  controllers.set(id, controller);
  return () => {
    controller.dispose();
    controllers.delete(id);
  };
};

const render: Render<WidgetTraits> = ({ model, el }) => {
  const controller = controllers.get(model.get("instance"));
  if (!controller) return;
  const root = document.createElement("div");
  root.className = "ipython-oidc-client";
  const text = document.createElement("span");
  text.className = "ipython-oidc-client-message";
  const button = document.createElement("button");
  button.className = "ipython-oidc-client-button";
  button.type = "button";
  // Where a popup cannot be had: the whole tab goes to the provider and comes back.
  const here = document.createElement("button");
  here.className = "ipython-oidc-client-button";
  here.type = "button";
  here.textContent = "Sign in in this tab";
  root.append(text, button, here);
  el.append(root);
  button.addEventListener("click", () => controller.click());
  here.addEventListener("click", () => void controller.redirect());

  const draw = () => {
    const { status, message } = controller.view;
    root.dataset.status = status;
    text.textContent = message;
    const label = status === "needs_click" ? (/Sign out/.test(message) ? "Sign out" : "Sign in") : BUTTON[status];
    button.hidden = label === null;
    button.textContent = label ?? "";
    here.hidden = !(status === "needs_click" && label === "Sign in");
  };
  draw();
  const unsubscribe = controller.subscribe(draw);
  // Tell the kernel this view is live; it answers "start" once per authenticate() call.
  model.send({ type: "ready" });
  return () => {
    unsubscribe();
    root.remove();
  };
};

const local = { initialize, render };

export default async function widget(): Promise<typeof local> {
  if (!import.meta.url.startsWith("blob:")) return local;
  try {
    const shared = await import(/* @vite-ignore */ sharedModuleUrl());
    return await shared.default();
  } catch {
    // No server extension on this page (another frontend): this copy works on its own.
    return local;
  }
}
