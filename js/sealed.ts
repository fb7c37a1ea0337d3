// Redirect mode's sign-in state, sealed. The trip needs the PKCE verifier and the nonce to survive
// the page leaving for the provider, so they sit in this tab's sessionStorage — where any script in
// the tab could read them and, with the code the provider sends back, get tokens. Sealed with a key
// that only the kernel keeps (in memory, never in a trait) until the widget comes back for it, they
// are useless to anyone else, and useless to all once that kernel is gone (restarted, shut down).
import type { StateStore } from "oidc-client-ts";
import { fromBase64Url, toBase64Url } from "./base64url";

const ALGORITHM = { name: "AES-GCM", length: 256 } as const;

/** A new trip key, and its raw form for the kernel to keep. */
export async function newTripKey(): Promise<{ key: CryptoKey; raw: string }> {
  const key = await crypto.subtle.generateKey(ALGORITHM, true, ["encrypt", "decrypt"]);
  return { key, raw: toBase64Url(new Uint8Array(await crypto.subtle.exportKey("raw", key))) };
}

export function importTripKey(raw: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", fromBase64Url(raw), ALGORITHM, false, ["encrypt", "decrypt"]);
}

/** An oidc-client-ts state store whose values are AES-GCM sealed under `key` in `storage`. */
export class SealedStore implements StateStore {
  constructor(
    private readonly key: CryptoKey,
    private readonly storage: Storage,
    private readonly prefix: string,
  ) {}

  async set(key: string, value: string): Promise<void> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, this.key, new TextEncoder().encode(value));
    this.storage.setItem(this.prefix + key, `${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`);
  }

  async get(key: string): Promise<string | null> {
    const stored = this.storage.getItem(this.prefix + key);
    if (stored === null) return null;
    const [iv, data] = stored.split(".");
    try {
      const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64Url(iv) }, this.key, fromBase64Url(data));
      return new TextDecoder().decode(plain);
    } catch {
      return null; // sealed under another trip's key, or tampered with: not ours to use
    }
  }

  async remove(key: string): Promise<string | null> {
    const value = await this.get(key);
    this.storage.removeItem(this.prefix + key);
    return value;
  }

  async getAllKeys(): Promise<string[]> {
    const keys: string[] = [];
    for (let i = 0; i < this.storage.length; i++) {
      const name = this.storage.key(i);
      if (name?.startsWith(this.prefix)) keys.push(name.slice(this.prefix.length));
    }
    return keys;
  }
}
