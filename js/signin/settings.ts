// What one widget signs in with: the kernel's config, or an administrator's provider named by it
// (js/signin/registry.ts), and the redirect URI, ranked by chooseRedirectUri.
import type { AnyModel } from "@anywidget/types";
import type { OidcConfig, WidgetTraits } from "../shared/messages";
import { defaultRedirectUri } from "../shared/page";
import { chooseRedirectUri, resolveRequest, type Resolved, type SignInRequest } from "./registry";

/** The authority as a person reads it: its host (and port), or the text as given. */
export function host(authority: string): string {
  try {
    return new URL(authority).host || authority;
  } catch {
    return authority;
  }
}

export class WidgetSettings {
  private resolved: Resolved | null = null;

  constructor(private readonly model: AnyModel<WidgetTraits>) {}

  /** Ask the server for what the kernel named (once per page; js/signin/registry.ts). */
  async settle(): Promise<void> {
    this.resolved = await resolveRequest(this.model.get("config") as SignInRequest);
  }

  /** Forget a failed resolution: the settings below fall back to the kernel's config as it is. */
  unsettle(): void {
    this.resolved = null;
  }

  get settled(): boolean {
    return this.resolved !== null;
  }

  get config(): OidcConfig {
    return this.resolved?.config ?? this.model.get("config");
  }

  /** The provider as the user should read it: the administrator's name too, when there is one. */
  get where(): string {
    const name = this.resolved?.provider;
    return name ? `${name} (${this.config.authority})` : this.config.authority;
  }

  /** The provider in a few words for the widget: the administrator's name, else the authority's host. */
  get provider(): string | null {
    if (this.resolved) return this.resolved.provider ?? host(this.resolved.config.authority);
    const asked = this.model.get("config") as SignInRequest;
    if ("provider" in asked) return typeof asked.provider === "string" ? asked.provider : null;
    return typeof asked.authority === "string" ? host(asked.authority) : null;
  }

  get redirectUri(): string {
    const resolved = this.resolved ?? { config: this.config, provider: null, redirectUri: null };
    const pinned = this.model.get("pinned_redirect_uri") ?? "";
    return chooseRedirectUri(resolved, pinned, this.model.get("redirect_path"), defaultRedirectUri());
  }
}
