// The provider's answer at the callback URL, and its way to the keeper: only the parameters RFC 6749
// §4.1.2 (code, state, or error and its description) and RFC 9207 (iss) define leave the page, and
// they go to the server's keeper alone (POST oidc/redeem), which redeems the code.
import type { SessionView } from "../shared/messages";
import { call } from "../shared/server";

// The same list as ipython_oidc_client/_keeper/authorize.py ANSWER_PARAMS (tests/unit/test_contract_answer.py).
const ANSWER_PARAMS = ["code", "state", "iss", "error", "error_description"] as const;

/** The authorization response's parameters, wherever the provider put them (query or fragment). */
export function responseParams(url: string): URLSearchParams {
  const parsed = new URL(url);
  const params = new URLSearchParams(parsed.hash.slice(1));
  parsed.searchParams.forEach((value, key) => {
    if (!params.has(key)) params.set(key, value);
  });
  return params;
}

export function answerOf(url: string): Record<string, string> {
  const params = responseParams(url);
  const answer: Record<string, string> = {};
  for (const name of ANSWER_PARAMS) {
    const value = params.get(name);
    if (value !== null) answer[name] = value;
  }
  return answer;
}

/** Hand the provider's answer to the keeper, which redeems the code; only the session's view comes back. */
export async function redeem(state: string, response: Record<string, string>): Promise<SessionView> {
  return (await call<{ session: SessionView }>("redeem", { state, response })).session;
}
