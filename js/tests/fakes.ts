/// <reference types="node" />
// A fake Jupyter server behind `fetch`: the sign-in routes of js/signin/api.ts (ipython_oidc_client/server/
// sessions.py) with a keeper behind them that holds sessions by request and by widget instance, and
// answers each POST oidc/watch at the first change (or holds it until the page aborts it); GET
// oidc/providers for js/signin/registry.ts; POST oidc/return-path for redirect mode. It records every request.
// The page never talks to the provider, so there is no provider here: ISSUER only names one. The
// "access tokens" it hands out are made-up strings.
import type { AccessToken } from "../signin/api";
import type { SessionView } from "../shared/messages";
import type { Registry } from "../signin/registry";
import { CLIENT_ID, ISSUER, timeline } from "./fake-page";

export * from "./fake-page";
export type { Registry };

/** A keeper's view of a session (never a token), signed in by default. */
export function sessionView(over: Partial<SessionView> = {}): SessionView {
  return {
    id: "s1",
    version: 1,
    status: "signed_in",
    user: "Alice",
    expires_at: Math.floor(Date.now() / 1000) + 300,
    renewable: true,
    error: null,
    issuer: ISSUER,
    client_id: CLIENT_ID,
    label: null,
    end_session: true,
    ...over,
  };
}

export interface Seen {
  method: string;
  /** The path under {base_url}oidc/, e.g. "signin", "sessions/s1/renew". */
  path: string;
  body: any;
  headers: Record<string, string>;
}

type Route =
  | "signin"
  | "redeem"
  | "watch"
  | "instances"
  | "session"
  | "renew"
  | "logout"
  | "token"
  | "providers"
  | "return-path";

interface Watcher {
  seen: Record<string, number>;
  answer(changed: Record<string, SessionView | null>): void;
}

/** Session ids are unique in a test file: its modules (the page's watch) outlive each test's server. */
let sessionIds = 0;

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

export class FakeServer {
  readonly requests: Seen[] = [];
  readonly sessions = new Map<string, SessionView>();
  /** Which session each widget instance is bound to. */
  readonly instances = new Map<string, string>();
  /** Sign-ins begun (POST signin that answered a URL) and not yet redeemed, by state. */
  readonly pending = new Map<string, { key: string; instance: string }>();
  /** What each POST signin that starts a sign-in answered: the request to open, and its state. */
  readonly begun: { url: string; state: string }[] = [];
  /** The administrator's providers (GET oidc/providers); null: 404, as without the extension's registry. */
  registry: Registry | null = null;
  /** Who the provider signs in at the next redeem. */
  user = "Alice";
  /** What POST logout answers for a session whose provider offers RP-initiated logout. */
  endSession: string | null = `${ISSUER}/logout?state=so-1`;
  revokeError: string | null = null;
  /** Routes made to refuse: the status and body they answer with. */
  readonly refusals = new Map<Route, { status: number; body?: unknown }>();
  /** Routes made slow: their requests wait for these before they are answered. */
  private readonly holds = new Map<Route, Promise<void>>();
  /** POST oidc/watch requests held open now, and the most ever held at once. */
  watching = 0;
  maxWatching = 0;
  private readonly watchers = new Set<Watcher>();
  private readonly byKey = new Map<string, string>();
  private count = 0;

  constructor(private readonly base = "/") {}

  /** Serve this page's fetch from now on. */
  install(): this {
    (globalThis as Record<string, unknown>).fetch = this.fetch;
    return this;
  }

  to(path: string | RegExp): Seen[] {
    return this.requests.filter((r) => (typeof path === "string" ? r.path === path : path.test(r.path)));
  }

  refuse(route: Route, status: number, body?: unknown): void {
    this.refusals.set(route, { status, body });
  }

  /** A slow server: requests to `route` (made now or later) are answered once `release` is called. */
  hold(route: Route): () => void {
    let release: () => void = () => {};
    this.holds.set(route, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      this.holds.delete(route);
      release();
    };
  }

