/// <reference types="node" />
// Stand-ins for what the page talks to, so that the stateful modules run in node as they do in the
// browser: the tab's sessionStorage, the notebook page's window and popups, and an identity provider
// answering over `fetch` (discovery, token endpoint with PKCE, JWKS, revocation). Nothing here logs
// a token, code or verifier.
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import { toBase64Url } from "../base64url";
import { CALLBACK_SOURCE } from "../messages";

export const ORIGIN = "https://lab.example";
export const ISSUER = "https://idp.example";
export const CLIENT_ID = "nb";
export const REDIRECT_URI = `${ORIGIN}/oidc/redirect.html`;
export const CONFIG = { authority: ISSUER, client_id: CLIENT_ID, scope: "openid" };

const g = globalThis as Record<string, unknown>;

/** Lets every promise chain that is already able to run, run (real setImmediate, never mocked here). */
export function settle(turns = 1): Promise<void> {
  return turns <= 0 ? Promise.resolve() : new Promise<void>((r) => setImmediate(r)).then(() => settle(turns - 1));
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
  readonly navigated: Promise<string>;
  readonly location: { replace(url: string): void };

  constructor() {
    let navigate: (url: string) => void = () => {};
    this.navigated = new Promise<string>((resolve) => (navigate = resolve));
    this.location = { replace: (url) => navigate(url) };
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
  messageListeners = 0;

  open(): FakePopup | null {
    if (this.blocked) return null;
    const popup = new FakePopup();
    this.popups.push(popup);
    return popup;
  }

  override addEventListener(...args: Parameters<EventTarget["addEventListener"]>): void {
    if (args[0] === "message") this.messageListeners++;
    super.addEventListener(...args);
  }

  override removeEventListener(...args: Parameters<EventTarget["removeEventListener"]>): void {
    if (args[0] === "message") this.messageListeners--;
    super.removeEventListener(...args);
  }

  /** What our callback page posts to the window that opened the popup. */
  answer(url: string, { origin = ORIGIN, source = CALLBACK_SOURCE }: { origin?: string; source?: string } = {}): void {
    this.dispatchEvent(new MessageEvent("message", { origin, data: { source, url } }));
  }
}

export interface FakeLocation {
  origin: string;
  pathname: string;
  protocol: string;
  /** Where the page was sent by location.assign (redirect mode). */
  assigned: string[];
  assign(url: string): void;
}

/** A notebook page at ORIGIN with base URL "/": window, location, document and sessionStorage. */
export function installPage(): { window: FakeWindow; location: FakeLocation; storage: MemoryStorage } {
  const window = new FakeWindow();
  const location: FakeLocation = {
    origin: ORIGIN,
    pathname: "/lab/tree/a.ipynb",
    protocol: "https:",
    assigned: [],
    assign(url) {
      this.assigned.push(url);
    },
  };
  const storage = new MemoryStorage();
  g.window = window;
  g.location = location;
  g.sessionStorage = storage;
  g.document = { getElementById: () => null, body: { dataset: { baseUrl: "/" } }, cookie: "_xsrf=x" };
  return { window, location, storage };
}

export interface SeenRequest {
  url: string;
  method: string;
  form: URLSearchParams;
}

async function s256(verifier: string): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

/**
 * An OpenID provider behind `fetch`. `authorize` plays the user signing in at the authorization URL;
 * the token endpoint then takes each code once, with the verifier whose S256 challenge came with it.
 */
export class FakeProvider {
  readonly requests: SeenRequest[] = [];
  readonly metadata: Record<string, unknown> = {
    issuer: ISSUER,
    authorization_endpoint: `${ISSUER}/auth`,
    token_endpoint: `${ISSUER}/token`,
    jwks_uri: `${ISSUER}/jwks`,
    revocation_endpoint: `${ISSUER}/revoke`,
    code_challenge_methods_supported: ["S256"],
  };
  revocation: { status: number; body: string } = { status: 200, body: "" };
  private readonly codes = new Map<string, { nonce: string; challenge: string; redirectUri: string }>();
  private issued = 0;

  private constructor(
    private readonly key: CryptoKey,
    private readonly jwk: JWK,
  ) {}

  static async create(): Promise<FakeProvider> {
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    return new FakeProvider(privateKey, { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256" });
  }

  /** Serve this page's fetch from now on. */
  install(): this {
    g.fetch = this.fetch;
    return this;
  }

  requestsTo(path: string): SeenRequest[] {
    return this.requests.filter((r) => r.url === `${ISSUER}${path}`);
  }

  /** The user signs in: the answer the provider sends to the redirect URI. */
  authorize(authorizationUrl: string): string {
    const q = new URL(authorizationUrl).searchParams;
    const code = `code-${this.codes.size + 1}`;
    const redirectUri = q.get("redirect_uri") ?? "";
    this.codes.set(code, { nonce: q.get("nonce") ?? "", challenge: q.get("code_challenge") ?? "", redirectUri });
    return `${redirectUri}#${new URLSearchParams({ code, state: q.get("state") ?? "", iss: ISSUER })}`;
  }

  idToken(claims: Record<string, unknown>): Promise<string> {
    return new SignJWT({ sub: "alice", ...claims })
      .setProtectedHeader({ alg: "ES256", kid: "k1" })
      .setIssuer(ISSUER)
      .setAudience(CLIENT_ID)
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(this.key);
  }

  readonly fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = String(input instanceof Request ? input.url : input);
    const form = new URLSearchParams((init.body as URLSearchParams | string | undefined) ?? "");
    this.requests.push({ url, method: init.method ?? "GET", form });
    switch (url) {
      case `${ISSUER}/.well-known/openid-configuration`:
        return json(this.metadata);
      case `${ISSUER}/jwks`:
        return json({ keys: [this.jwk] });
      case `${ISSUER}/token`:
        return this.token(form);
      case `${ISSUER}/revoke`:
        return new Response(this.revocation.body, { status: this.revocation.status });
      default:
        throw new TypeError("fetch failed"); // what an unreachable host looks like
    }
  };

  private async token(form: URLSearchParams): Promise<Response> {
    const grant = this.codes.get(form.get("code") ?? "");
    this.codes.delete(form.get("code") ?? "");
    const verified = grant && (await s256(form.get("code_verifier") ?? "")) === grant.challenge;
    if (form.get("grant_type") !== "authorization_code" || !verified || form.get("redirect_uri") !== grant.redirectUri) {
      return json({ error: "invalid_grant" }, 400);
    }
    const n = ++this.issued;
    return json({
      access_token: `at-${n}`,
      token_type: "Bearer",
      expires_in: 300,
      refresh_token: `rt-${n}`,
      scope: "openid",
      id_token: await this.idToken({ nonce: grant.nonce }),
    });
  }
}
