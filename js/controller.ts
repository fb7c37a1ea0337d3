// One sign-in per widget model: its state, shared by every view of the widget on the page.
// The SignInResult (refresh and ID token included) lives here, in module memory, and nowhere else.
import type { AnyModel } from "@anywidget/types";
import { SignInError } from "./errors";
import type { PageMessage, Status, WidgetTraits } from "./messages";
import { signInWithPopup, type SignInResult } from "./popup";

export interface View {
  status: Status;
  message: string;
}

function baseUrl(): string {
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

function displayName(claims: SignInResult["claims"]): string {
  for (const key of ["name", "preferred_username", "email", "sub"]) {
    if (typeof claims[key] === "string" && claims[key]) return claims[key] as string;
  }
  return "unknown user";
}

function clock(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

export class Controller {
  view: View = { status: "idle", message: "Run this cell to sign in." };
  private listeners = new Set<() => void>();
  private generation = 0;
  private abort: AbortController | null = null;
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;
  // Module memory only (design.md §3). Read by renewal and sign-out in later steps.
  private result: SignInResult | null = null;

  constructor(private readonly model: AnyModel<WidgetTraits>) {
    model.on("msg:custom", (msg: { type?: string }) => {
      if (msg?.type === "start" && this.view.status === "idle" && !this.signedIn) void this.start();
    });
  }

  get signedIn(): boolean {
    return this.result !== null;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private send(msg: PageMessage): void {
    this.model.send(msg);
  }

  private set(status: Status, message: string): void {
    this.view = { status, message };
    this.listeners.forEach((l) => l());
    this.send({ type: "status", status, message });
  }

  private fail(err: SignInError): void {
    this.set(err.code === "popup_blocked" ? "needs_click" : "error", err.message);
    this.send({ type: "error", error: err.code, message: err.message });
  }

  cancel(): void {
    this.generation++;
    this.abort?.abort();
    this.fail(new SignInError("cancelled", "Sign-in cancelled. Click Sign in to start again."));
  }

  /** Start a sign-in. Call from a click handler, or right after the cell ran (its activation). */
  async start(): Promise<void> {
    const generation = ++this.generation;
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    const config = this.model.get("config");
    const redirectUri = (config.redirect_uri as string | undefined) ?? defaultRedirectUri();
    this.set("signing_in", `Signing in at ${config.authority}… finish in the sign-in window.`);
    try {
      const result = await signInWithPopup(config, {
        redirectUri,
        timeoutMs: this.model.get("timeout") * 1000,
        signal: abort.signal,
        onPopupClosed: () => {
          if (generation !== this.generation) return;
          this.fail(
            new SignInError(
              "popup_closed",
              "The sign-in window was closed before sign-in finished. Click Sign in to try again.",
            ),
          );
        },
      });
      if (generation !== this.generation) return;
      this.result = result;
      this.send({
        type: "token",
        access_token: result.access_token,
        expires_at: result.expires_at,
        scope: result.scope,
        token_type: result.token_type,
      });
      const until = result.expires_at ? ` · token valid until ${clock(result.expires_at)}` : "";
      this.set("signed_in", `Signed in as ${displayName(result.claims)}${until}`);
      this.watchExpiry(result.expires_at);
    } catch (err) {
      if (generation !== this.generation) return;
      this.fail(err instanceof SignInError ? err : new SignInError("invalid_response", String(err)));
    }
  }

  private watchExpiry(expiresAt: number | null): void {
    clearTimeout(this.expiryTimer);
    if (!expiresAt) return;
    const ms = expiresAt * 1000 - Date.now();
    this.expiryTimer = setTimeout(() => {
      if (this.view.status !== "signed_in") return;
      this.result = null;
      this.set("error", `The token expired at ${clock(expiresAt)}. Click Sign in to get a new one.`);
    }, Math.max(0, ms));
  }
}
