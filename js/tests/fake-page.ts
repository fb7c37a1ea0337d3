/// <reference types="node" />
// The notebook page around the widget, so that the page's modules run in node as in the browser: its
// window and the popups it opens, location, document, the tab's sessionStorage, and a timeline of what
// happened in which order. The Jupyter server behind `fetch` is in fakes.ts.
import { flightKey, remember } from "../signin/inflight";
import { CALLBACK_SOURCE, type Outcome, type SessionView } from "../shared/messages";
import { forgetRegistry } from "../signin/registry";

export const ORIGIN = "https://lab.example";
export const ISSUER = "https://idp.example";
export const CLIENT_ID = "nb";
export const REDIRECT_URI = `${ORIGIN}/oidc/redirect.html`;
export const CONFIG = { authority: ISSUER, client_id: CLIENT_ID, scope: "openid" };
export const T0 = Date.UTC(2025, 0, 15, 12);

const g = globalThis as Record<string, unknown>;

/** What happened, in order: requests to the server ("POST signin"), windows opened, pages left for. */
export const timeline: string[] = [];

/** Lets every promise chain that is already able to run, run (real setImmediate, never mocked here). */
export function settle(turns = 1): Promise<void> {
  return turns <= 0 ? Promise.resolve() : new Promise<void>((r) => setImmediate(r)).then(() => settle(turns - 1));
}

/** Wait until `condition` holds, by letting the event loop turn; fail (never hang) when it does not. */
export async function waitFor(
  condition: () => boolean,
  what: string | (() => string) = "the condition",
  turns = 2_000,
): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (condition()) return;
    await settle();
  }
  throw new Error(`timed out waiting for ${typeof what === "string" ? what : what()}`);
}

export class MemoryStorage implements Storage {
  private items = new Map<string, string>();
  get length(): number {
    return this.items.size;
  }
  clear(): void {
    this.items.clear();
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  keys(): string[] {
    return [...this.items.keys()];
  }
  dump(): string {
    return JSON.stringify([...this.items]);
  }
}

export class FakePopup {
  closed = false;
  /** Where window.open opened it ("" for a blank window), then where it was sent. */
  readonly urls: string[];
  readonly navigated: Promise<string>;
  readonly location: { replace(url: string): void };

  constructor(url = "", readonly features = "") {
    this.urls = [url];
    let navigate: (url: string) => void = () => {};
    this.navigated = new Promise<string>((resolve) => (navigate = resolve));
    this.location = {
      replace: (to) => {
        this.urls.push(to);
        navigate(to);
      },
    };
  }

  /** The URL window.open was given ("" for a blank window, opened before its URL was known). */
  get openedAt(): string {
    return this.urls[0];
  }

  /** Where the window is now. */
  get at(): string {
    return this.urls[this.urls.length - 1];
  }

  close(): void {
    this.closed = true;
  }
}

/** The notebook page's window: popups it opens, and the message listeners on it. */
export class FakeWindow extends EventTarget {
  screenX = 0;
  screenY = 0;
  outerWidth = 1200;
  outerHeight = 800;
  blocked = false;
  readonly popups: FakePopup[] = [];
  /** Every window.open call, also the refused ones. */
  opens = 0;
  messageListeners = 0;

  open(url = "", _name = "", features = ""): FakePopup | null {
    this.opens++;
    timeline.push(`open ${url}`);
    if (this.blocked) return null;
    const popup = new FakePopup(url, features);
    this.popups.push(popup);
    return popup;
  }

  /** The sign-in window, once it is at the provider's authorization request (opened or sent there). */
  get atProvider(): FakePopup | undefined {
    return this.popups.find((p) => p.at.startsWith(`${ISSUER}/auth`));
  }

  override addEventListener(...args: Parameters<EventTarget["addEventListener"]>): void {
    if (args[0] === "message") this.messageListeners++;
    super.addEventListener(...args);
  }

  override removeEventListener(...args: Parameters<EventTarget["removeEventListener"]>): void {
    if (args[0] === "message") this.messageListeners--;
    super.removeEventListener(...args);
  }

  /** What our callback page posts to the window that opened the popup: the state it answers, and what
   * the keeper made of the answer (none for the provider's sign-out coming back). */
  answer(
    state: string,
    outcome?: Outcome,
    { origin = ORIGIN, source = CALLBACK_SOURCE }: { origin?: string; source?: string } = {},
  ): void {
    const data = { source, state, ...(outcome ? { outcome } : {}) };
    this.dispatchEvent(new MessageEvent("message", { origin, data }));
  }
}

export interface FakeLocation {
  origin: string;
  href: string;
  pathname: string;
  protocol: string;
  /** Where the page was sent by location.assign (redirect mode) and location.replace (callback). */
  assigned: string[];
  replaced: string[];
  assign(url: string): void;
  replace(url: string): void;
}

export interface Page {
  window: FakeWindow;
  location: FakeLocation;
  storage: MemoryStorage;
}

/** Requests whose live session a page may have come to know (js/signin/inflight.ts remember), each as its
 * request and redirect URI: the page's modules outlive each test's page, so a new page forgets them. */
const learnable: (() => [unknown, string])[] = [];

/** A widget of this page signs in to a request (asked when the page goes, as its URI needs a page). */
export function mayLearn(request: () => [unknown, string]): void {
  learnable.push(request);
}

/** A new page knows no session: each request learned is remembered as not live. */
function forgetSessions(): void {
  for (const request of learnable.splice(0)) remember(flightKey(...request()), { status: "signed_out" } as SessionView);
}

/** A notebook page at ORIGIN with base URL "/": window, location, document and sessionStorage (the
 * tab's own, when the tab comes back to the notebook). A new page: it knows no registry and no session. */
export function installPage(storage = new MemoryStorage()): Page {
  timeline.length = 0;
  forgetRegistry(); // a page asks for it once; each test is a new page
  const window = new FakeWindow();
  const location: FakeLocation = {
    origin: ORIGIN,
    href: `${ORIGIN}/lab/tree/a.ipynb`,
    pathname: "/lab/tree/a.ipynb",
    protocol: "https:",
    assigned: [],
    replaced: [],
    assign(url) {
      timeline.push(`assign ${url}`);
      this.assigned.push(url);
    },
    replace(url) {
      this.replaced.push(url);
    },
  };
  g.window = window;
  g.location = location;
  g.sessionStorage = storage;
  g.document = { getElementById: () => null, body: { dataset: { baseUrl: "/" } }, cookie: "_xsrf=xsrf-1" };
  forgetSessions();
  return { window, location, storage };
}
