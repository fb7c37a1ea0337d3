// One load of the sign-in engine (js/engine.ts) per page, begun early and awaited where needed.
export type Engine = typeof import("./engine");

let loading: Promise<Engine> | undefined;
let loaded: Engine | undefined;

/** The engine, loading it on the first call. */
export function loadEngine(): Promise<Engine> {
  loading ??= import("./engine").then((engine) => (loaded = engine));
  return loading;
}

/** The engine where a sign-in has already finished, so it is loaded. */
export function engineNow(): Engine {
  if (!loaded) throw new Error("The sign-in engine is not loaded yet.");
  return loaded;
}
