import { cp, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve as resolvePath } from "node:path";
import { cleanupTempDirs, tempDir } from "@wasm-pkg/test-utils";
import { decodeWasm, encodeWitPackage, printPackage, readWitDir, resolveWitSource, type WitDirSource } from "@wasm-pkg/wit";
import { main } from "wkg";
import { afterAll, expect } from "vitest";
import { conformanceSuite, FIXTURES } from "./harness.js";

const WASI = join(FIXTURES, "wasi");

afterAll(cleanupTempDirs);

/** Every `wit` directory of the WASI repositories, as paths relative to `fixtures/wasi`. */
function witDirs(dir = WASI): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (!statSync(path).isDirectory() || name === "deps") continue;
    if (name === "wit") out.push(relative(WASI, path));
    else out.push(...witDirs(path));
  }
  return out;
}

/**
 * A `wit` directory without `deps/` lists its dependencies in `deps.toml` as paths to sibling
 * `wit` directories (the WASI monorepo); `wit-deps` copies them, and theirs, into `deps/`.
 * This finds that flattened set: name -> directory.
 */
async function pathDeps(dir: string, found = new Map<string, string>()): Promise<Map<string, string>> {
  const toml = join(dir, "deps.toml");
  if (!existsSync(toml)) return found;
  for (const line of (await readFile(toml, "utf8")).split("\n")) {
    const m = /^\s*([\w-]+)\s*=\s*"([^"]+)"\s*$/.exec(line);
    if (!m) continue;
    const [, name, target] = m as unknown as [string, string, string];
    if (/^https?:/.test(target)) throw new Error(`${toml}: ${name} is fetched from ${target}, but there is no deps/ folder`);
    if (found.has(name)) continue;
    const path = resolvePath(dir, target);
    found.set(name, path);
    await pathDeps(path, found);
  }
  return found;
}

/** The directory as `wkg` sees it: with `deps/` filled in from `deps.toml` when it is missing. */
async function materialize(dir: string): Promise<string> {
  const copy = join(await tempDir("wit-conformance-"), "wit");
  await cp(dir, copy, { recursive: true });
  if (!existsSync(join(dir, "deps"))) {
    for (const [name, path] of await pathDeps(dir)) {
      await mkdir(join(copy, "deps", name), { recursive: true });
      for (const file of (await readdir(path)).filter((n) => n.endsWith(".wit"))) {
        await cp(join(path, file), join(copy, "deps", name, file));
      }
    }
  }
  return copy;
}

/** `wkg build` through the CLI, in a home of its own with a registry that holds nothing. */
async function wkgBuild(witDir: string): Promise<Uint8Array> {
  const home = await tempDir("wit-conformance-home-");
  await writeFile(join(home, "config.toml"), 'default_registry = "files"\n[registry."files".local]\nroot = "registry"\n');
  const env = {
    HOME: home,
    XDG_CONFIG_HOME: join(home, "xdg"),
    WKG_CONFIG_FILE: join(home, "config.toml"),
    WKG_CACHE_DIR: join(home, "cache"),
  };
  let out = "";
  const io = {
    stdout: { write: (s: string) => void (out += s), isTTY: false },
    stderr: { write: (s: string) => void (out += s), isTTY: false },
    env,
    cwd: home,
  };
  const code = await main(["build", "--wit-dir", witDir, "--output", join(home, "out.wasm")], io);
  expect(code, out).toBe(0);
  return new Uint8Array(await readFile(join(home, "out.wasm")));
}

function printDecoded(bytes: Uint8Array): string {
  const decoded = decodeWasm(bytes);
  if (decoded.kind !== "wit-package") throw new Error("decoded a component, not a WIT package");
  return printPackage(decoded.resolve, decoded.package);
}

/**
 * Parse and resolve with every feature on (as wkg does), encode, decode and print: the print of
 * the decoded package equals the print of the source; `wkg build` of it round-trips the same.
 */
async function run(name: string): Promise<void> {
  const dir = await materialize(join(WASI, name));
  const source: WitDirSource = await readWitDir(dir, { displayPath: name });
  const { resolve, package: pkg } = resolveWitSource(source, { allFeatures: true });
  const printed = printPackage(resolve, pkg);
  expect(printDecoded(encodeWitPackage(resolve, pkg))).toBe(printed);
  expect(printDecoded(await wkgBuild(dir))).toBe(printed);
}

conformanceSuite(
  "wasi",
  witDirs().map((name) => ({ name, run: () => run(name) })),
);
