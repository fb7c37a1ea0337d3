/// <reference types="node" />
// The loader each widget's comm carries (js/loader.ts): it hands over to the one module the server
// extension serves under the page's base URL; where that cannot be loaded (no server extension), it
// draws a widget that says so, tells the kernel, and shows the kernel's device-code sign-in, its link
// clickable and opening elsewhere.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import widget, { NO_SERVER_EXTENSION } from "../loader";
import { fakeModel } from "./fake-widget";
import { installPage } from "./fakes";

const g = globalThis as Record<string, unknown>;

/** Just enough of a DOM element for the loader's fallback widget. */
class El {
  className = "";
  dataset: Record<string, string> = {};
  href = "";
  target = "";
  rel = "";
  removed = false;
  children: (El | string)[] = [];
  private own = "";
  constructor(readonly tag: string) {}
  /** As in the DOM: setting the text replaces the children. */
  set textContent(text: string) {
    this.own = text;
    this.children = [];
  }
  get textContent(): string {
    return this.text;
  }
  append(...nodes: (El | string)[]): void {
    this.children.push(...nodes);
  }
  replaceChildren(...nodes: (El | string)[]): void {
    this.own = "";
    this.children = nodes;
  }
  remove(): void {
    this.removed = true;
  }
  /** The text a reader sees. */
  get text(): string {
    return this.own + this.children.map((c) => (typeof c === "string" ? c : c.text)).join("");
  }
}

test("the loader hands over to the module the server extension serves under the base URL", async (t) => {
  installPage();
  const base = mkdtempSync(join(tmpdir(), "oidc-loader-"));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  mkdirSync(join(base, "static", "ipython_oidc_client"), { recursive: true });
  writeFileSync(join(base, "static", "ipython_oidc_client", "widget.js"), 'export default async () => ({ render: "shared" });\n');
  Object.assign(g.location as object, { origin: "file://" });
  g.document = { getElementById: () => null, body: { dataset: { baseUrl: base } }, cookie: "" };
  assert.deepEqual(await widget(), { render: "shared" });
});

test("without the server extension: the widget says so, tells the kernel, and shows its device sign-in", async () => {
  installPage(); // https://lab.example: nothing there can be imported here, as on a server without it
  const made: El[] = [];
  const createElement = (tag: string) => (made.push(new El(tag)), made.at(-1));
  g.document = { getElementById: () => null, body: { dataset: {} }, createElement };
  const { render } = await widget();
  const fake = fakeModel();
  const el = new El("div");
  const cleanup = await render({ model: fake.model, el } as never);
  const root = el.children[0] as El;
  assert.equal(root.dataset.status, "error");
  assert.equal(root.text, NO_SERVER_EXTENSION);
  assert.deepEqual(fake.sent, [
    { type: "status", status: "error", message: NO_SERVER_EXTENSION },
    { type: "error", error: "no_server_extension", message: NO_SERVER_EXTENSION },
  ]);

  fake.fromKernel({ type: "device", state: "waiting", message: "Open https://idp.example/device?x=1. Then enter ABCD-EFGH." });
  assert.equal(root.dataset.status, "signing_in");
  assert.equal(root.text, "Open https://idp.example/device?x=1. Then enter ABCD-EFGH.");
  const link = made.find((e) => e.tag === "a");
  assert.ok(link);
  assert.deepEqual([link.href, link.target, link.rel], ["https://idp.example/device?x=1", "_blank", "noopener noreferrer"]);

  fake.fromKernel({ type: "start" });
  assert.equal(root.dataset.status, "signing_in", "only device messages are drawn");
  fake.fromKernel({ type: "device", state: "signed_in", message: "Signed in as Alice." });
  assert.equal(root.dataset.status, "signed_in");
  assert.equal(root.text, "Signed in as Alice.");

  assert.equal(typeof cleanup, "function");
  (cleanup as () => void)();
  assert.equal(root.removed, true);
  fake.fromKernel({ type: "device", state: "error", message: "gone" });
  assert.equal(root.dataset.status, "signed_in", "no longer listening");
});
