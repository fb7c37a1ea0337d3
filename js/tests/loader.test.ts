/// <reference types="node" />
// The loader each widget's comm carries (js/loader/loader.ts): it hands over to the one module the server
// extension serves under the page's base URL. Where that cannot be loaded it asks the module's URL:
// a 404 means no server extension — it draws a widget that says so, tells the kernel, and shows the
// kernel's device-code sign-in, only its verification URI a link, with the host and the code beside
// it; any other failure (a 500, no answer) is an error it says, and the kernel signs in by nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import widget from "../loader/loader";
import { loadFailed, NO_SERVER_EXTENSION } from "../shared/wording";
import type { KernelMessage } from "../shared/messages";
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
  /** Every element below this one, itself included. */
  all(): El[] {
    return [this, ...this.children.flatMap((c) => (typeof c === "string" ? [] : c.all()))];
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

/** The module's URL on the fake page (https://lab.example, base URL "/"). */
const MODULE = "https://lab.example/static/ipython_oidc_client/widget.js";

/** A page where the widget's module cannot be imported (an https: URL cannot be imported in node, as
 * on a server that has no such module or failed to serve it), and where the loader's question about
 * the module's URL gets `answer`. Returns the loader's render, drawn, and what was asked. */
async function drawn(answer: () => Promise<Response>, protocol = "https:") {
  const page = installPage();
  (page.location as { protocol: string }).protocol = protocol;
  const asked: [string, RequestInit | undefined][] = [];
  g.fetch = async (url: string, init?: RequestInit) => (asked.push([String(url), init]), answer());
  const createElement = (tag: string) => new El(tag);
  g.document = { getElementById: () => null, body: { dataset: {} }, createElement };
  const { render } = await widget();
  const fake = fakeModel();
  const el = new El("div");
  const cleanup = (await render({ model: fake.model, el } as never)) as () => void;
  return { fake, root: el.children[0] as El, asked, cleanup };
}

const notFound = async () => new Response("Not Found", { status: 404 });
const VERIFICATION = {
  link: "https://idp.example/device?user_code=ABCD-EFGH",
  code: "ABCD-EFGH",
  host: "idp.example",
  complete: true,
  warning: null,
};

function device(over: Partial<Extract<KernelMessage, { type: "device" }>> = {}): KernelMessage {
  return { type: "device", state: "waiting", message: "the keeper's line", verification: VERIFICATION, ...over };
}

const links = (root: El) => root.all().filter((e) => e.tag === "a");

test("a module URL that answers 404: no extension — the widget says so, tells the kernel, and shows its device sign-in", async () => {
  const { fake, root, asked, cleanup } = await drawn(notFound);
  assert.deepEqual(asked.map(([url, init]) => [url, init?.method]), [[MODULE, "HEAD"]]);
  assert.equal(root.dataset.status, "error");
  assert.equal(root.text, NO_SERVER_EXTENSION);
  assert.deepEqual(fake.sent, [
    { type: "status", status: "error", message: NO_SERVER_EXTENSION },
    { type: "error", error: "no_server_extension", message: NO_SERVER_EXTENSION },
  ]);

  fake.fromKernel(device());
  assert.equal(root.dataset.status, "signing_in");
  assert.equal(
    root.text,
    "To sign in, open https://idp.example/device?user_code=ABCD-EFGH in a browser (it is on idp.example) and " +
      "check that it shows the code ABCD-EFGH.",
  );
  const [link] = links(root);
  assert.deepEqual([link.href, link.target, link.rel], [VERIFICATION.link, "_blank", "noopener noreferrer"]);

  fake.fromKernel({ type: "start" });
  assert.equal(root.dataset.status, "signing_in", "only device messages are drawn");
  fake.fromKernel({ type: "device", state: "signed_in", message: "Signed in as Alice." });
  assert.equal(root.dataset.status, "signed_in");
  assert.equal(root.text, "Signed in as Alice.");
  assert.deepEqual(links(root), [], "no link left once signed in");

  cleanup();
  assert.equal(root.removed, true);
  fake.fromKernel({ type: "device", state: "error", message: "gone" });
  assert.equal(root.dataset.status, "signed_in", "no longer listening");
});

test("a module URL that answers 500: an error that says to reload, told to the kernel as widget_load_failed; no device grant", async () => {
  const { fake, root } = await drawn(async () => new Response("oops", { status: 500 }));
  const message = loadFailed(MODULE, "HTTP 500");
  assert.match(message, /Reload the page; if it persists, ask the administrator/);
  assert.equal(root.dataset.status, "error");
  assert.equal(root.text, message);
  assert.deepEqual(fake.sent, [
    { type: "status", status: "error", message },
    { type: "error", error: "widget_load_failed", message },
  ]);
  assert.ok(!fake.sent.some((m) => m.type === "error" && m.error === "no_server_extension"));
  fake.fromKernel(device());
  assert.equal(root.text, message, "a device message is not drawn: the kernel was not asked to sign in");
});

test("a module URL that does not answer (network failure): an error, not the device grant", async () => {
  const { fake, root } = await drawn(async () => {
    throw new TypeError("Failed to fetch");
  });
  const message = loadFailed(MODULE, "the server did not answer: Failed to fetch");
  assert.equal(root.dataset.status, "error");
  assert.equal(root.text, message);
  assert.deepEqual(
    fake.sent.map((m) => (m.type === "error" ? m.error : m.type)),
    ["status", "widget_load_failed"],
  );
});

test("a module that is there (200) but did not import: an error, not the device grant", async () => {
  const { fake, root } = await drawn(async () => new Response(null, { status: 200 }));
  assert.match(root.text, /^The sign-in widget could not be loaded from .*\(it is there, but did not run: .+\)\. Reload/);
  assert.deepEqual(fake.said("error").map((m) => m.error), ["widget_load_failed"]);
});

test("a page not served over http(s) (VS Code's webview) has no Jupyter server behind it: no extension, nothing asked", async () => {
  const { fake, asked } = await drawn(notFound, "vscode-webview:");
  assert.deepEqual(asked, []);
  assert.deepEqual(fake.said("error").map((m) => m.error), ["no_server_extension"]);
});

test("only the verification URI becomes a link: a URL in an error or in the keeper's text stays text", async () => {
  const { fake, root } = await drawn(notFound);
  const said = "The provider refused the device code (see https://evil.example/help).";
  fake.fromKernel({ type: "device", state: "error", message: said });
  assert.equal(root.text, said);
  assert.deepEqual(links(root), []);
  fake.fromKernel({ type: "device", state: "waiting", message: "Open https://evil.example/device now." });
  assert.equal(root.text, "Open https://evil.example/device now.");
  assert.deepEqual(links(root), [], "a line without the verification fields has no link");
  fake.fromKernel(device({ state: "error", message: "expired" }));
  assert.deepEqual(links(root), [], "fields on a message that is not waiting are not drawn");
});

test("a link without the code in it asks for the code to be typed, with the host beside the link", async () => {
  const { fake, root } = await drawn(notFound);
  fake.fromKernel(device({ verification: { ...VERIFICATION, link: "https://idp.example/device", complete: false } }));
  assert.equal(
    root.text,
    "To sign in, open https://idp.example/device in a browser (it is on idp.example) and enter the code ABCD-EFGH.",
  );
  assert.deepEqual(links(root).map((a) => a.href), ["https://idp.example/device"]);
});

test("a link on another host than the issuer's is shown with the keeper's warning naming both hosts", async () => {
  const { fake, root } = await drawn(notFound);
  const warning =
    "Warning: www.google.com is not the provider's own host (accounts.google.com). Some providers put this " +
    "page on another host; open it only if www.google.com is your provider's.";
  fake.fromKernel(device({ verification: { ...VERIFICATION, link: "https://www.google.com/device", host: "www.google.com", complete: false, warning } }));
  assert.deepEqual(links(root).map((a) => a.href), ["https://www.google.com/device"]);
  const shown = root.all().filter((e) => e.className === "ipython-oidc-client-warning");
  assert.deepEqual(shown.map((e) => e.text), [warning]);
  assert.match(root.text, /\(it is on www\.google\.com\)/);
});

test("a link the browser reads as another host than the keeper said, or not http(s), is text, not a link", async () => {
  const { fake, root } = await drawn(notFound);
  for (const link of [
    // urllib reads the host after the last "@" (idp.example); the browser ends the host at the
    // backslash (evil.example). The keeper refuses such a link; the page does not trust that alone.
    "https://evil.example\\@idp.example/device",
    "https://evil.example/device",
    "javascript:alert(1)",
    "https://[",
  ]) {
    fake.fromKernel(device({ message: `line for ${link}`, verification: { ...VERIFICATION, link } }));
    assert.deepEqual(links(root), [], link);
    assert.equal(root.text, `line for ${link}`);
  }
});
