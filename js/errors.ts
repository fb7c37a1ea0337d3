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

/** Map anything thrown during sign-in to a SignInError with a message a notebook user can act on. */
export function explain(err: unknown, ctx: ErrorContext): SignInError {
  if (err instanceof SignInError) return err;
  if (isProviderError(err)) {
    const detail = err.error_description ? `: ${err.error_description}` : "";
    if (err.error === "access_denied") {
      return new SignInError(
        "access_denied",
        `The identity provider refused the sign-in (access_denied${detail}). ` +
          `If you cancelled, click Try again; otherwise ask the provider's administrator ` +
          `whether you may use client "${ctx.client_id}".`,
      );
    }
    return new SignInError(
      err.error,
      `The identity provider answered with an error (${err.error}${detail}). ` +
        `Check the client settings registered for "${ctx.client_id}", then click Try again.`,
    );
  }
  const text = err instanceof Error ? err.message : String(err);
  return new SignInError("invalid_response", `Sign-in failed: ${text}. Click Try again.`);
}
