// What each widget's comm carries (OidcWidget._esm): a loader of about a kilobyte. The widget itself is
// one module that the server extension serves at {base_url}static/ipython_oidc_client/widget.js:
// loaded once per page and cached by the browser, it gives the page one module instance — one set of
// sessions for all its notebooks — and spares every widget's comm_open the whole bundle.
import type { Render } from "@anywidget/types";
import type { KernelMessage, PageMessage, WidgetTraits } from "./messages";
import { sharedModuleUrl } from "./page";

/** Said where the module cannot be had: this page's server does not run the extension (VS Code,
 * Colab, a Jupyter server where the package is not installed), so it has no callback page either. */
export const NO_SERVER_EXTENSION =
  "This Jupyter server has no ipython-oidc-client extension, so it serves no sign-in page for this " +
  "notebook: the kernel signs in with a link and a code instead, where the provider offers that. " +
  "(To sign in here in a popup, install the package where the server runs and restart it.)";

// Where the kernel signs in by itself instead (the device grant), its link becomes clickable.
const LINK = /https?:\/\/[^\s"'<>]+[^\s"'<>.,;:)]/;

function show(text: HTMLElement, message: string): void {
  const url = LINK.exec(message)?.[0];
  if (!url) {
    text.textContent = message;
    return;
  }
  const [before, after] = [message.slice(0, message.indexOf(url)), message.slice(message.indexOf(url) + url.length)];
  const a = document.createElement("a");
  a.href = url;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  a.textContent = url;
  text.replaceChildren(before, a, after);
}

const unavailable: Render<WidgetTraits> = ({ model, el }) => {
  const root = document.createElement("div");
  root.className = "ipython-oidc-client";
  root.dataset.status = "error";
  const text = document.createElement("span");
  text.className = "ipython-oidc-client-message";
  text.textContent = NO_SERVER_EXTENSION;
  root.append(text);
  el.append(root);
  const onKernel = (msg: KernelMessage) => {
    if (msg?.type !== "device") return;
    root.dataset.status = msg.state === "waiting" ? "signing_in" : msg.state;
    show(text, msg.message);
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

export default async function widget(): Promise<{ render: Render<WidgetTraits> }> {
  try {
    const shared = await import(/* @vite-ignore */ sharedModuleUrl());
    return await shared.default();
  } catch {
    return { render: unavailable };
  }
}
