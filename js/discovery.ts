// The provider's discovery document (OpenID Connect Discovery 1.0 §4), fetched through oidc-client-ts
// and checked (js/issuer.ts) before anything is sent to an endpoint it names.
import type { OidcClient, OidcMetadata } from "oidc-client-ts";
import { SignInError } from "./errors";
import { checkDiscovered } from "./issuer";
import type { OidcConfig } from "./messages";

function discoveryUrl(config: OidcConfig): string {
  if (typeof config.metadataUrl === "string") return config.metadataUrl;
  return config.authority.replace(/\/$/, "") + "/.well-known/openid-configuration";
}

/** Fetch and check the discovery document (OpenID Connect Discovery 1.0 §4). */
export async function loadMetadata(client: OidcClient, config: OidcConfig): Promise<OidcMetadata> {
  const url = discoveryUrl(config);
  let metadata: Partial<OidcMetadata>;
  try {
    metadata = await client.metadataService.getMetadata();
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    const unreachable = err instanceof TypeError || (err instanceof Error && err.name === "ErrorTimeout");
    if (unreachable) {
      throw new SignInError(
        "provider_unreachable",
        `Could not reach the identity provider: ${url} did not load (${text}). ` +
          `Check that "authority" is right and the provider is up, and that it allows CORS ` +
          `from ${location.origin}. Then click Try again.`,
      );
    }
    throw new SignInError(
      "discovery_invalid",
      `The identity provider's discovery document ${url} is not usable (${text}). ` +
        `Check that "authority" points at an OpenID Connect provider, then click Try again.`,
    );
  }
  return checkDiscovered(metadata, config, url);
}