  static key(request: unknown, redirectUri: string): string {
    return JSON.stringify([request, redirectUri]);
  }

  /** A live session at the keeper for `request`, bound to `instance` when given. */
  seed(request: unknown, redirectUri: string, over: Partial<SessionView> = {}, instance?: string): SessionView {
    const view = this.create(over);
    this.byKey.set(FakeServer.key(request, redirectUri), view.id);
    if (instance) this.instances.set(instance, view.id);
    return view;
  }

  private create(over: Partial<SessionView>): SessionView {
    const view = sessionView({ id: `s${++sessionIds}`, ...over });
    this.sessions.set(view.id, view);
    return view;
  }

  /** The keeper changes a session (a renewal, a failure, an expiry): a new version, watchers told. */
  update(id: string, change: Partial<SessionView>): SessionView {
    const old = this.sessions.get(id);
    if (!old) throw new Error(`no session ${id}`);
    const view = { ...old, ...change, id, version: old.version + 1 };
    this.sessions.set(id, view);
    this.notify();
    return view;
  }

  /** The keeper no longer knows the session (it was restarted). */
  drop(id: string): void {
    this.sessions.delete(id);
    this.notify();
  }

  /** The long polls' own timeout: each answers "nothing changed". */
  timeOutWatches(): void {
    for (const w of [...this.watchers]) w.answer({});
  }

  private notify(): void {
    for (const w of [...this.watchers]) {
      const changed = this.changes(w.seen);
      if (Object.keys(changed).length) w.answer(changed);
    }
  }

  private changes(seen: Record<string, number>): Record<string, SessionView | null> {
    const changed: Record<string, SessionView | null> = {};
    for (const [id, version] of Object.entries(seen)) {
      const now = this.sessions.get(id);
      if (!now) changed[id] = null;
      else if (now.version > version) changed[id] = now;
    }
    return changed;
  }

