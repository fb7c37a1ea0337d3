// ID token validation, OpenID Connect Core 1.0 §3.1.3.7. oidc-client-ts checks only the nonce and
// the sub on renewal; it does not check the signature, iss, aud, exp or iat (its issues 1113, 1355).
// Kept apart from fetching: `keys` is any jose key resolver, so these checks run offline in tests.
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { SignInError } from "./errors";

// Asymmetric algorithms only: a public client has no secret, so an HS* token proves nothing
// (and "none" is never acceptable).
export const ALLOWED_ALGORITHMS = [
  "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
];

export interface IdTokenExpectations {
  issuer: string;
  client_id: string;
  /** The nonce sent with the authorization request; undefined on a refresh, which sends none. */
  nonce?: string;
  /** On a refresh: the subject of the first ID token, which must not change (Core §12.2). */
  subject?: string;
  keys: JWTVerifyGetKey;
  /** The max_age sent with the authorization request (Core §3.1.2.1), if any: auth_time must be recent. */
  maxAge?: number;
  /** The acr_values sent with the authorization request, if any: acr must be one of them. */
  acrValues?: string[];
  /** Seconds of clock skew tolerated on exp and iat. */
  clockTolerance?: number;
  currentDate?: Date;
}

/** The one way an ID token is refused, whoever found the fault (here, or oidc-client-ts first). */
export function reject(reason: string): never {
  throw new SignInError(
    "invalid_id_token",
    `The provider's ID token failed validation (${reason}); nothing was sent to the kernel. ` +
      "Check the system clock and the authority URL, then click Try again.",
  );
}

export async function validateIdToken(idToken: string, expect: IdTokenExpectations): Promise<JWTPayload> {
  const tolerance = expect.clockTolerance ?? 60;
  let payload: JWTPayload;
  try {
    // §3.1.3.7 items 1-3, 6-7, 9: signature, iss, aud, alg, exp.
    ({ payload } = await jwtVerify(idToken, expect.keys, {
      issuer: expect.issuer,
      audience: expect.client_id,
      algorithms: ALLOWED_ALGORITHMS,
      clockTolerance: tolerance,
      requiredClaims: ["iss", "sub", "aud", "exp", "iat"],
      currentDate: expect.currentDate,
    }));
  } catch (err) {
    if (err instanceof errors.JWTClaimValidationFailed) reject(`claim "${err.claim}": ${err.reason}`);
    if (err instanceof errors.JWTExpired) reject("it has expired");
    if (err instanceof errors.JWSSignatureVerificationFailed) reject("its signature does not verify");
    if (err instanceof errors.JOSEAlgNotAllowed) reject("it is signed with an algorithm that is not allowed");
    if (err instanceof errors.JWKSNoMatchingKey) reject("no key in the provider's JWKS matches it");
    if (err instanceof errors.JOSEError) reject(`${err.code}: ${err.message}`);
    throw err;
  }
  // §3.1.3.7 items 4-5: with several audiences, azp must name this client.
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== expect.client_id) {
    reject("several audiences but azp is not this client");
  }
  if (payload.azp !== undefined && payload.azp !== expect.client_id) reject("azp is not this client");
  // §3.1.3.7 item 10: iat must not lie in the future.
  const now = Math.floor((expect.currentDate ?? new Date()).getTime() / 1000);
  if (typeof payload.iat !== "number" || payload.iat > now + tolerance) reject("iat lies in the future");
  // §3.1.3.7 item 11: the nonce sent in the authorization request must come back unchanged.
  if (expect.nonce !== undefined && payload.nonce !== expect.nonce) {
    reject("nonce does not match the one this page sent");
  }
  if (expect.subject !== undefined && payload.sub !== expect.subject) reject("sub changed on renewal");
  // §3.1.3.7 item 13: with max_age requested, auth_time must be there and recent enough (§3.1.2.1).
  if (expect.maxAge !== undefined) {
    if (typeof payload.auth_time !== "number") reject("max_age was requested but auth_time is missing");
    if ((payload.auth_time as number) + expect.maxAge < now - tolerance) {
      reject(`the sign-in it reports is older than max_age (${expect.maxAge} s)`);
    }
  }
  // §3.1.3.7 item 12: with acr_values requested, the acr the provider asserts must be one of them.
  if (expect.acrValues?.length && !expect.acrValues.includes(payload.acr as string)) {
    reject(`acr is ${payload.acr === undefined ? "missing" : `"${String(payload.acr)}"`}, not one of the requested acr_values`);
  }
  return payload;
}
