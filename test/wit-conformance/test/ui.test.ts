import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { resolveToJson, resolveWitPath } from "@wasm-pkg/wit";
import { expect } from "vitest";
import { type ConformanceCase, conformanceSuite, failureOf, normalizeResult, WIT_PARSER } from "./harness.js";

/** all.rs's `find_tests`: directories and `.md`/`.wit`/`.wat`/`.wasm` files, `parse-fail` apart. */
function findTests(dir: string): string[] {
  return readdirSync(join(WIT_PARSER, dir))
    .filter((name) => name !== "parse-fail")
    .filter((name) => statSync(join(WIT_PARSER, dir, name)).isDirectory() || /\.(md|wit|wat|wasm)$/.test(name))
    .sort();
}

/** all.rs's result file: `foo.wit` -> `foo.wit.<ext>`, `foo.wit.md` -> `foo.wit.md.<ext>`. */
function resultFile(test: string, ext: string): string {
  if (test.endsWith(".wit.md")) return `${test}.${ext}`;
  return `${test.replace(/\.[^./]*$/, "")}.wit.${ext}`;
}

/** As all.rs runs a case: a fresh Resolve with only the feature `active`, `push_path`. */
function load(test: string) {
  return resolveWitPath(join(WIT_PARSER, test), { features: ["active"], displayPath: test });
}

function uiCase(test: string): ConformanceCase {
  return {
    name: test.slice("tests/ui/".length),
    run: async () => {
      const { resolve } = await load(test);
      const expected = readFileSync(join(WIT_PARSER, resultFile(test, "json")), "utf8");
      expect(JSON.stringify(resolveToJson(resolve), null, 2)).toBe(expected.trim());
    },
  };
}

function parseFailCase(test: string): ConformanceCase {
  return {
    name: test.slice("tests/ui/parse-fail/".length),
    run: async () => {
      const message = await failureOf(() => load(test));
      const expected = readFileSync(join(WIT_PARSER, resultFile(test, "result")), "utf8");
      expect(normalizeResult(message)).toBe(normalizeResult(expected));
    },
  };
}

conformanceSuite(
  "ui",
  findTests("tests/ui").map((name) => uiCase(`tests/ui/${name}`)),
);
conformanceSuite(
  "parse-fail",
  findTests("tests/ui/parse-fail").map((name) => parseFailCase(`tests/ui/parse-fail/${name}`)),
);
