// anywidget entry point: draws the controller's view (js/shared/messages.ts View) as it is: its sentence,
// the provider, the user, the expiry, and exactly the buttons the view lists.
//
// anywidget imports each widget's script from its own blob: URL, which would give every widget its
// own copy of this module and of its sessions. So a blob copy hands over to the copy the server
// extension serves at one URL: one module instance, one set of sessions for the whole page.
import type { Initialize, Render } from "@anywidget/types";
import type { Action, View, WidgetTraits } from "../shared/messages";
import { clearTripsNobodyClaims } from "../shared/trip";
import { absoluteExpiry, PROVIDER_KEY, relativeExpiry, USER_TITLE } from "../shared/wording";
import { loadRegistry } from "../signin/registry";
import { Controller } from "./controller";
import "./widget.css";

// Keyed by the model's instance id: anywidget hands initialize() and each render() a different
// proxy object of the same model.
const controllers = new Map<string, Controller>();

// A redirect-mode trip nobody can finish (too old, an answer without its trip, or one whose widget
// did not come back for it) is removed once any widget loads in this tab.
clearTripsNobodyClaims();

// The server's sign-in settings (its providers, its pinned redirect URI) are asked for now, while the
// kernel is still to say "start"; a failure is said when a sign-in needs them.
void loadRegistry().catch(() => {});

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

const CLASS = "ipython-oidc-client";

function part(tag: string, name: string): HTMLElement {
  const el = document.createElement(tag);
  el.className = `${CLASS}-${name}`;
  return el;
}

/** How often the relative expiry is brought up to date: often only in its last minute and a half. */
function refreshIn(expiresAt: number): number {
  return Math.abs(expiresAt * 1000 - Date.now()) < 90_000 ? 5_000 : 30_000;
}

const render: Render<WidgetTraits> = ({ model, el }) => {
  const controller = controllers.get(model.get("instance"));
  if (!controller) return;
  const root = part("div", "root");
  root.className = CLASS;
  const mark = part("span", "mark");
  mark.setAttribute("aria-hidden", "true");
  const body = part("div", "body");
  const message = part("div", "message");
  message.setAttribute("role", "status");
  const details = part("div", "details");
  // Each fact a span of its own, with a separator (real text, for copying and screen readers) that
  // shows when a fact precedes it. Relative and absolute expiry apart: a narrow widget wraps between.
  const fact = (name: string, ...before: (Node | string)[]): [HTMLElement, HTMLElement] => {
    const el = part("span", name);
    const value = part("span", "value");
    const sep = part("span", "sep");
    sep.textContent = "·";
    sep.setAttribute("aria-hidden", "true");
    el.append(sep, ...before, value);
    details.append(el);
    return [el, value];
  };
  const key = part("span", "key");
  key.textContent = PROVIDER_KEY;
  const [provider, providerName] = fact("provider", key);
  providerName.className = `${CLASS}-provider-name`;
  const [user, userName] = fact("user");
  user.title = USER_TITLE;
  const [expiry, expiryIn] = fact("expiry");
  const [expiryAt, expiryDate] = fact("expiry-at");
  const facts = [provider, user, expiry, expiryAt];
  body.append(message, details);
  const actions = part("div", "actions");
  root.append(mark, body, actions);
  el.append(root);

  let shown = "";
  const drawActions = (list: Action[]) => {
    const key = list.map((a) => `${a.id}:${a.label}:${a.primary}`).join("|");
    if (key === shown) return; // keep the buttons, and the focus, of an unchanged state
    shown = key;
    actions.replaceChildren(
      ...list.map((action) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = `${CLASS}-button${action.primary ? ` ${CLASS}-primary` : ""}`;
        button.dataset.action = action.id;
        button.textContent = action.label;
        button.addEventListener("click", () => controller.act(action.id));
        return button;
      }),
    );
    actions.hidden = list.length === 0;
  };

  let tick: ReturnType<typeof setTimeout> | undefined;
  const drawExpiry = (expiresAt: number | null) => {
    clearTimeout(tick);
    expiry.hidden = expiryAt.hidden = expiresAt === null;
    if (expiresAt === null) return;
    expiryIn.textContent = relativeExpiry(expiresAt);
    expiryDate.textContent = absoluteExpiry(expiresAt);
    expiryAt.title = new Date(expiresAt * 1000).toISOString();
    tick = setTimeout(() => drawExpiry(expiresAt), refreshIn(expiresAt));
  };

  const draw = () => {
    const view: View = controller.view;
    root.dataset.status = view.status;
    message.textContent = view.message;
    providerName.textContent = view.provider ?? "";
    provider.hidden = !view.provider;
    userName.textContent = view.user ?? "";
    user.hidden = !view.user;
    drawExpiry(view.expiresAt);
    const shownFacts = facts.filter((f) => !f.hidden);
    details.hidden = shownFacts.length === 0;
    for (const f of facts) (f.firstElementChild as HTMLElement).hidden = f === shownFacts[0];
    drawActions(view.actions);
  };
  draw();
  const unsubscribe = controller.subscribe(draw);
  // Tell the kernel this view is live; it answers "start" once per authenticate() call.
  model.send({ type: "ready" });
  return () => {
    unsubscribe();
    clearTimeout(tick);
    root.remove();
  };
};

const local = { initialize, render };

/** Loaded by js/loader/loader.ts from the server extension's static path: one instance for the whole page. */
export default async function widget(): Promise<typeof local> {
  return local;
}
