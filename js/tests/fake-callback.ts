/// <reference types="node" />
// Our callback page ({base_url}oidc/redirect.html) as the provider's answer opens it: its location,
// history, message element and window (whose opener is the notebook page, or none). js/callback/callback.ts
// runs once, when imported; so each test file can run it once. For the widget's tests, what the
// callback page does in a sign-in window, played without it: callbackAnswers.
import { answerOf, redeem, responseParams } from "../callback/answer";
import { SignInError } from "../shared/errors";
import type { Outcome } from "../shared/messages";
import { installPage, MemoryStorage, ORIGIN, type FakeWindow, type Page } from "./fake-page";

const g = globalThis as Record<string, unknown>;

export interface CallbackPage extends Page {
  /** What history.replaceState made the address. */
  history: string[];
  /** The text the page shows. */
  shown: { textContent: string };
  /** Everything the page showed, in order. */
  said: string[];
  closed: () => boolean;
}

/** The callback page with the provider's answer `query` (e.g. "?code=…&state=…"), in a tab whose
 * sessionStorage is `storage`, opened by `opener` (null: the tab itself left the notebook, or the
 * provider's COOP cut the opener), under the server's base URL `base`. */
export function installCallbackPage(
  query: string,
  opener: unknown,
  storage = new MemoryStorage(),
  base = "/",
): CallbackPage {
  const page = installPage(storage);
  const href = `${ORIGIN}${base}oidc/redirect.html${query}`;
  Object.assign(page.location, { href, pathname: new URL(href).pathname });
  const history: string[] = [];
  g.history = { replaceState: (_: unknown, __: string, to: string) => history.push(to) };
  const said: string[] = [];
  const shown = {
    get textContent() {
      return said.at(-1) ?? "";
    },
    set textContent(text: string) {
      said.push(text);
    },
  };
  g.document = {
    getElementById: (id: string) => (id === "message" ? shown : null),
    body: { dataset: { baseUrl: base } },
    cookie: "_xsrf=xsrf-cb",
  };
  let closed = false;
  Object.assign(page.window, { opener, close: () => (closed = true) });
  return { ...page, history, shown, said, closed: () => closed };
}

/**
 * Our callback page in the sign-in window the notebook page `window` opened, as a widget's test needs
 * it: the provider's answer at `url` goes to the server's keeper (POST oidc/redeem with the answer's
 * parameters, on the same origin as the notebook page), then what the keeper made of it goes to the
 * opener. What js/callback/callback.ts does itself is tested in the callback*.test.ts files.
 */
export async function callbackAnswers(window: FakeWindow, url: string): Promise<Outcome> {
  const state = responseParams(url).get("state") ?? "";
  let outcome: Outcome;
  try {
    outcome = { session: await redeem(state, answerOf(url)) };
  } catch (err) {
    const failure = err instanceof SignInError ? err : new SignInError("keeper_unavailable", String(err));
    outcome = { error: failure.code, message: failure.message };
  }
  window.answer(state, outcome);
  return outcome;
}
