// What each widget's comm carries (OidcWidget._esm): a loader of about a kilobyte. The widget itself is
// one module that the server extension serves at {base_url}static/ipython_oidc_client/widget.js:
// loaded once per page and cached by the browser, it gives the page one module instance — one set of
// sessions for all its notebooks — and spares every widget's comm_open the whole bundle.
import type { Render } from "@anywidget/types";
import type { WidgetTraits } from "../shared/messages";
import { sharedModuleUrl } from "../shared/page";
import { loadFailed, MODULE_DID_NOT_RUN, MODULE_NOT_STARTED, SERVER_SILENT } from "../shared/wording";
import { failed, unavailable } from "./standin";

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
    return `${SERVER_SILENT}: ${describe(failure)}`;
  }
  if (response.status === 404) return null;
  return response.ok ? `${MODULE_DID_NOT_RUN}: ${describe(err)}` : `HTTP ${response.status}`;
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
    return { render: failed(loadFailed(url, `${MODULE_NOT_STARTED}: ${describe(err)}`)) };
  }
}
