/// <reference types="node" />
// What the widget says and offers: each state has its buttons, and no sentence shown in a state
// tells the user to click a button that state does not show (issue 10).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { explain, SignInError } from "../errors";
import type { Status, View } from "../messages";
import { SignOut } from "../signout";
import type { Session } from "../session";
import * as say from "../wording";

const EXP = Date.UTC(2026, 10, 30, 11, 2) / 1000;
const CLAIMS = { sub: "u1", name: "Alice Example" };
const CTX = { authority: "https://idp.example", client_id: "nb", redirect_uri: "https://lab/oidc/redirect.html" };
const CAUSES = say.likelyCauses("nb", CTX.redirect_uri);

/** The labels a view shows. */
function labels(view: View): string[] {
  return view.actions.map((a) => a.label);
}

/** No sentence names a button that its state does not show. */
function assertHonest(view: View): void {
  for (const named of say.namedButtons(view.message)) {
    assert.ok(
      labels(view).includes(named),
      `${view.status}: "${view.message}" names "${named}", shown: ${JSON.stringify(labels(view))}`,
    );
  }
}

function providerError(error: string, error_description?: string): Error {
  return Object.assign(new Error(error), { name: "ErrorResponse", error, error_description });
}

// Every sentence the controller shows, by the state it shows it in.
const SHOWN: [Status, string][] = [
  ["idle", say.IDLE],
  ["signing_in", say.signingIn("corp (https://idp.example)")],
  ["signing_in", say.goingTo("https://idp.example")],
  ["signing_in", say.stillWaiting(CAUSES)],
  ["signed_in", say.signedIn(CLAIMS, EXP, true)],
  ["signed_in", say.signedIn(CLAIMS, null, true)],
  ["renew_needed", say.signedIn(CLAIMS, EXP, false)],
  ["renew_needed", say.reloaded(EXP)],
  ["signed_out", say.SIGNED_OUT],
  ["signed_out", say.RELOADED_WITHOUT_TOKEN],
  ["error", say.timedOut(30, CAUSES)],
  ["error", say.POPUP_CLOSED],
  ["error", say.CANCELLED],
  ["error", say.EXPIRED],
  // Other modules' errors, shown in the error state.
  ["error", explain(providerError("access_denied", "End-User aborted interaction"), CTX).message],
  ["error", explain(providerError("invalid_scope"), CTX).message],
  ["error", explain(new Error("boom"), CTX).message],
];

test("each state offers its buttons, the first being the one its sentence points at", () => {
  const ids = (status: Status, facts?: say.StateFacts) => say.actionsFor(status, facts).map((a) => a.id);
  assert.deepEqual(ids("idle"), []);
  assert.deepEqual(ids("signing_in"), ["cancel"]);
  assert.deepEqual(ids("needs_click"), ["sign_in", "redirect"]);
  assert.deepEqual(ids("needs_click", { signOutPending: true }), ["sign_out"]);
  assert.deepEqual(ids("signed_in"), ["renew", "sign_out"]);
  assert.deepEqual(ids("renew_needed"), ["renew", "sign_out"]);
  assert.deepEqual(ids("signed_out"), ["sign_in"]);
  assert.deepEqual(ids("error"), ["sign_in"]);
  // At most one button is urged, and only where the state asks for a click.
  const primary = (status: Status) => say.actionsFor(status).filter((a) => a.primary).map((a) => a.id);
  assert.deepEqual(primary("signing_in"), []);
  assert.deepEqual(primary("signed_in"), []);
  assert.deepEqual(primary("renew_needed"), ["renew"]);
  assert.deepEqual(primary("error"), ["sign_in"]);
  assert.deepEqual(primary("needs_click"), ["sign_in"]);
  // The end-to-end tests find the buttons by these words.
  assert.deepEqual(say.LABELS, {
    sign_in: "Sign in",
    sign_out: "Sign out",
    renew: "Renew",
    cancel: "Cancel",
    redirect: "Sign in in this tab",
  });
});

test("no sentence names a button that is not shown in its state", () => {
  for (const [status, message] of SHOWN) assertHonest(say.view(status, message));
});

test("a blocked popup's sentence names a button its state shows", () => {
  const blocked = new SignInError("popup_blocked", "The browser blocked the sign-in window. Click Sign in to open it.");
  assertHonest(say.view("needs_click", blocked.message));
});

