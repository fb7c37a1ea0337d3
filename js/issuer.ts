// Who is answering: the provider's identity in its discovery document (OpenID Connect Discovery 1.0
// §4.3) and in each authorization response (RFC 9207), and where its endpoints may live. Pure
// checks, apart from fetching, so that they run offline in tests.
import type { OidcMetadata } from "oidc-client-ts";
import { SignInError } from "./errors";
import { responseParams, type OidcConfig } from "./messages";

const REQUIRED = ["issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"] as const;
// Every endpoint the page may send a code, a token or the user to.
const ENDPOINTS = [
  "authorization_endpoint",
  "token_endpoint",
  "jwks_uri",
  "userinfo_endpoint",
  "end_session_endpoint",
  "revocation_endpoint",
  "introspection_endpoint",
  "device_authorization_endpoint",
] as const;

function isLoopback(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost") || host === "[::1]" || /^127\./.test(host);
}

function invalid(message: string): SignInError {
  return new SignInError("discovery_invalid", message);
}

/** Check a fetched discovery document; `url` is where it came from, for the messages. */
export function checkDiscovered(metadata: Partial<OidcMetadata>, config: OidcConfig, url: string): OidcMetadata {
  for (const field of REQUIRED) {
    if (typeof metadata[field] !== "string") {
      throw invalid(
        `The discovery document ${url} has no "${field}". Check that "authority" points at an OpenID ` +
          "Connect provider.",
      );
    }
  }
  // Discovery §4.3: the issuer is exactly the authority, character for character (a trailing slash
  // included), whether the document was found from the authority or from "metadataUrl".
  if (metadata.issuer !== config.authority) {
    throw invalid(
      `The provider calls itself "${metadata.issuer}", but "authority" is "${config.authority}". ` +
        `Set "authority" to exactly "${metadata.issuer}" if that is the provider you mean.`,
    );
  }
  for (const field of ENDPOINTS) {
    const value = (metadata as Record<string, unknown>)[field];
    if (value === undefined) continue;
    let endpoint: URL;
    try {
      endpoint = new URL(String(value));
    } catch {
      throw invalid(`The discovery document ${url} gives "${field}" as "${String(value)}", which is not a URL.`);
    }
    // RFC 9700 §2.6 / RFC 6749 §3.1, §3.2: codes and tokens travel over TLS, except on this machine.
    if (endpoint.protocol !== "https:" && !(endpoint.protocol === "http:" && isLoopback(endpoint.hostname))) {
      throw invalid(
        `The discovery document ${url} gives "${field}" as ${endpoint.origin}, which is not https: codes ` +
          "and tokens would cross the network unencrypted. Ask the provider's administrator to fix it.",
      );
    }
  }
  const methods = metadata.code_challenge_methods_supported;
  if (Array.isArray(methods) && !methods.includes("S256")) {
    throw invalid(
      "The provider does not offer PKCE with S256 (RFC 7636 §4.2), which this client requires. " +
        "Ask its administrator to enable it.",
    );
  }
  return metadata as OidcMetadata;
}

/**
 * RFC 9207 §2.4: an authorization response that names its issuer must name this provider, and one
 * from a provider that promises to name it must do so. Every provider shares one redirect URI here,
 * so without this a response from another provider (a mix-up, RFC 9700 §4.4) would have its code
 * sent to this provider's token endpoint.
 */
export function checkResponseIssuer(url: string, metadata: OidcMetadata): void {
  const iss = responseParams(url).get("iss");
  const promised = (metadata as { authorization_response_iss_parameter_supported?: boolean })
    .authorization_response_iss_parameter_supported;
  if (iss === null && promised !== true) return;
  if (iss !== metadata.issuer) {
    throw new SignInError(
      "issuer_mismatch",
      iss === null
        ? `The sign-in answer does not say which provider sent it, although ${metadata.issuer} promises to ` +
            "(RFC 9207). Nothing was sent to the provider or the kernel. Click Sign in to try again."
        : `The sign-in answer came from another provider (${iss.slice(0, 200)}) than the one this sign-in ` +
            `went to (${metadata.issuer}). Nothing was sent to either, or to the kernel: another tab or ` +
            "page may have started a sign-in at the same time. Click Sign in to try again.",
    );
  }
}
