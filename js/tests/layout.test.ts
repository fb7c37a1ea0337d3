/// <reference types="node" />
// js/ is laid out by bundle (docs/contributing.md): loader/, widget/, callback/ are what esbuild
// bundles, signin/ the sign-in flows the widget uses, shared/ what more than one bundle needs. A module
// imports only from its own folder and from shared/ (and the widget from signin/), so that no bundle
// takes in another's code and no folder depends on one that depends on it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../js/", import.meta.url));
const MAY_USE: Record<string, string[]> = {
  shared: [],
  signin: ["shared"],
  widget: ["shared", "signin"],
  loader: ["shared"],
  callback: ["shared"],
};

test("each module imports only from its own folder, shared/, and (the widget) signin/", () => {
  const folders = readdirSync(ROOT, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== "tests")
    .map((e) => e.name);
  assert.deepEqual(folders.sort(), Object.keys(MAY_USE).sort());
  assert.deepEqual(
    readdirSync(ROOT).filter((name) => name.endsWith(".ts")),
    [],
    "no module outside the folders",
  );
  for (const folder of folders) {
    for (const file of readdirSync(ROOT + folder).filter((f) => f.endsWith(".ts"))) {
      const code = readFileSync(`${ROOT}${folder}/${file}`, "utf8");
      for (const [, path] of code.matchAll(/from "(\.[^"]*)"/g)) {
        const target = path.startsWith("./") ? folder : path.split("/")[1];
        assert.ok(
          target === folder || MAY_USE[folder].includes(target),
          `${folder}/${file} imports ${path}`,
        );
      }
    }
  }
});
