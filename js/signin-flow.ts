// Signing in through a popup window, or joining the sign-in another widget of this page has under
// way for the same client (js/inflight.ts), so that one window serves them all.
import { redirect } from "./comeback";
import { SignInError } from "./errors";
import type { FlowHost } from "./host";
import { lead, pending, type InFlight } from "./inflight";
import { loadEngine } from "./engine-load";
import { reusable, sessionKey, sessions } from "./sessions";
import { openPopup } from "./window";
import * as say from "./wording";

/** How long a sign-in window may stay open before the widget names what usually keeps it there. */
export const HINT_AFTER_MS = 8_000;

/** Sign in, or join the page's live session for the same client without a new sign-in. */
export async function start(host: FlowHost, forceNew = false): Promise<void> {
  const { generation, signal } = host.begin();
  const { settings } = host;
  try {
    await settings.settle();
  } catch (err) {
    if (host.current(generation)) host.fail(say.asSignInError(err));
    return;
  }
  if (!host.current(generation)) return;
  const { config, redirectUri } = settings;
  const key = sessionKey(config, redirectUri);
  const existing = sessions.get(key);
  if (existing && reusable(existing, config) && !forceNew) return host.attach(existing);
  const underWay = pending(key);
  if (underWay && !forceNew) return join(host, underWay, key, generation);
  if (host.model.get("mode") === "redirect") return redirect(host);
  host.set("signing_in", say.signingIn(settings.where));
  const causes = say.likelyCauses(config.client_id, redirectUri);
  const hint = setTimeout(() => {
    if (!host.current(generation) || host.status() !== "signing_in") return;
    host.set("signing_in", say.stillWaiting(causes));
  }, HINT_AFTER_MS);
  let shared: InFlight | null = null;
  try {
    const timeout = host.model.get("timeout");
    const options = {
      redirectUri,
      deadline: Date.now() + timeout * 1000,
      signal,
      timeoutMessage: () => say.timedOut(timeout, causes),
      onPopupClosed: () => {
        const err = new SignInError("popup_closed", say.POPUP_CLOSED);
        shared?.abandon(err);
        if (host.current(generation)) host.fail(err);
      },
    };
    // The window first, inside the user's activation, before anything is awaited (the engine is
    // usually loaded by now: the widget began loading it when it was evaluated).
    const signIn = (async () => {
      const popup = openPopup(config);
      const { signInWithPopup } = await loadEngine();
      return signInWithPopup(config, options, popup);
    })();
    shared = lead(key, signIn);
    const signedIn = await signIn;
    if (!host.current(generation)) return;
    host.adopt(signedIn);
  } catch (err) {
    if (!host.current(generation)) return;
    host.fail(say.asSignInError(err));
  } finally {
    clearTimeout(hint);
  }
}

/** Another widget of this page is signing in to the same client: wait for it, share its session. */
async function join(host: FlowHost, underWay: InFlight, key: string, generation: number): Promise<void> {
  host.set("signing_in", say.SIGNING_IN_ELSEWHERE);
  try {
    const signedIn = await underWay.outcome;
    if (!host.current(generation)) return;
    const session = sessions.get(key);
    if (session) host.attach(session);
    else host.adopt(signedIn); // the widget that signed in went away before keeping it
  } catch (err) {
    if (host.current(generation)) host.fail(say.asSignInError(err));
  }
}
