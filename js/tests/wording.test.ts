/// <reference types="node" />
// What the widget says and offers: each state has its buttons, and no sentence shown in a state
// tells the user to click a button that state does not show (issue 10): the
// controller's own sentences, the errors other modules make, the sign-out flow's, the keeper's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { asSignInError, type SignInError } from "../shared/errors";
import type { SessionView, Status, View } from "../shared/messages";
import * as say from "../shared/wording";
import * as api from "../signin/api";
import { keepReturnPath } from "../signin/redirect";
import { resolveRequest } from "../signin/registry";
import { host } from "../signin/settings";
import { SignOut } from "../signin/signout";
import { openPopup } from "../signin/window";
import { actionsFor, view, type StateFacts } from "../widget/views";
import { namedButtons } from "./buttons";
import { CONFIG, FakeServer, installPage, REDIRECT_URI, sessionView, settle } from "./fakes";

const EXP = Date.UTC(2026, 10, 30, 11, 2) / 1000;
const VIEW: SessionView = sessionView({ user: "Alice Example", expires_at: EXP });
const CAUSES = say.likelyCauses("nb", REDIRECT_URI);

/** The labels a view shows. */
function labels(view: View): string[] {
  return view.actions.map((a) => a.label);
}

/** No sentence names a button that its state does not show. */
function assertHonest(shown: View): void {
  for (const named of namedButtons(shown.message)) {
    assert.ok(
      labels(shown).includes(named),
      `${shown.status}: "${shown.message}" names "${named}", shown: ${JSON.stringify(labels(shown))}`,
    );
  }
}

// Every sentence of js/shared/wording.ts the controller shows, by the state it shows it in.
const SHOWN: [Status, string, StateFacts?][] = [
  ["idle", say.IDLE],
  ["idle", say.KERNEL_GONE],
  ["signing_in", say.signingIn("corp (https://idp.example)")],
  ["signing_in", say.goingTo("https://idp.example")],
  ["signing_in", say.stillWaiting(CAUSES)],
  ["signing_in", say.SIGNING_IN_ELSEWHERE],
  ["needs_click", say.SIGN_OUT_NEEDS_CLICK, { signOutPending: true }],
  ["signed_in", say.signedIn(VIEW)],
  ["signed_in", say.signedIn(VIEW, true)],
  ["signed_in", say.signedIn({ ...VIEW, expires_at: null })],
  ["renew_needed", say.signedIn({ ...VIEW, renewable: false })],
  ["signed_out", say.SIGNED_OUT],
  ["signed_out", say.SIGNED_OUT_EVERYWHERE],
  ["signed_out", say.SIGNED_OUT_NO_ENDPOINT],
  ["signed_out", say.RELOADED_WITHOUT_TOKEN],
  ["error", say.timedOut(30, CAUSES)],
  ["error", say.POPUP_CLOSED],
  ["needs_click", say.POPUP_BLOCKED],
  ["error", say.NO_ANSWER],
  ["error", say.CANCELLED],
  ["error", say.EXPIRED],
  ["error", say.KEEPER_GONE],
];

test("each state offers its buttons, the first being the one its sentence points at", () => {
  const ids = (status: Status, facts?: StateFacts) => actionsFor(status, facts).map((a) => a.id);
  assert.deepEqual(ids("idle"), []);
  assert.deepEqual(ids("signing_in"), ["cancel"]);
  assert.deepEqual(ids("needs_click"), ["sign_in", "redirect"]);
  assert.deepEqual(ids("needs_click", { signOutPending: true }), ["sign_out"]);
  assert.deepEqual(ids("signed_in"), ["renew", "sign_out"]);
  assert.deepEqual(ids("renew_needed"), ["renew", "sign_out"]);
  assert.deepEqual(ids("signed_out"), ["sign_in"]);
  assert.deepEqual(ids("error"), ["sign_in"]);
  // At most one button is urged, and only where the state asks for a click.
  const primary = (status: Status) => actionsFor(status).filter((a) => a.primary).map((a) => a.id);
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
  for (const [status, message, facts] of SHOWN) assertHonest(view(status, message, facts));
});

test("the errors other modules make name only the Sign in an error (or a refused popup) shows", async () => {
  installPage();
  const errors: SignInError[] = [];
  const fails = async (call: () => unknown) => {
    try {
      await call();
    } catch (err) {
      errors.push(asSignInError(err));
    }
  };
  (globalThis as Record<string, unknown>).fetch = async () => {
    throw new TypeError("fetch failed");
  };
  await fails(() => api.sessionOf("w1")); // the server does not answer
  await fails(() => resolveRequest({ provider: "corp" }));
  const server = new FakeServer().install();
  for (const status of [404, 403]) {
    server.refuse("instances", status);
    await fails(() => api.sessionOf("w1"));
  }
  server.refuse("providers", 500);
  await fails(() => resolveRequest({ provider: "corp" }));
  server.refuse("return-path", 400);
  await fails(() => keepReturnPath());
  assert.equal(errors.length, 6);
  for (const err of errors) assertHonest(view("error", err.message));
  (globalThis as unknown as { window: { blocked: boolean } }).window.blocked = true;
  await fails(() => openPopup(CONFIG, "https://idp.example/auth"));
  assert.equal(errors[6]?.code, "popup_blocked");
  assertHonest(view("needs_click", errors[6].message));
});