  readonly fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = String(input);
    const method = init.method ?? "GET";
    const prefix = `${this.base}oidc/`;
    if (!url.startsWith(prefix)) throw new TypeError("fetch failed"); // what an unreachable host looks like
    const path = url.slice(prefix.length);
    const body = typeof init.body === "string" ? JSON.parse(init.body) : undefined;
    this.requests.push({ method, path, body, headers: { ...(init.headers as Record<string, string>) } });
    timeline.push(`${method} ${path}`);
    const [route, answer] = this.route(method, path, body, init.signal ?? undefined);
    const held = route && this.holds.get(route);
    if (held) await held;
    const refusal = route && this.refusals.get(route);
    if (!refusal) return answer();
    return refusal.body === undefined ? new Response(null, { status: refusal.status }) : json(refusal.body, refusal.status);
  };

  /** The route a request is for (null: none of ours), and how it is answered. */
  private route(
    method: string,
    path: string,
    body: any,
    signal?: AbortSignal,
  ): [Route | null, () => Response | Promise<Response>] {
    const parts = path.split("/").map(decodeURIComponent);
    if (method === "GET" && path === "providers") {
      return ["providers", () => (this.registry ? json(this.registry) : new Response("", { status: 404 }))];
    }
    if (method === "POST" && path === "return-path") return ["return-path", () => new Response(null, { status: 204 })];
    if (method === "POST" && path === "signin") return ["signin", () => this.begin(body)];
    if (method === "POST" && path === "redeem") return ["redeem", () => this.redeem(body)];
    if (method === "POST" && path === "watch") return ["watch", () => this.watch(body.sessions, signal)];
    if (method === "GET" && parts[0] === "instances" && parts.length === 2) {
      return ["instances", () => json({ session: this.sessions.get(this.instances.get(parts[1]) ?? "") ?? null })];
    }
    if (parts[0] === "sessions" && (parts.length === 2 || parts.length === 3)) {
      const view = this.sessions.get(parts[1]);
      const gone = () =>
        json({ error: "unknown_session", message: "The server's token keeper no longer knows this sign-in." }, 404);
      const op = (parts[2] ?? "session") as Route;
      if ((method === "GET") !== (op === "session")) return [null, () => new Response("", { status: 405 })];
      if (!view) return [op, gone];
      if (op === "session") return [op, () => json({ session: view })];
      if (op === "renew") return [op, () => this.renew(view)];
      if (op === "logout") return [op, () => this.logout(view)];
      if (op === "token") return [op, () => json({ token: this.tokenOf(view) })];
    }
    return [null, () => new Response("<html>404</html>", { status: 404 })];
  }

  private begin(body: any): Response {
    const key = FakeServer.key(body.request, body.redirect_uri);
    const live = this.sessions.get(this.byKey.get(key) ?? "");
    if (live?.status === "signed_in" && body.fresh !== true) {
      this.instances.set(body.instance, live.id);
      return json({ session: live });
    }
    return json(this.pend(body.request, body.redirect_uri, body.instance));
  }

  /** A sign-in the keeper begins for `request` (what POST signin does when no live session serves it). */
  pend(request: unknown, redirectUri: string, instance: string): { url: string; state: string } {
    const state = `st-${++this.count}`;
    this.pending.set(state, { key: FakeServer.key(request, redirectUri), instance });
    const url = `${ISSUER}/auth?client_id=${CLIENT_ID}&state=${state}`;
    this.begun.push({ url, state });
    return { url, state };
  }

  private redeem(body: any): Response {
    const signIn = this.pending.get(body.state);
    if (!signIn || body.response?.state !== body.state) {
      return json({ error: "state_mismatch", message: "This answer is for no sign-in under way. Click Sign in." }, 400);
    }
    this.pending.delete(body.state);
    const { error, error_description } = body.response;
    if (error) {
      return json({ error, message: `The provider refused the sign-in (${error}: ${error_description}). Click Sign in to try again.` }, 400);
    }
    const id = this.byKey.get(signIn.key);
    const fresh = { status: "signed_in" as const, user: this.user, error: null, expires_at: Math.floor(Date.now() / 1000) + 300 };
    const view = id && this.sessions.has(id) ? this.update(id, fresh) : this.create(fresh);
    this.byKey.set(signIn.key, view.id);
    this.instances.set(signIn.instance, view.id);
    return json({ session: view });
  }

  private watch(seen: Record<string, number>, signal?: AbortSignal): Promise<Response> | Response {
    const changed = this.changes(seen);
    if (Object.keys(changed).length) return json({ sessions: changed });
    return new Promise<Response>((resolve, reject) => {
      const watcher: Watcher = {
        seen,
        answer: (sessions) => {
          end();
          resolve(json({ sessions }));
        },
      };
      const onAbort = () => {
        end();
        reject(signal?.reason ?? new DOMException("This operation was aborted", "AbortError"));
      };
      const end = () => {
        this.watchers.delete(watcher);
        this.watching = this.watchers.size;
        signal?.removeEventListener("abort", onAbort);
      };
      this.watchers.add(watcher);
      this.watching = this.watchers.size;
      this.maxWatching = Math.max(this.maxWatching, this.watching);
      signal?.addEventListener("abort", onAbort);
    });
  }

  private renew(view: SessionView): Response {
    if (!view.renewable) return json({ error: "not_renewable", message: "This sign-in cannot be renewed." }, 400);
    return json({ session: this.update(view.id, { expires_at: (view.expires_at ?? 0) + 300 }) });
  }

  private logout(view: SessionView): Response {
    const session = this.update(view.id, { status: "signed_out", user: null, expires_at: null, renewable: false });
    return json({ session, end_session: view.end_session ? this.endSession : null, revoke_error: this.revokeError });
  }

  /** What the token route answers: the four fields, and one the page must not pass on. */
  tokenOf(view: SessionView): AccessToken & { extra: string } {
    return {
      access_token: `fake-access-${view.id}-v${view.version}`,
      expires_at: view.expires_at,
      scope: "openid",
      token_type: "Bearer",
      extra: "not for the kernel",
    };
  }
}