test("the sign-out flow's sentences name only the buttons shown with them", async () => {
  const seen: View[] = [];
  const flow: SignOut = new SignOut({
    set: (status, message) => seen.push(say.view(status, message, { signOutPending: flow.waitingForClick })),
    send: () => {},
  });
  await flow.run(null, { authority: CTX.authority, client_id: "nb" }, CTX.redirect_uri, 5);
  // A provider with an end-session endpoint, whose popup the browser refused: a Sign out click.
  const session = {
    endsAtProvider: true,
    signOut: async () => async () => {
      throw new Error("provider unreachable");
    },
  } as unknown as Session;
  const globals = globalThis as unknown as { window?: unknown };
  globals.window = { open: () => null, screenX: 0, screenY: 0, outerWidth: 800, outerHeight: 600 };
  try {
    await flow.run(session, { authority: CTX.authority, client_id: "nb" }, CTX.redirect_uri, 5);
    const pending = seen.at(-1);
    assert.equal(pending?.status, "needs_click");
    assert.deepEqual(labels(pending!), ["Sign out"]);
    flow.finishOnClick({ authority: CTX.authority, client_id: "nb" });
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    delete globals.window;
  }
  assert.deepEqual(
    seen.map((v) => v.status),
    ["signed_out", "needs_click", "error"],
  );
  for (const view of seen) assertHonest(view);
});

test("every sentence in the sources names a button the widget has", () => {
  const dir = fileURLToPath(new URL("../../js/", import.meta.url));
  const known = new Set([...Object.values(say.LABELS), "Try again"]);
  const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));
  assert.ok(files.includes("wording.ts"), dir);
  for (const file of files) {
    // Comments may speak of buttons freely; what reaches a user is in the code.
    const code = readFileSync(dir + file, "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    for (const named of say.namedButtons(code)) {
      assert.ok(known.has(named), `${file} tells the user to click "${named}", which the widget never shows`);
    }
  }
});

test("'click Try again' is pointed at the Sign in button an error shows", () => {
  const err = explain(providerError("access_denied", "End-User aborted interaction"), CTX);
  const view = say.view("error", err.message);
  assert.match(view.message, /If you cancelled, click Sign in to try again; otherwise/);
  assert.doesNotMatch(view.message, /Try again/);
  assert.equal(
    say.view("error", "Sign-in failed: x. Click Try again.").message,
    "Sign-in failed: x. Click Sign in to try again.",
  );
  // Where no Sign in is shown, nothing is rewritten (and the check above would fail).
  assert.equal(say.pointAt("click Try again", say.actionsFor("signing_in")), "click Try again");
});

test("the buttons a sentence names are found, the longest label first", () => {
  assert.deepEqual(say.namedButtons("Click Sign in in this tab."), ["Sign in in this tab"]);
  assert.deepEqual(say.namedButtons("Then click Sign in. Or click Renew before then."), ["Sign in", "Renew"]);
  assert.deepEqual(say.namedButtons("click Sign out to also end it"), ["Sign out"]);
  assert.deepEqual(say.namedButtons("then click Try again."), ["Try again"]);
  assert.deepEqual(say.namedButtons("click Continue"), ["Continue"]);
  assert.deepEqual(say.namedButtons("no clicks here; click the link"), []);
});

test("the expiry reads relative and absolute, with its date and time zone", () => {
  assert.equal(say.absoluteExpiry(EXP, "en-GB", "UTC"), "30 Nov 2026, 11:02 UTC");
  assert.match(say.absoluteExpiry(EXP, "en-GB", "Europe/Berlin"), /^30 Nov 2026, 12:02 (CET|GMT\+1)$/);
  const now = (EXP - 14 * 60 - 20) * 1000;
  assert.equal(say.relativeExpiry(EXP, now, "en"), "expires in 14 minutes");
  assert.equal(say.relativeExpiry(EXP, (EXP + 180) * 1000, "en"), "expired 3 minutes ago");
  assert.equal(say.relativeExpiry(EXP, (EXP - 40) * 1000, "en"), "expires in 40 seconds");
  assert.equal(say.relativeExpiry(EXP, (EXP - 5 * 3600) * 1000, "en"), "expires in 5 hours");
  assert.equal(say.relativeExpiry(EXP, (EXP - 3 * 86400) * 1000, "en"), "expires in 3 days");
});

test("the provider reads as its host where it has no administrator's name", () => {
  assert.equal(say.host("https://login.example.org/realms/x"), "login.example.org");
  assert.equal(say.host("http://127.0.0.1:9000"), "127.0.0.1:9000");
  assert.equal(say.host("not a url"), "not a url");
});
