/// <reference types="node" />
// The widget's line to its kernel (js/kernel.ts): messages in, messages out, a question and its bounded
// wait, and a kernel gone (a send that fails) found out once, after which nothing is sent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { KERNEL_REPLY_MS, KernelLink } from "../kernel";
import type { KernelMessage } from "../messages";
import { fakeModel } from "./fake-widget";

test("the kernel's messages reach the widget; a message without a type does not", () => {
  const fake = fakeModel();
  const heard: KernelMessage[] = [];
  new KernelLink(fake.model, (m) => heard.push(m));
  fake.fromKernel({ type: "start" });
  fake.fromKernel({} as KernelMessage);
  fake.fromKernel(null as unknown as KernelMessage);
  fake.fromKernel({ type: "attached", via: "page" });
  assert.deepEqual(heard, [{ type: "start" }, { type: "attached", via: "page" }]);
});

test("a question is answered by the kernel's reply of that type, once", async () => {
  const fake = fakeModel();
  const heard: KernelMessage[] = [];
  const link = new KernelLink(fake.model, (m) => heard.push(m));
  const answer = link.ask({ type: "ready" }, "attached");
  assert.deepEqual(fake.sent, [{ type: "ready" }]);
  fake.fromKernel({ type: "start" });
  fake.fromKernel({ type: "attached", via: "keeper" });
  assert.deepEqual(await answer, { type: "attached", via: "keeper" });
  assert.equal(heard.length, 2, "the reply reaches the widget too");
});

test("a kernel that does not answer within KERNEL_REPLY_MS is said so", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const fake = fakeModel();
  const link = new KernelLink(fake.model, () => {});
  const answer = link.ask({ type: "ready" }, "attached");
  t.mock.timers.tick(KERNEL_REPLY_MS - 1);
  let settled = false;
  answer.then(
    () => (settled = true),
    () => (settled = true),
  );
  await Promise.resolve();
  assert.equal(settled, false);
  t.mock.timers.tick(1);
  await assert.rejects(answer, { code: "redirect_failed", message: /The kernel did not answer.*click Sign in\./ });
});

test("a send that fails finds the kernel gone, once; nothing is sent after", () => {
  const fake = fakeModel();
  let gone = 0;
  const link = new KernelLink(fake.model, () => {}, () => gone++);
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
  const link = new KernelLink(fake.model, () => {}, () => gone++, () => ({ type: "status", status: "idle", message: "x" }));
  fake.commLive();
  assert.deepEqual(fake.sent, [{ type: "status", status: "idle", message: "x" }]);
  fake.restartKernel();
  assert.equal(gone, 1);
  assert.equal(link.gone, true);
});
