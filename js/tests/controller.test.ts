/// <reference types="node" />
// The controller's view carries its buttons: each state it reaches lists them, its sentence names
// only those, the kernel is told the same sentence, and a button of a state that has passed does
// nothing. The page around it (window, document, location, fetch) is a small fake.
import { test, beforeEach, afterEach } from "node:test";
import assert from "node:assert/strict";
import type { AnyModel } from "@anywidget/types";
import { Controller } from "../controller";
import type { OidcConfig, PageMessage, Status, View, WidgetTraits } from "../messages";
import { forgetRegistry } from "../registry";
import * as say from "../wording";

const CONFIG: OidcConfig = { authority: "https://idp.example:8443/realms/x", client_id: "nb" };

interface FakeModel {
  model: AnyModel<WidgetTraits>;
  sent: PageMessage[];
  fromKernel(msg: unknown): void;
  /** What ipywidgets does when the kernel restarts: the comm dies, sends throw, and it says so. */
  restartKernel(): void;
}

function fakeModel(config: unknown = CONFIG): FakeModel {
  const traits: Record<string, unknown> = {
    instance: `i-${Math.random()}`,
    config,
    timeout: 30,
    renew_before: 10,
    redirect_path: "",
    pinned_redirect_uri: "",
    mode: "popup",
  };
  const sent: PageMessage[] = [];
  const handlers: ((msg: unknown) => void)[] = [];
  const liveness: (() => void)[] = [];
  let dead = false;
  const model = {
    get: (key: string) => traits[key],
    on: (event: string, handler: (msg: unknown) => void) => {
      if (event === "msg:custom") handlers.push(handler);
      if (event === "comm_live_update") liveness.push(() => handler(undefined));
    },
    send: (msg: PageMessage) => {
      if (dead) throw new Error("Cannot send");
      sent.push(msg);
    },
  } as unknown as AnyModel<WidgetTraits>;
  const restartKernel = () => {
    dead = true;
    liveness.forEach((h) => h());
  };
  return { model, sent, fromKernel: (msg) => handlers.forEach((h) => h(msg)), restartKernel };
}

let registry: unknown = null; // null: no server extension (404)
const globals = globalThis as unknown as Record<string, unknown>;
const saved: Record<string, PropertyDescriptor | undefined> = {};
const FAKES: Record<string, unknown> = {
  window: { open: () => null, screenX: 0, screenY: 0, outerWidth: 1200, outerHeight: 800 },
  document: { getElementById: () => null, body: { dataset: {} }, cookie: "" },
  location: { origin: "http://lab.example" },
  sessionStorage: { getItem: () => null, setItem: () => {}, removeItem: () => {} },
  fetch: async () =>
    registry === null ? new Response(null, { status: 404 }) : new Response(JSON.stringify(registry), { status: 200 }),
};

beforeEach(() => {
  registry = null;
  forgetRegistry();
  for (const [name, fake] of Object.entries(FAKES)) {
    saved[name] = Object.getOwnPropertyDescriptor(globalThis, name);
    Object.defineProperty(globalThis, name, { value: fake, configurable: true, writable: true });
  }
});

afterEach(() => {
  for (const name of Object.keys(FAKES)) {
    const before = saved[name];
    if (before) Object.defineProperty(globalThis, name, before);
    else delete globals[name];
  }
});

