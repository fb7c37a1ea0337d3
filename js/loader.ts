// What each widget's comm carries (OidcWidget._esm): a loader of about a kilobyte. The widget itself is
// one module that the server extension serves at {base_url}static/ipython_oidc_client/widget.js:
// loaded once per page and cached by the browser, it gives the page one module instance — one set of
// sessions for all its notebooks — and spares every widget's comm_open the whole bundle.
import type { Render } from "@anywidget/types";
import type { KernelMessage, PageMessage, Verification, WidgetTraits } from "./messages";
import { sharedModuleUrl } from "./page";

/** Said where the module cannot be had: this page's server does not run the extension (VS Code,
 * Colab, a Jupyter server where the package is not installed), so it has no callback page either. */
export const NO_SERVER_EXTENSION =
  "This Jupyter server has no ipython-oidc-client extension, so it serves no sign-in page for this " +
  "notebook: the kernel signs in with a link and a code instead, where the provider offers that. " +
  "(To sign in here in a popup, install the package where the server runs and restart it.)";

/** Said where the module is there, or may be, but did not load: a server that has the extension and
 * failed once (a restart, a proxy's 502, a dropped connection). No device grant then: the popup will
 * work again once the page loads the module; a browser keeps a failed module import for the page's
 * life, so the page must be reloaded. */
export function loadFailed(url: string, why: string): string {
  return (
    `The sign-in widget could not be loaded from ${url} (${why}). Reload the page; if it persists, ask ` +
    "the administrator of this Jupyter server."
  );
}

function describe(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 200);
}

/**
 * Why the widget's module did not load. null: this server really has no extension — the module's URL
 * answers 404, or the page is not served over http(s) at all (VS Code's webview), so no Jupyter server
 * serves it anything. Otherwise what went wrong, to say: a server that answers 500 or not at all may
 * well have the extension, and the device grant must not stand in for it silently.
 */
export async function whyNotLoaded(url: string, err: unknown): Promise<string | null> {
  if (location.protocol !== "http:" && location.protocol !== "https:") return null;
  let response: Response;
  try {
    response = await fetch(url, { method: "HEAD", cache: "no-store", credentials: "same-origin" });
  } catch (failure) {
    return `the server did not answer: ${describe(failure)}`;
  }
  if (response.status === 404) return null;
  return response.ok ? `it is there, but did not run: ${describe(err)}` : `HTTP ${response.status}`;
}

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
  const code = v.complete ? "check that it shows the code " : "enter the code ";
  // The words of the keeper's terminal line (DeviceAuthorization.prompt): one text, two places.
  text.replaceChildren("To sign in, open ", a, " in a browser (it is on ", element("strong", v.host), ") and ");
  text.append(code, element("strong", v.code), ".");
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

const unavailable: Render<WidgetTraits> = ({ model, el }) => {
  const { root, text } = frame(el, NO_SERVER_EXTENSION);
  const onKernel = (msg: KernelMessage) => {
    if (msg?.type !== "device") return;
    root.dataset.status = msg.state === "waiting" ? "signing_in" : msg.state;
    showDevice(text, msg);
  };
  model.on("msg:custom", onKernel);
  const said: PageMessage = { type: "error", error: "no_server_extension", message: NO_SERVER_EXTENSION };
  model.send({ type: "status", status: "error", message: NO_SERVER_EXTENSION });
  model.send(said);
  return () => {
    model.off("msg:custom", onKernel);
    root.remove();
  };
};

/** The module did not load on a server that may have the extension: an error, said here and to the
 * kernel (`widget_load_failed`), which therefore does not sign in by itself. */
function failed(message: string): Render<WidgetTraits> {
  return ({ model, el }) => {
    const { root } = frame(el, message);
    const said: PageMessage = { type: "error", error: "widget_load_failed", message };
    model.send({ type: "status", status: "error", message });
    model.send(said);
    return () => root.remove();
  };
}

export default async function widget(): Promise<{ render: Render<WidgetTraits> }> {
  const url = sharedModuleUrl();
  let shared: { default: () => Promise<{ render: Render<WidgetTraits> }> };
  try {
    shared = await import(/* @vite-ignore */ url);
  } catch (err) {
    const why = await whyNotLoaded(url, err);
    return { render: why === null ? unavailable : failed(loadFailed(url, why)) };
  }
  try {
    return await shared.default();
  } catch (err) {
    return { render: failed(loadFailed(url, `it did not start: ${describe(err)}`)) };
  }
}
