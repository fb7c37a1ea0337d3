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
