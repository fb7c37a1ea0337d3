// The sign-in engine: everything that needs oidc-client-ts and jose, in a module of its own that the
// widget loads as soon as it is evaluated (js/engine-load.ts), in parallel with the kernel's first
// message. The widget's own module stays small: it draws a state without waiting for the engine.
export { signInWithPopup } from "./popup";
export { finishRedirect, startRedirect } from "./redirect";
export { Session } from "./session";
