// One long poll for the whole page (POST oidc/watch): every session a widget of this page shows, each
// change told to that session's listeners as soon as the keeper makes it — a renewal, a failure, an
// expiry, a sign-out from another notebook. One request, not one per widget: a browser keeps at most
// six connections per server, and twenty notebooks must not take them all.
import { watch } from "./api";
import { SignInError } from "../shared/errors";
import type { SessionView } from "../shared/messages";

type Listener = (view: SessionView | null) => void;

const listeners = new Map<string, Set<Listener>>();
const seen = new Map<string, number>();
let running: AbortController | null = null;
/** After a failed poll, wait this long before the next (the server may be restarting). */
const RETRY_MS = 2_000;

/** Follow `view`'s session; `listener` hears each new view, and null when the session is gone. */
export function follow(view: SessionView, listener: Listener): () => void {
  let set = listeners.get(view.id);
  if (!set) listeners.set(view.id, (set = new Set()));
  set.add(listener);
  seen.set(view.id, Math.max(seen.get(view.id) ?? 0, view.version));
  restart();
  return () => {
    set.delete(listener);
    if (set.size === 0) {
      listeners.delete(view.id);
      seen.delete(view.id);
      restart();
    }
  };
}

/** A view the page learnt of otherwise (a renewal it asked for): tell the listeners now. */
export function told(view: SessionView): void {
  if (!listeners.has(view.id)) return; // nobody here follows it (any more): not the page's to watch
  if (view.version <= (seen.get(view.id) ?? -1)) return;
  seen.set(view.id, view.version);
  listeners.get(view.id)?.forEach((l) => l(view));
}

function restart(): void {
  running?.abort();
  running = null;
  if (listeners.size) void loop((running = new AbortController()));
}

async function loop(control: AbortController): Promise<void> {
  while (!control.signal.aborted && listeners.size) {
    try {
      const changed = await watch(Object.fromEntries(seen), control.signal);
      for (const [id, view] of Object.entries(changed)) {
        if (view) told(view);
        else {
          seen.delete(id);
          const gone = listeners.get(id);
          listeners.delete(id);
          gone?.forEach((l) => l(null));
        }
      }
    } catch (err) {
      if (control.signal.aborted || (err instanceof SignInError && err.code === "cancelled")) return;
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }
}
