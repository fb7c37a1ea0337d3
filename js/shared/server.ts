// One request to the server extension's routes ({base_url}oidc/…, ipython_oidc_client/server/), as
// the widget's sign-in routes (js/signin/api.ts) and the callback page's redeem make it: same-origin
// with the XSRF token (jupyter_server checks it on POSTs; JupyterHub >= 4.1 on every
// cookie-authenticated fetch, docs/architecture.md) and bounded in time.
import { received, SignInError } from "./errors";
import { baseUrl, xsrfToken } from "./page";
import * as say from "./wording";

/** GET `oidc/<path>`, or POST `body` there; the JSON answer, or the server's refusal as a SignInError. */
export async function call<T>(path: string, body?: unknown, timeoutMs = 45_000, signal?: AbortSignal): Promise<T> {
  const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
  let response: Response;
  try {
    response = await fetch(`${baseUrl()}oidc/${path}`, {
      method: body === undefined ? "GET" : "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-XSRFToken": xsrfToken() },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.any(signals),
    });
  } catch (err) {
    if (signal?.aborted) throw new SignInError("cancelled", say.ABORTED);
    throw new SignInError("keeper_unavailable", say.serverSilent(err instanceof Error ? err.message : String(err)));
  }
  let answer: unknown = null;
  try {
    answer = await response.json();
  } catch {
    answer = null;
  }
  if (!response.ok) {
    const said = (answer ?? {}) as { error?: unknown; message?: unknown };
    if (response.status === 404 && typeof said.error !== "string") {
      throw new SignInError("no_server_extension", say.NO_EXTENSION_ROUTES);
    }
    throw new SignInError(
      typeof said.error === "string" ? received(said.error) : "registry_unavailable",
      typeof said.message === "string" ? said.message : say.serverRefused(response.status),
    );
  }
  return answer as T;
}
