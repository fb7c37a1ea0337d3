// base64url without padding (RFC 4648 §5), the form in which random values travel: safe in URLs and
// window names as they are.

export function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
