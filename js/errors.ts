// Every failure the user can meet, as one code and one sentence that says what to do. The sentences of
// the sign-in itself come from the server's keeper (the provider's errors, the ID token's checks).
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

/** A provider's answer at the callback URL, as the keeper checks it: the parameters RFC 6749 §4.1.2
 * (code, state, or error and its description) and RFC 9207 (iss) define, and nothing else. */
export const ANSWER_PARAMS = ["code", "state", "iss", "error", "error_description"] as const;
