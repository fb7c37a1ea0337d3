/// <reference types="node" />
// The widget's line to its kernel (js/widget/kernel.ts): messages in, messages out, and a kernel gone (a send
// that fails) found out once, after which nothing is sent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { KernelLink } from "../widget/kernel";
import type { KernelHandlers } from "../shared/dispatch";
import type { KernelMessage } from "../shared/messages";
import { fakeModel } from "./fake-widget";

/** Handlers that keep every message they are handed. */
function recording(heard: KernelMessage[]): KernelHandlers {
  const keep = (m: KernelMessage) => void heard.push(m);
  return { start: keep, rejoin: keep, logout: keep, attached: keep, step_up: keep, device: keep };
}

const ignoring = recording([]);

test("the kernel's messages reach the widget; a message without a type does not", () => {
  const fake = fakeModel();
  const heard: KernelMessage[] = [];
  new KernelLink(fake.model, recording(heard));
  fake.fromKernel({ type: "start" });
  fake.fromKernel({} as KernelMessage);
  fake.fromKernel(null as unknown as KernelMessage);
  fake.fromKernel({ type: "attached", via: "page" });
  assert.deepEqual(heard, [{ type: "start" }, { type: "attached", via: "page" }]);
});

test("a send that fails finds the kernel gone, once; nothing is sent after", () => {
  const fake = fakeModel();
  let gone = 0;
  const link = new KernelLink(fake.model, ignoring, () => gone++);
  assert.equal(link.send({ type: "expired" }), true);
  fake.restartKernel(); // the comm dies; no probe: nothing is sent, nothing found out yet
  assert.equal(gone, 0);
  assert.equal(link.send({ type: "logged_out" }), false);
  assert.equal(gone, 1);
  assert.equal(link.gone, true);
  assert.equal(link.send({ type: "logged_out" }), false);
  assert.equal(gone, 1);
  assert.deepEqual(fake.sent, [{ type: "expired" }]);
});

test("a change of the comm's liveness sends the probe, which finds out a dead kernel", () => {
  const fake = fakeModel();
  let gone = 0;
  const link = new KernelLink(fake.model, ignoring, () => gone++, () => ({ type: "status", status: "idle", message: "x" }));
  fake.commLive();
  assert.deepEqual(fake.sent, [{ type: "status", status: "idle", message: "x" }]);
  fake.restartKernel();
  assert.equal(gone, 1);
  assert.equal(link.gone, true);
});
