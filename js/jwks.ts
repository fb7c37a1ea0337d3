// The provider's signing keys (its jwks_uri), one cached set per URI for the page.
import { createRemoteJWKSet, errors, type JWTVerifyGetKey } from "jose";

const cache = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/**
 * A key resolver for ID tokens signed by the provider at `uri`. jose refetches the set when a token
 * names an unknown kid, but not within 30 s of its last fetch (its cooldown): a key rotated just
 * after this page fetched the set would fail sign-in. On an unknown kid during the cooldown the set
 * is reloaded once, then the token checked again; a kid still unknown is refused.
 */
export function jwks(uri: string, options: { timeoutDuration?: number } = {}): JWTVerifyGetKey {
  let remote = cache.get(uri);
  if (!remote) {
    remote = createRemoteJWKSet(new URL(uri), { timeoutDuration: options.timeoutDuration ?? 10_000 });
    cache.set(uri, remote);
  }
  const keys = remote;
  return async (header, token) => {
    try {
      return await keys(header, token);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey) || !keys.coolingDown) throw err;
      await keys.reload();
      return keys(header, token);
    }
  };
}
