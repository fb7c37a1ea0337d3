// A page that leaves and comes back: a sign-in that takes the whole tab to the provider, its
// return, and a widget whose sign-in began before this page was loaded (a reload, the notebook
// reopened).
import type { FlowHost } from "./host";
import { loadEngine } from "./engine-load";
import { reusable, sessionKey, sessions } from "./sessions";
import * as say from "./wording";

/**
 * A view of a sign-in that began before this page was loaded (a reload, the notebook reopened):
 * the page's tokens died with the old page, so say where the kernel's token stands and offer
 * one click to go on, unless this page already holds a session for the same client.
 */
export async function rejoin(host: FlowHost, trip: Promise<void>, expiresAt: number | null): Promise<void> {
  const generation = host.generation();
  const { settings } = host;
  await trip; // back from a full-page sign-in: that finishes it instead
  if (host.status() !== "idle") return;
  try {
    await settings.settle();
  } catch {
    settings.unsettle(); // offered below all the same; the click says what is wrong
  }
  // A sign-in started meanwhile (the kernel's start, a click) has the say.
  if (!host.current(generation) || host.status() !== "idle") return;
  const { config, redirectUri } = settings;
  const existing = settings.settled ? sessions.get(sessionKey(config, redirectUri)) : undefined;
  if (existing && reusable(existing, config)) return host.attach(existing);
  if (expiresAt !== null && expiresAt * 1000 > Date.now()) {
    host.set("renew_needed", say.reloaded(expiresAt), { expiresAt });
  }
  else host.set("signed_out", say.RELOADED_WITHOUT_TOKEN);
}

/** Back from a full-page sign-in that this widget started: finish it, without a click. */
export async function finishTrip(host: FlowHost): Promise<void> {
  const generation = host.generation();
  const { settings } = host;
  try {
    // The trip key, kept by the kernel while the page was away (js/sealed.ts); asked for once.
    const { key } = await host.kernel.ask({ type: "trip_back" }, "trip_key");
    const { finishRedirect } = await loadEngine();
    const signedIn = await finishRedirect(host.model.get("instance"), key, async () => {
      await settings.settle();
      return { config: settings.config, redirectUri: settings.redirectUri };
    });
    if (signedIn && host.current(generation)) host.adopt(signedIn);
  } catch (err) {
    host.fail(say.asSignInError(err));
  }
}

/** Sign in by taking this whole tab to the provider and back (the widget's second button). */
export async function redirect(host: FlowHost): Promise<void> {
  host.interrupt();
  const { settings } = host;
  try {
    await settings.settle();
    host.set("signing_in", say.goingTo(settings.where));
    const { config, redirectUri } = settings;
    const { startRedirect } = await loadEngine();
    await startRedirect(config, redirectUri, host.model.get("instance"), async (key) => {
      await host.kernel.ask({ type: "trip_key", key }, "trip_key_kept");
    });
  } catch (err) {
    host.fail(say.asSignInError(err));
  }
}
