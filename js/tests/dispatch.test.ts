/// <reference types="node" />
// Every message the kernel can send (js/shared/messages.ts KernelMessage) has its handler: the one
// dispatch (js/shared/dispatch.ts) hands each type to its own, and the widget's controller does what
// that message asks — none is ignored, none is taken for an unknown one. A type added to the protocol
// fails to compile here until it has its line in EFFECTS.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { dispatch, type KernelHandlers } from "../shared/dispatch";
import { KERNEL_MESSAGE_TYPES, type KernelMessage } from "../shared/messages";
import * as say from "../shared/wording";
import { widget, type Widget } from "./fake-widget";
import { CONFIG, FakeServer, installPage, REDIRECT_URI, waitFor } from "./fakes";

type Of<T extends KernelMessage["type"]> = Extract<KernelMessage, { type: T }>;

/** One message of each type, as the kernel sends it. */
const SAMPLES: { [T in KernelMessage["type"]]: Of<T> } = {
  start: { type: "start" },
  rejoin: { type: "rejoin" },
  logout: { type: "logout" },
  attached: { type: "attached", via: "page" },
  step_up: { type: "step_up", message: "The API asks for a stronger sign-in. Click Sign in to sign in again." },
  device: { type: "device", state: "waiting", message: "To sign in, open https://idp.example/device and enter the code ABCD-EFGH." },
};

/** What the widget does with each, seen from outside: a view, a request to the keeper, a message to the kernel. */
const EFFECTS: { [T in KernelMessage["type"]]: (w: Widget, server: FakeServer) => Promise<void> } = {
  start: async (w, server) => {
    await w.until("signing_in");
    await waitFor(() => server.to("signin").length === 1, "the sign-in asked of the keeper");
  },
  rejoin: async (w) => {
    const view = await w.until("signed_out");
    assert.equal(view.message, say.RELOADED_WITHOUT_TOKEN);
  },
  logout: async (w) => {
    await w.until("signed_out");
    assert.deepEqual(w.said("logged_out"), [{ type: "logged_out" }]);
  },
  attached: async (w) => {
    await waitFor(() => w.said("token").length === 1, "the access token relayed to a kernel that asked for it");
  },
  step_up: async (w) => {
    const view = await w.until("needs_click");
    assert.equal(view.message, SAMPLES.step_up.message);
  },
  device: async (w) => {
    const view = await w.until("signing_in");
    assert.equal(view.message, SAMPLES.device.message);
  },
};

test("the runtime list of kernel messages is the protocol's, each with a sample and an effect", () => {
  assert.deepEqual([...KERNEL_MESSAGE_TYPES].sort(), Object.keys(SAMPLES).sort());
  assert.deepEqual([...KERNEL_MESSAGE_TYPES].sort(), Object.keys(EFFECTS).sort());
});

test("the dispatch hands each kernel message to its own handler, and an unknown one to none", (t) => {
  const handled: string[] = [];
  const keep = (m: KernelMessage) => void handled.push(m.type);
  const on: KernelHandlers = { start: keep, rejoin: keep, logout: keep, attached: keep, step_up: keep, device: keep };
  for (const type of KERNEL_MESSAGE_TYPES) assert.equal(dispatch(SAMPLES[type], on), true, type);
  assert.deepEqual(handled, [...KERNEL_MESSAGE_TYPES]);
  const warned = t.mock.method(console, "warn", () => {});
  assert.equal(dispatch({ type: "from_a_newer_kernel" } as unknown as KernelMessage, on), false);
  assert.equal(handled.length, KERNEL_MESSAGE_TYPES.length);
  assert.equal(warned.mock.callCount(), 1);
});

for (const type of KERNEL_MESSAGE_TYPES) {
  test(`the widget does what the kernel's "${type}" asks`, async (t: TestContext) => {
    installPage();
    const server = new FakeServer().install();
    const w = widget(t);
    if (type === "attached") {
      // Relaying needs a session to relay: a reloaded page that found its own.
      server.seed(CONFIG, REDIRECT_URI, {}, w.traits.instance);
      w.fromKernel({ type: "rejoin" });
      await w.until("signed_in");
    }
    const warned = t.mock.method(console, "warn", () => {});
    w.fromKernel(SAMPLES[type]);
    await EFFECTS[type](w, server);
    assert.equal(warned.mock.callCount(), 0, "taken for an unknown message");
  });
}
