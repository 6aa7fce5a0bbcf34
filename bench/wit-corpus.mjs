// The `wit` benchmark's corpus row: parse + resolve of the conformance corpus (every wit-parser
// `ui` case and every WASI `wit` tree in test/wit-conformance/fixtures), ours against jco. jco's
// wasm build cannot read files, so every case becomes one WIT text for both: the main package's
// files joined under one `package` line, each dependency folder appended as a nested
// `package x:y { ... }` block. Cases that are not WIT text (`.wat`/`.wasm` packages) are left out.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { root } from "./lib.mjs";

const FIXTURES = join(root, "test/wit-conformance/fixtures");
const UI = join(FIXTURES, "wasm-tools/crates/wit-parser/tests/ui");
const WASI = join(FIXTURES, "wasi");
/** A world added to every case so jco's `componentEmbed` has one to select (it needs one). */
const DUMMY_WORLD = "bench-dummy-world";

const PACKAGE_LINE = /^package ([^;{\s]+);\s*$/m;

/** One package's files as one body: the `package` line taken out of each file. */
function packageText(files) {
  let name;
  const bodies = files.map((text) => {
    const m = PACKAGE_LINE.exec(text);
    if (m) name ??= m[1];
    return m ? text.replace(PACKAGE_LINE, "") : text;
  });
  return { name, body: bodies.join("\n") };
}

function witFiles(dir) {
  return readdirSync(dir)
    .filter((n) => n.endsWith(".wit") && statSync(join(dir, n)).isFile())
    .sort()
    .map((n) => readFileSync(join(dir, n), "utf8"));
}

/** A directory package and its `deps/` as one text, or undefined when it has binary deps. */
function dirText(dir) {
  const main = packageText(witFiles(dir));
  if (main.name === undefined) return undefined;
  let text = `package ${main.name};\n${main.body}\nworld ${DUMMY_WORLD} {}\n`;
  const deps = join(dir, "deps");
  if (existsSync(deps)) {
    for (const entry of readdirSync(deps).sort()) {
      const path = join(deps, entry);
      const files = statSync(path).isDirectory() ? witFiles(path) : entry.endsWith(".wit") ? [readFileSync(path, "utf8")] : undefined;
      if (files === undefined) return undefined;
      const dep = packageText(files);
      if (dep.name === undefined) return undefined;
      text += `package ${dep.name} {\n${dep.body}\n}\n`;
    }
  }
  return text;
}

function fileText(path) {
  const text = readFileSync(path, "utf8");
  const m = PACKAGE_LINE.exec(text);
  if (!m) return undefined;
  // The dummy world goes right after the `package` line, so it belongs to the main package.
  return text.replace(PACKAGE_LINE, (line) => `${line}\nworld ${DUMMY_WORLD} {}\n`);
}

function witDirs(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (!statSync(path).isDirectory() || name === "deps") continue;
    if (name === "wit") out.push(path);
    else out.push(...witDirs(path));
  }
  return out;
}

/** `{ name, text }` for every case that is WIT text. */
export function corpus() {
  const cases = [];
  for (const name of readdirSync(UI).sort()) {
    if (name === "parse-fail") continue;
    const path = join(UI, name);
    const text = statSync(path).isDirectory() ? dirText(path) : name.endsWith(".wit") ? fileText(path) : undefined;
    if (text !== undefined) cases.push({ name: `ui/${name}`, text, features: ["active"] });
  }
  for (const dir of witDirs(WASI)) {
    // WASI monorepo proposals name their deps in deps.toml only (wit-deps fills deps/ in).
    if (!existsSync(join(dir, "deps")) && existsSync(join(dir, "deps.toml"))) continue;
    const text = dirText(dir);
    if (text !== undefined) cases.push({ name: relative(FIXTURES, dir), text, all: true });
  }
  return cases;
}

/** The two runners over the cases both toolchains accept; each parses and resolves every case once. */
export async function corpusOperations(ours, jco) {
  const parseOurs = (c) => new ours.Resolve(c.all ? { allFeatures: true } : { features: c.features }).pushText(`${c.name}.wit`, c.text);
  // jco-transpile's wrapper is async (it awaits the wasm instance first).
  const parseJco = (c) =>
    jco.tools.componentEmbed({
      dummy: true,
      witSource: c.text,
      world: DUMMY_WORLD,
      features: c.all ? { tag: "all" } : { tag: "list", val: c.features },
    });
  const all = corpus();
  const accepted = [];
  for (const c of all) {
    try {
      parseOurs(c);
      await parseJco(c);
      accepted.push(c);
    } catch {}
  }
  return {
    count: accepted.length,
    total: all.length,
    ours: () => {
      for (const c of accepted) parseOurs(c);
    },
    jco: async () => {
      for (const c of accepted) await parseJco(c);
    },
  };
}
