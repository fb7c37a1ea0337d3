// Unguessable values: the nonce of each sign-in (OpenID Connect Core §3.1.2.1) and the popup's name.
import { toBase64Url } from "./base64url";

/** 256 bits from the browser's CSPRNG, base64url-encoded. */
export function randomToken(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}
