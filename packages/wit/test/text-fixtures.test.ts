import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isWkgError } from "@wasm-pkg/common";
import { describe, expect, it } from "vitest";
import { printPackage, pushDirSource, Resolve, resolveToJson } from "../src/index.js";
import { pushFileBytes } from "../src/resolve/dir.js";
import { cases, loadDir } from "./fixtures.js";

function load(dir: string, json: { input: string; inputKind: string }, display: string, features: string[]) {
  const resolve = new Resolve({ features });
  const input = join(dir, json.input);
  let pkg: number;
  if (json.inputKind === "directory") {
    pkg = pushDirSource(resolve, loadDir(input, display));
  } else {
    const result = pushFileBytes(resolve, display, new Uint8Array(readFileSync(input)));
    pkg = typeof result === "number" ? result : resolve.pushGroup(result);
  }
  return { resolve, pkg };
}

describe("wasm-tools golden cases: parse", () => {
  for (const { dir, json } of cases("parse")) {
    it(json.name, () => {
      const { resolve } = load(dir, json, json.input.replace(/^input\//, "tests/ui/"), json.enabledFeatures);
      const expected = readFileSync(join(dir, "expected.json"), "utf8").trim();
      expect(JSON.stringify(resolveToJson(resolve), null, 2)).toBe(expected);
    });
  }
});

describe("wasm-tools golden cases: parse-fail", () => {
  for (const { dir, json } of cases("parse-fail")) {
    it(json.name, () => {
      const expected = readFileSync(join(dir, "expected.stderr"), "utf8").trim().replaceAll("\\", "/");
      let message: string | undefined;
      try {
        load(dir, json, json.displayPath as string, json.enabledFeatures);
      } catch (error) {
        message = error instanceof Error && "render" in error ? (error as { render(): string }).render() : String(error);
        if (isWkgError(error)) message = error.message;
      }
      expect(message?.trim()).toBe(expected);
    });
  }
});

describe("wasm-tools golden cases: print", () => {
  for (const { dir, json } of cases("encode")) {
    it(json.name, () => {
      const { resolve, pkg } = load(dir, json, json.input, json.enabledFeatures);
      const expected = readFileSync(join(dir, "expected.wit"), "utf8");
      expect(printPackage(resolve, pkg)).toBe(expected);
    });
  }
});
