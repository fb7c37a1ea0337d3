// Every failure the user can meet, as one code and one sentence that says what to do (the sentences
// are js/shared/wording.ts's). The sentences of the sign-in itself come from the server's keeper (the
// provider's errors, the ID token's checks).
import type { AnyErrorCode, ProviderErrorCode } from "./messages";

export class SignInError extends Error {
  constructor(
    readonly code: AnyErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "SignInError";
  }
}

/** A code read from a server's answer: passed on as it came, ours or the provider's (the only place a
 * plain string becomes a code; js/shared/messages.ts ProviderErrorCode). */
export function received(code: string): AnyErrorCode {
  return code as ProviderErrorCode;
}

/** Any failure as a SignInError: one we made as it is, anything else as an invalid response. */
export function asSignInError(err: unknown): SignInError {
  return err instanceof SignInError ? err : new SignInError("invalid_response", String(err));
}
