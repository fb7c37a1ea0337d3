// The callback page's script ({base_url}oidc/redirect.html), on the notebook's origin. A sign-in's
// answer (code and state, or error and state) goes straight to the server's keeper, which redeems it
// (POST oidc/redeem, XSRF-checked): the code never reaches the notebook page or web storage. What
// comes back — a session's view, or the reason it was refused — goes to the page that opened this
// window (postMessage, or BroadcastChannel where the provider's COOP cut window.opener), or, in
// redirect mode, into this tab's sessionStorage for the widget to find when the tab is back.
import { SignInError } from "../shared/errors";
import { CALLBACK_SOURCE, callbackChannel, RESPONSE, type CallbackMessage, type Outcome } from "../shared/messages";
import { clearTrip, MAX_AGE_MS, readPending } from "../shared/trip";
import * as say from "../shared/wording";
import { answerOf, redeem as toKeeper, responseParams } from "./answer";

function show(text: string): void {
  const el = document.getElementById("message");
  if (el) el.textContent = text;
}

/** Hand the answer to the keeper; whatever happens, an outcome that says so. */
async function redeem(state: string, answer: Record<string, string>): Promise<Outcome> {
  try {
    return { session: await toKeeper(state, answer) };
  } catch (err) {
    const failure = err instanceof SignInError ? err : new SignInError("keeper_unavailable", String(err));
    return { error: failure.code, message: failure.message };
  }
}

function tell(message: CallbackMessage): void {
  let opener: Window | null = null;
  try {
    opener = window.opener && window.opener.location.origin === location.origin ? window.opener : null;
  } catch {
    opener = null; // a cross-origin opener: it gets nothing
  }
  if (opener) {
    opener.postMessage(message, location.origin);
  } else {
    const channel = new BroadcastChannel(callbackChannel(message.state));
    channel.postMessage(message);
    channel.close();
  }
}

async function main(): Promise<void> {
  const url = location.href;
  const params = responseParams(url);
  const state = params.get("state");
  // Keep the code out of the history and of any later Referer.
  history.replaceState(null, "", location.pathname);
  if (!state) {
    show(say.CALLBACK_ALONE);
    return;
  }
  const pending = readPending();
  const redirectMode = !window.opener && pending?.state === state;
  if (redirectMode && Date.now() - (pending?.created ?? 0) > MAX_AGE_MS) {
    clearTrip();
    show(say.TRIP_TOO_OLD);
    return;
  }
  // The provider's own sign-out coming back carries a state and nothing to redeem.
  const signIn = params.has("code") || params.has("error");
  if (signIn) show(say.FINISHING);
  const outcome = signIn ? await redeem(state, answerOf(url)) : undefined;
  if (redirectMode) {
    // This tab left the notebook for the provider: keep the outcome for the widget, and go back.
    sessionStorage.setItem(RESPONSE, JSON.stringify({ state, outcome }));
    show(say.GOING_BACK);
    location.replace(`${document.body.dataset.baseUrl ?? "/"}oidc/return`);
    return;
  }
  tell({ source: CALLBACK_SOURCE, state, ...(outcome ? { outcome } : {}) });
  show(outcome && "error" in outcome ? outcome.message : say.CALLBACK_DONE);
  window.close();
}

void main();
