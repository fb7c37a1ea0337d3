// Every failure the user can meet, turned into one code and one sentence that says what to do.
import type { ErrorCode } from "./messages";

export class SignInError extends Error {
  constructor(
    readonly code: ErrorCode | string,
    message: string,
  ) {
    super(message);
    this.name = "SignInError";
  }
}

export interface ErrorContext {
  authority: string;
  client_id: string;
  redirect_uri: string;
}

interface ProviderError {
  name: string;
  error: string;
  error_description?: string | null;
}

function isProviderError(err: unknown): err is ProviderError {
  // oidc-client-ts marks its ErrorResponse by name (RFC 6749 §4.1.2.1 / §5.2 error responses).
  return err instanceof Error && err.name === "ErrorResponse" && "error" in err;
}

// RFC 6749 §4.1.2.1: error and error_description are limited to %x20-21 / %x23-5B / %x5D-7E; an
// error code has no spaces in practice. Anything else is the provider's (or an attacker's) text and
// does not reach the kernel as it is; lengths are bounded so a message stays a message.
const ERROR_CODE = /^[\x21\x23-\x5B\x5D-\x7E]{1,64}$/;
const DESCRIPTION_CHAR = /[^\x20-\x21\x23-\x5B\x5D-\x7E]/g;
export const MAX_DESCRIPTION = 300;

/** The provider's error code if it is one RFC 6749 allows, else "invalid_response". */
export function errorCode(value: unknown): string {
  return typeof value === "string" && ERROR_CODE.test(value) ? value : "invalid_response";
}

/** The provider's error_description with characters outside RFC 6749's set dropped, bounded. */
export function errorDescription(value: unknown): string {
  if (typeof value !== "string") return "";
  const clean = value.replace(DESCRIPTION_CHAR, "").trim();
  return clean.length > MAX_DESCRIPTION ? `${clean.slice(0, MAX_DESCRIPTION)}…` : clean;
}

/** Map anything thrown during sign-in to a SignInError with a message a notebook user can act on. */
export function explain(err: unknown, ctx: ErrorContext): SignInError {
  if (err instanceof SignInError) return err;
  if (isProviderError(err)) {
    const code = errorCode(err.error);
    const description = errorDescription(err.error_description);
    const detail = description ? `: ${description}` : "";
    if (code === "access_denied") {
      return new SignInError(
        "access_denied",
        `The identity provider refused the sign-in (access_denied${detail}). ` +
          `If you cancelled, click Try again; otherwise ask the provider's administrator ` +
          `whether you may use client "${ctx.client_id}".`,
      );
    }
    return new SignInError(
      code,
      `The identity provider answered with an error (${code}${detail}). ` +
        `Check the client settings registered for "${ctx.client_id}", then click Try again.`,
    );
  }
  const text = err instanceof Error ? err.message : String(err);
  return new SignInError("invalid_response", `Sign-in failed: ${text}. Click Try again.`);
}
