// Where the notebook page lives: its base URL and the URLs derived from it, computed in the browser
// from `location` so that they are right behind proxies too (docs/architecture.md).

export function baseUrl(): string {
  // JupyterLab 4 / Notebook 7 put it in #jupyter-config-data; the classic notebook on <body>.
  let base: string | undefined;
  const data = document.getElementById("jupyter-config-data");
  if (data?.textContent) {
    try {
      base = JSON.parse(data.textContent).baseUrl;
    } catch {
      base = undefined;
    }
  }
  base ??= document.body.dataset.baseUrl ?? "/";
  return base.endsWith("/") ? base : `${base}/`;
}

export function defaultRedirectUri(): string {
  return `${location.origin}${baseUrl()}oidc/redirect.html`;
}

/** This bundle as served by the server extension: one module instance for the whole page. */
export function sharedModuleUrl(): string {
  return `${location.origin}${baseUrl()}static/ipython_oidc_client/widget.js`;
}

/** Jupyter's XSRF token, for the X-XSRFToken header: jupyter_server checks it on every state-changing
 * request, JupyterHub ≥ 4.1 on cookie-authenticated fetches of any method (docs/architecture.md). */
export function xsrfToken(): string {
  const match = document.cookie.match(/(?:^|;\s*)_xsrf=([^;]*)/);
  return match ? decodeURIComponent(match[1]) : "";
}