/** Every view the controller shows, until one has `status`. */
function until(controller: Controller, status: Status, seen: View[]): Promise<View> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${status}; saw ${JSON.stringify(seen)}`)), 5_000);
    const unsubscribe = controller.subscribe(() => {
      seen.push(controller.view);
      if (controller.view.status !== status) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(controller.view);
    });
  });
}

function assertHonest(view: View): void {
  const shown = view.actions.map((a) => a.label);
  for (const named of say.namedButtons(view.message)) {
    assert.ok(shown.includes(named), `${view.status}: "${view.message}" names "${named}", shown: ${shown}`);
  }
}

function ids(view: View): string[] {
  return view.actions.map((a) => a.id);
}

test("before anything: no button, the provider's host", () => {
  const { model } = fakeModel();
  const controller = new Controller(model);
  assert.equal(controller.view.status, "idle");
  assert.deepEqual(controller.view.actions, []);
  assert.equal(controller.view.provider, "idp.example:8443");
  controller.act("sign_in"); // not a button of this state: nothing happens
  assert.equal(controller.view.status, "idle");
  controller.dispose();
});

test("a refused popup: Sign in and Sign in in this tab, the kernel told the same sentence", async () => {
  const { model, sent, fromKernel } = fakeModel();
  const controller = new Controller(model);
  const seen: View[] = [];
  const blocked = until(controller, "needs_click", seen);
  fromKernel({ type: "start" });
  const view = await blocked;
  assert.deepEqual(
    seen.map((v) => [v.status, ids(v)]),
    [
      ["signing_in", ["cancel"]],
      ["needs_click", ["sign_in", "redirect"]],
    ],
  );
  assert.deepEqual(
    view.actions.map((a) => a.label),
    ["Sign in", "Sign in in this tab"],
  );
  seen.forEach(assertHonest);
  const statuses = sent.filter((m) => m.type === "status");
  assert.deepEqual(
    statuses.map((m) => (m.type === "status" ? m.message : "")),
    seen.map((v) => v.message),
  );
  assert.ok(sent.some((m) => m.type === "error" && m.error === "popup_blocked" && m.message === view.message));
  controller.dispose();
});

test("Cancel while signing in ends in an error that offers Sign in", async () => {
  const { model, fromKernel } = fakeModel();
  const controller = new Controller(model);
  const seen: View[] = [];
  const signingIn = until(controller, "signing_in", seen);
  fromKernel({ type: "start" });
  await signingIn;
  controller.act("cancel");
  assert.equal(controller.view.status, "error");
  assert.deepEqual(ids(controller.view), ["sign_in"]);
  assert.equal(controller.view.message, say.CANCELLED);
  assertHonest(controller.view);
  controller.dispose();
});

test("a reloaded page with the kernel's token: Renew and Sign out, and the token's expiry", async () => {
  const { model, fromKernel } = fakeModel();
  const controller = new Controller(model);
  const expiresAt = Math.floor(Date.now() / 1000) + 600;
  const seen: View[] = [];
  const renew = until(controller, "renew_needed", seen);
  fromKernel({ type: "rejoin", expires_at: expiresAt });
  const view = await renew;
  assert.deepEqual(ids(view), ["renew", "sign_out"]);
  assert.equal(view.expiresAt, expiresAt);
  assert.equal(view.user, null);
  assertHonest(view);
  // Sign out there: no session in this page, the kernel is told to forget its token.
  const out = until(controller, "signed_out", seen);
  controller.act("sign_out");
  const signedOut = await out;
  assert.deepEqual(ids(signedOut), ["sign_in"]);
  assert.equal(signedOut.expiresAt, null);
  controller.dispose();
});

test("a reloaded page without a token: Sign in", async () => {
  const { model, fromKernel } = fakeModel();
  const controller = new Controller(model);
  const seen: View[] = [];
  const out = until(controller, "signed_out", seen);
  fromKernel({ type: "rejoin", expires_at: null });
  const view = await out;
  assert.equal(view.message, say.RELOADED_WITHOUT_TOKEN);
  assert.deepEqual(ids(view), ["sign_in"]);
  controller.dispose();
});

test("an administrator's provider is shown by its name; an unknown one is an error with Sign in", async () => {
  registry = { providers: { corp: CONFIG }, redirect_uri: null };
  const named = fakeModel({ provider: "corp" });
  const controller = new Controller(named.model);
  assert.equal(controller.view.provider, "corp");
  const seen: View[] = [];
  const blocked = until(controller, "needs_click", seen);
  named.fromKernel({ type: "start" });
  assert.equal((await blocked).provider, "corp");
  controller.dispose();

  const unknown = fakeModel({ provider: "crop" });
  const other = new Controller(unknown.model);
  const failed = until(other, "error", []);
  unknown.fromKernel({ type: "start" });
  const view = await failed;
  assert.match(view.message, /No provider named "crop"/);
  assert.deepEqual(ids(view), ["sign_in"]);
  assert.equal(view.provider, "crop");
  assertHonest(view);
  other.dispose();
});

test("a kernel restart ends what the widget was doing and says so, with no button and nothing thrown", async () => {
  const { model, sent, fromKernel, restartKernel } = fakeModel();
  const controller = new Controller(model);
  const blocked = until(controller, "needs_click", []);
  fromKernel({ type: "start" });
  await blocked;
  const before = sent.length;
  restartKernel();
  assert.equal(controller.view.status, "idle");
  assert.equal(controller.view.message, say.KERNEL_GONE);
  assert.deepEqual(controller.view.actions, []);
  assert.equal(sent.length, before);
  controller.act("sign_in"); // a button that was there before: nothing happens, nothing is thrown
  assert.equal(controller.view.status, "idle");
  controller.dispose();
});

test("notebooks that sign in to the same client at once share one sign-in window", async () => {
  let opened = 0;
  (globalThis as unknown as { window: { open: () => null } }).window.open = () => {
    opened++;
    return null; // refused: the one sign-in's outcome, shared by all
  };
  const widgets = [fakeModel(), fakeModel(), fakeModel()];
  const controllers = widgets.map((w) => new Controller(w.model));
  const outcomes = controllers.map((c) => until(c, "needs_click", []));
  widgets.forEach((w) => w.fromKernel({ type: "start" }));
  const views = await Promise.all(outcomes);
  assert.equal(opened, 1);
  for (const [i, w] of widgets.entries()) {
    assert.ok(w.sent.some((m) => m.type === "error" && m.error === "popup_blocked"), `widget ${i}`);
  }
  assert.ok(views.every((v) => ids(v).includes("sign_in")));
  controllers.forEach((c) => c.dispose());
});
