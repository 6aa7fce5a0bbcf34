import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { printPackage, resolveWitDir, resolveWitPath } from "@wasm-pkg/wit";
import { expect } from "vitest";
import { conformanceSuite, failureOf, WIT_COMPONENT } from "./harness.js";

const MERGE = join(WIT_COMPONENT, "tests/merge");

function subdirs(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => statSync(join(dir, n)).isDirectory())
    .sort();
}

/**
 * merge.rs: `into.merge(from)` of two resolved directories. `bad-*` cases must fail with
 * `error.txt`; the others print every package of the result as `merge/<name>.wit`, and the
 * merge must also succeed the other way round.
 */
async function mergeCase(name: string): Promise<void> {
  const path = join(MERGE, name);
  const load = async (which: string) => (await resolveWitDir(join(path, which))).resolve;
  const into = await load("into");
  const from = await load("from");
  if (name.startsWith("bad-")) {
    const message = await failureOf(() => into.merge(from));
    expect(message).toBe(readFileSync(join(path, "error.txt"), "utf8").replaceAll("\r\n", "\n"));
    return;
  }
  into.merge(from);
  into.packages.forEach((pkg, id) => {
    const expected = readFileSync(join(path, "merge", `${pkg.name.name}.wit`), "utf8").replaceAll("\r\n", "\n");
    expect(printPackage(into, id), `package ${pkg.name.name}`).toBe(expected);
  });
  const reverse = await load("from");
  reverse.merge(await load("into"));
}

conformanceSuite(
  "merge",
  subdirs(MERGE).map((name) => ({ name, run: () => mergeCase(name) })),
);

/** wit.rs: `push_path` of a directory and of a file, then `select_world` by name. */
const WIT = join(WIT_COMPONENT, "tests/wit");
conformanceSuite("wit", [
  {
    name: "parse_wit_dir",
    run: async () => {
      const { resolve, package: pkg } = await resolveWitPath(join(WIT, "parse-dir/wit"));
      expect(resolve.pkg(pkg).worlds.has("foo-world")).toBe(true);
    },
  },
  {
    name: "parse_wit_file",
    run: async () => {
      const { resolve, package: pkg } = await resolveWitPath(join(WIT, "parse-dir/wit/deps/bar/bar.wit"));
      expect(resolve.pkg(pkg).worlds.has("bar-world")).toBe(true);
      expect(resolve.interfaces.some((i) => i.name === "bar")).toBe(true);
    },
  },
  {
    name: "parse_wit_missing_path",
    run: async () => {
      await failureOf(() => resolveWitPath(join(WIT_COMPONENT, "tests/nonexistent/path")));
    },
  },
]);

/**
 * targets.rs asks `wit_component::targets` whether a component (`test.wat`) satisfies a world;
 * the library has no such check, so every case is listed as not applicable.
 */
const TARGETS = join(WIT_COMPONENT, "tests/targets");
conformanceSuite(
  "targets",
  subdirs(TARGETS).map((name) => ({
    name,
    run: () => {
      throw new Error("no targets check in the library");
    },
  })),
  { cannotApply: (name) => existsSync(join(TARGETS, name, "test.wat")) && existsSync(join(TARGETS, name, "test.wit")) },
);
