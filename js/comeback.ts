// A page that leaves and comes back: a sign-in that takes the whole tab to the provider, its return,
// and a widget whose sign-in began before this page was loaded (a reload, the notebook reopened, a
// second tab). The session lives in the server's keeper, so coming back finds it there.
import * as api from "./api";
import type { FlowHost } from "./host";
import { keepReturnPath, leave, takeOutcome } from "./redirect";
import { beginFor, sessionOf } from "./signin-flow";
import * as say from "./wording";

/**
 * A view of a sign-in that began before this page was loaded: the keeper still holds its session
 * (renewed meanwhile, even with the tab closed), so show it; without one, say so and offer Sign in.
 */
export async function rejoin(host: FlowHost, trip: Promise<void>): Promise<void> {
  const generation = host.generation();
  await trip; // back from a full-page sign-in: that finishes it instead
  if (!host.current(generation) || host.status() !== "idle") return;
  try {
    await host.settings.settle();
  } catch {
    host.settings.unsettle(); // the label falls back to the kernel's config
  }
  let view = null;
  try {
    view = await api.sessionOf(host.model.get("instance"));
  } catch (err) {
    if (host.current(generation) && host.status() === "idle") host.fail(say.asSignInError(err));
    return;
  }
  // A sign-in started meanwhile (the kernel's start, a click) has the say.
  if (!host.current(generation) || host.status() !== "idle") return;
  if (view) host.bound(view);
  else host.set("signed_out", say.RELOADED_WITHOUT_TOKEN);
}

/** Back from a full-page sign-in that this widget started: the callback page handed the answer to the
 * keeper already; take the session it made, or say why there is none — no click. */
export async function finishTrip(host: FlowHost): Promise<void> {
  const outcome = takeOutcome(host.model.get("instance"));
  if (!outcome) return;
  try {
    host.bound(sessionOf(outcome));
  } catch (err) {
    host.fail(say.asSignInError(err));
  }
}

/** Sign in by taking this whole tab to the provider and back (the widget's second button). */
export async function redirect(host: FlowHost, fresh = false): Promise<void> {
  const generation = host.interrupt();
  const { settings } = host;
  try {
    await settings.settle();
    host.set("signing_in", say.goingTo(settings.where));
    await keepReturnPath();
    const begun = await beginFor(host, fresh);
    if (!host.current(generation)) return;
    if ("session" in begun) return host.bound(begun.session);
    leave(host.model.get("instance"), begun.state, begun.url);
  } catch (err) {
    if (host.current(generation)) host.fail(say.asSignInError(err));
  }
}
