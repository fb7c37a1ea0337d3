// The callback page's script ({base_url}oidc/redirect.html). In popup mode it hands the callback URL
// (code and state, or error and state) to the notebook page that opened the popup, then closes.
// It makes no request and stores nothing: the token exchange happens in the notebook page.
import { CALLBACK_SOURCE, callbackChannel, RESPONSE, responseParams, type CallbackMessage } from "./messages";
import { clearTrip, MAX_AGE_MS, readPending } from "./trip";

function show(text: string): void {
  const el = document.getElementById("message");
  if (el) el.textContent = text;
}

function main(): void {
  const url = location.href;
  const state = responseParams(url).get("state");
  // Keep the code out of the history and of any later Referer.
  history.replaceState(null, "", location.pathname);
  if (!state) {
    show("This page finishes a sign-in started from a notebook. Run authenticate() in a notebook to sign in.");
    return;
  }
  // Redirect mode: this tab left the notebook for the provider. Keep the answer for the widget
  // (this tab's sessionStorage, taken and deleted by it) and let the server send us back.
  const pending = readPending();
  if (!window.opener && pending?.state === state) {
    if (Date.now() - pending.created > MAX_AGE_MS) {
      clearTrip();
      show("This sign-in was started too long ago. Go back to the notebook and click Sign in again.");
      return;
    }
    sessionStorage.setItem(RESPONSE, url);
    show("Signed in. Going back to the notebook…");
    location.replace(`${document.body.dataset.baseUrl ?? "/"}oidc/return`);
    return;
  }
  const message: CallbackMessage = { source: CALLBACK_SOURCE, url };
  let opener: Window | null = null;
  try {
    opener = window.opener && window.opener.location.origin === location.origin ? window.opener : null;
  } catch {
    opener = null; // cross-origin opener: never post a code there
  }
  if (opener) {
    opener.postMessage(message, location.origin);
  } else {
    // The provider's Cross-Origin-Opener-Policy cut window.opener: same-origin channel instead.
    const channel = new BroadcastChannel(callbackChannel(state));
    channel.postMessage(message);
    channel.close();
  }
  show("Sign-in complete. You can close this window.");
  window.close();
}

main();
