// What the loader draws where the widget's module did not load: the reason, said here and to the
// kernel, and — where this server has no extension at all — the kernel's own device sign-in (RFC
// 8628), its verification URI the one link.
import type { Render } from "@anywidget/types";
import { listen } from "../shared/dispatch";
import type { KernelMessage, PageMessage, Verification, WidgetTraits } from "../shared/messages";
import { devicePrompt, NO_SERVER_EXTENSION } from "../shared/wording";

/** The browser's own reading of the link, if it is an http(s) link to the host the keeper said: urllib
 * and the WHATWG URL parser could disagree on an odd link, and then it is shown as text, not a link. */
function checkedLink(v: Verification): string | null {
  try {
    const url = new URL(v.link);
    return (url.protocol === "https:" || url.protocol === "http:") && url.host === v.host ? v.link : null;
  } catch {
    return null;
  }
}

function element(tag: string, text: string, className = ""): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  node.textContent = text;
  return node;
}

/** A device message: text only, but for the verification URI (RFC 8628 §3.3), the one link, with its
 * host and the code beside it, and the warning where the host is not the issuer's. A URL anywhere
 * else (a provider's error description) stays text. */
function showDevice(text: HTMLElement, msg: Extract<KernelMessage, { type: "device" }>): void {
  const v = msg.verification;
  const href = msg.state === "waiting" && v ? checkedLink(v) : null;
  if (!v || href === null) {
    text.textContent = msg.message;
    return;
  }
  const a = element("a", v.link) as HTMLAnchorElement;
  a.href = href;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  text.replaceChildren(...devicePrompt<Node>(a, element("strong", v.host), element("strong", v.code), v.complete));
  if (v.warning) text.append(element("div", v.warning, "ipython-oidc-client-warning"));
}

function frame(el: HTMLElement, message: string): { root: HTMLElement; text: HTMLElement } {
  const root = element("div", "", "ipython-oidc-client");
  root.dataset.status = "error";
  const text = element("span", message, "ipython-oidc-client-message");
  root.append(text);
  el.append(root);
  return { root, text };
}

/** Nothing to do: the sign-in these ask for needs the module, and the kernel was told why not. */
const nothing = () => {};

export const unavailable: Render<WidgetTraits> = ({ model, el }) => {
  const { root, text } = frame(el, NO_SERVER_EXTENSION);
  const stop = listen(model, {
    start: nothing,
    rejoin: nothing,
    logout: nothing,
    attached: nothing,
    step_up: nothing,
    device: (msg) => {
      root.dataset.status = msg.state === "waiting" ? "signing_in" : msg.state;
      showDevice(text, msg);
    },
  });
  const said: PageMessage = { type: "error", error: "no_server_extension", message: NO_SERVER_EXTENSION };
  model.send({ type: "status", status: "error", message: NO_SERVER_EXTENSION });
  model.send(said);
  return () => {
    stop();
    root.remove();
  };
};

/** The module did not load on a server that may have the extension: an error, said here and to the
 * kernel (`widget_load_failed`), which therefore does not sign in by itself. */
export function failed(message: string): Render<WidgetTraits> {
  return ({ model, el }) => {
    const { root } = frame(el, message);
    const said: PageMessage = { type: "error", error: "widget_load_failed", message };
    model.send({ type: "status", status: "error", message });
    model.send(said);
    return () => root.remove();
  };
}