test("the sign-out flow's sentences name only the buttons shown with them", async () => {
  const { window } = installPage();
  const server = new FakeServer().install();
  const seen: View[] = [];
  const flow: SignOut = new SignOut({
    set: (status, message) => seen.push(view(status, message, { signOutPending: flow.waitingForClick })),
    signedOut: () => {},
  });
  await flow.run(null, CONFIG, REDIRECT_URI, 5);
  // A provider with an end-session endpoint, whose popup the browser refused: a Sign out click.
  window.blocked = true;
  await flow.run(server.seed(CONFIG, REDIRECT_URI), CONFIG, REDIRECT_URI, 5);
  const pending = seen.at(-1);
  assert.equal(pending?.status, "needs_click");
  assert.deepEqual(labels(pending!), ["Sign out"]);
  window.blocked = false;
  const opening = window.open.bind(window);
  window.open = (...args) => {
    const popup = opening(...args);
    popup!.location.replace = () => {
      throw new Error("the provider cannot be reached");
    };
    return popup;
  };
  flow.finishOnClick(CONFIG, 5);
  await settle(5);
  // And one whose revocation failed.
  server.revokeError = "unsupported_token_type";
  await flow.run(server.seed(CONFIG, REDIRECT_URI, { end_session: false }), CONFIG, REDIRECT_URI, 5);
  assert.deepEqual(
    seen.map((v) => v.status),
    ["signed_out", "needs_click", "error", "error"],
  );
  for (const shown of seen) assertHonest(shown);
});

test("every sentence the keeper and the server say names Sign in, the one button of an error", () => {
  const root = fileURLToPath(new URL("../../ipython_oidc_client/", import.meta.url));
  let files = 0;
  for (const dir of ["_keeper", "server"]) {
    for (const file of readdirSync(root + dir).filter((f) => f.endsWith(".py"))) {
      files++;
      const code = readFileSync(`${root}${dir}/${file}`, "utf8").replace(/^\s*#.*$/gm, "");
      for (const named of namedButtons(code)) {
        assert.ok(named === "Sign in", `${dir}/${file} tells the user to click "${named}"`);
      }
    }
  }
  assert.ok(files > 5, root);
});

/** Every TypeScript source of js/ but the tests, by its path under js/, with its comments removed:
 * what reaches a user is in the code. */
function sources(): [string, string][] {
  const root = fileURLToPath(new URL("../../js/", import.meta.url));
  const found: [string, string][] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(root + dir)) {
      const path = dir + name;
      if (statSync(root + path).isDirectory()) {
        if (name !== "tests") walk(`${path}/`);
      } else if (name.endsWith(".ts")) {
        const code = readFileSync(root + path, "utf8")
          .replace(/\/\*[\s\S]*?\*\//g, "")
          .replace(/^\s*\/\/.*$/gm, "");
        found.push([path, code]);
      }
    }
  };
  walk("");
  return found;
}

test("every sentence in the sources names a button the widget has", () => {
  const known = new Set<string>(Object.values(say.LABELS));
  const files = sources().map(([path]) => path);
  assert.ok(files.includes("shared/wording.ts") && files.includes("widget/controller.ts"), String(files));
  for (const [file, code] of sources()) {
    for (const named of namedButtons(code)) {
      assert.ok(known.has(named), `${file} tells the user to click "${named}", which the widget never shows`);
    }
  }
});

test("the sentences are all in js/shared/wording.ts: no other module tells the user what to click", () => {
  for (const [file, code] of sources()) {
    if (file === "shared/wording.ts") continue;
    assert.deepEqual(namedButtons(code), [], `${file} has a sentence of its own`);
    assert.doesNotMatch(code, /[Cc]lick /, `${file} has a sentence of its own`);
  }
});

test("a keeper's sentence is shown as it is said, never rewritten", () => {
  const said = "The provider refused the sign-in (access_denied). If you cancelled, click Sign in to try again.";
  assert.equal(view("error", said).message, said);
  // A button that is no label is no button: the tests find it, as written.
  assert.deepEqual(namedButtons("then click Try again."), ["Try again"]);
});

test("the buttons a sentence names are found, the longest label first", () => {
  assert.deepEqual(namedButtons("Click Sign in in this tab."), ["Sign in in this tab"]);
  assert.deepEqual(namedButtons("Then click Sign in. Or click Renew before then."), ["Sign in", "Renew"]);
  assert.deepEqual(namedButtons("click Sign out to also end it"), ["Sign out"]);
  assert.deepEqual(namedButtons("click Continue"), ["Continue"]);
  assert.deepEqual(namedButtons("no clicks here; click the link"), []);
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
  assert.equal(host("https://login.example.org/realms/x"), "login.example.org");
  assert.equal(host("http://127.0.0.1:9000"), "127.0.0.1:9000");
  assert.equal(host("not a url"), "not a url");
});
