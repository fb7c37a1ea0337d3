// The provider's answer at the callback URL, as the keeper checks it: only the parameters RFC 6749
// §4.1.2 (code, state, or error and its description) and RFC 9207 (iss) define leave the page.
import { responseParams } from "./messages";

const ANSWER_PARAMS = ["code", "state", "iss", "error", "error_description"] as const;

export function answerOf(url: string): Record<string, string> {
  const params = responseParams(url);
  const answer: Record<string, string> = {};
  for (const name of ANSWER_PARAMS) {
    const value = params.get(name);
    if (value !== null) answer[name] = value;
  }
  return answer;
}
