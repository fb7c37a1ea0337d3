/// <reference types="node" />
// Key rotation: a token signed with a key the provider published after this page fetched its JWKS
// is accepted after one forced reload, even inside jose's 30-s cooldown; an unknown kid is refused
// after that one reload, not refetched on and on. The JWKS is served by a server on 127.0.0.1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey } from "jose";
import { jwks } from "../jwks";

const first = await generateKeyPair("RS256");
const second = await generateKeyPair("RS256");
const published = { keys: [{ ...(await exportJWK(first.publicKey)), kid: "k1", alg: "RS256" }] };
let fetches = 0;
const server = createServer((_req, res) => {
  fetches++;
  res.setHeader("Content-Type", "application/json");
  res.end(JSON.stringify(published));
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;

function sign(key: CryptoKey, kid: string): Promise<string> {
  return new SignJWT({ sub: "u" }).setProtectedHeader({ alg: "RS256", kid }).setIssuedAt().sign(key);
}

test("a key rotated within the cooldown is found with one reload; an unknown kid is refused after one", async (t) => {
  t.after(() => server.close());
  const keys = jwks(uri);
  await jwtVerify(await sign(first.privateKey, "k1"), keys);
  assert.equal(fetches, 1);

  published.keys.push({ ...(await exportJWK(second.publicKey)), kid: "k2", alg: "RS256" });
  await jwtVerify(await sign(second.privateKey, "k2"), keys);
  assert.equal(fetches, 2);

  const stranger = await generateKeyPair("RS256");
  await assert.rejects(jwtVerify(await sign(stranger.privateKey, "k3"), keys), { code: "ERR_JWKS_NO_MATCHING_KEY" });
  assert.equal(fetches, 3);
});
