/// <reference types="node" />
// Our callback page ({base_url}oidc/redirect.html) as the provider's answer opens it: its location,
// history, message element and window (whose opener is the notebook page, or none). js/callback.ts
// runs once, when imported; so each test file can run it once.
import { installPage, MemoryStorage, REDIRECT_URI, type Page } from "./fake-page";

const g = globalThis as Record<string, unknown>;

export interface CallbackPage extends Page {
  /** What history.replaceState made the address. */
  history: string[];
  /** The text the page shows. */
  shown: { textContent: string };
  closed: () => boolean;
}

/** The callback page with the provider's answer `query` (e.g. "?code=…&state=…"), in a tab whose
 * sessionStorage is `storage`, opened by `opener` (null: the tab itself left the notebook). */
export function installCallbackPage(query: string, opener: unknown, storage = new MemoryStorage()): CallbackPage {
  const page = installPage(storage);
  const href = `${REDIRECT_URI}${query}`;
  Object.assign(page.location, { href, pathname: new URL(href).pathname });
  const history: string[] = [];
  g.history = { replaceState: (_: unknown, __: string, to: string) => history.push(to) };
  const shown = { textContent: "" };
  g.document = { getElementById: (id: string) => (id === "message" ? shown : null), body: { dataset: { baseUrl: "/" } } };
  let closed = false;
  Object.assign(page.window, { opener, close: () => (closed = true) });
  return { ...page, history, shown, closed: () => closed };
}
