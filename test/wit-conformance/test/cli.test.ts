import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { cleanupTempDirs, tempDir } from "@wasm-pkg/test-utils";
import {
  decodeModuleWit,
  decodeWasm,
  embedWit,
  encodeWitPackage,
  printPackage,
  printPackages,
  type Resolve,
  type ResolveOptions,
  resolveToJson,
  resolveWitPath,
  wasmKind,
  type WorldId,
} from "@wasm-pkg/wit";
import { afterAll, expect } from "vitest";
import { conformanceSuite, errorText, WASM_TOOLS } from "./harness.js";

const CLI = join(WASM_TOOLS, "tests/cli");

afterAll(cleanupTempDirs);

interface Directive {
  name: string;
  command: string;
  shouldFail: boolean;
}

/** cli.rs's directive parsing: `// RUN[name]: cmd` or `// FAIL: cmd`, `\` continuing a line. */
function directives(text: string): Directive[] {
  const lines = text
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => (l.startsWith("// ") || l.startsWith(";; ") ? l.slice(3) : undefined))
    .filter((l): l is string => l !== undefined);
  const out: Directive[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const shouldFail = line.startsWith("FAIL");
    if (!shouldFail && !line.startsWith("RUN")) continue;
    const rest = line.slice(shouldFail ? 4 : 3);
    const named = /^\[([^\]]*)\]:(.*)$/.exec(rest);
    const plain = /^:(.*)$/.exec(rest);
    let command = named ? (named[2] as string) : plain ? (plain[1] as string) : undefined;
    if (command === undefined) throw new Error(`malformed directive: ${line}`);
    while (command.endsWith("\\")) command = command.slice(0, -1) + (lines[++i] ?? "");
    out.push({ name: named ? (named[1] as string) : "", command, shouldFail });
  }
  return out;
}

/** What flows through a pipe: WIT package bytes (`--wasm`, `-t`) or text. */
type Stdin = Uint8Array | undefined;

class Unsupported extends Error {}

/**
 * `wasm-tools component wit` done with the library: resolve a path (or decode the bytes on
 * stdin), then print the main package with every other package nested after it, or its JSON,
 * or the encoded package for the next command of the pipe.
 */
async function componentWit(args: string[], test: string, stdin: Stdin, tmp: string): Promise<{ stdout: string; bytes?: Uint8Array }> {
  const options: ResolveOptions = {};
  let input: string | undefined;
  let wasm = false;
  let json = false;
  let outDir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "%") input = test;
    else if (a === "--features") options.features = [...(options.features ?? []), ...(args[++i] as string).split(",")];
    else if (a === "--all-features") options.allFeatures = true;
    else if (a === "--wasm" || a === "-t") wasm = true;
    else if (a === "--json") json = true;
    else if (a === "--out-dir") outDir = args[++i];
    else if (!a.startsWith("-") && input === undefined) input = a;
    else throw new Unsupported(`component wit ${a}`);
  }
  let resolve: Resolve;
  let pkg: number;
  if (input !== undefined) {
    ({ resolve, package: pkg } = await resolveWitPath(input === test ? join(CLI, "..", "..", test) : input, {
      ...options,
      displayPath: input,
    }));
  } else {
    if (stdin === undefined) throw new Unsupported("component wit of an empty stdin");
    const decoded = wasmKind(stdin) === "module" ? decodeModuleWit(stdin) : decodeWasm(stdin);
    if (decoded === undefined) throw new Error("the core module carries no WIT");
    resolve = decoded.resolve;
    if (decoded.kind === "wit-package") pkg = decoded.package;
    else {
      const owner = resolve.world(decoded.world).package;
      if (owner === undefined) throw new Error("the component's world has no package");
      pkg = owner;
    }
  }
  if (wasm) return { stdout: "", bytes: encodeWitPackage(resolve, pkg) };
  if (json) return { stdout: JSON.stringify(resolveToJson(resolve), null, 2) };
  if (outDir !== undefined) return { stdout: await writeOutDir(resolve, pkg, outDir, tmp) };
  return { stdout: printPackages(resolve, pkg) };
}

/**
 * `component wit --out-dir`: every package printed on its own, in the Resolve's order, the main
 * one as `<dir>/<name>.wit` and the others in `<dir>/deps/`, named by as little of the package
 * name as tells them apart (component.rs's `emit_wit`).
 */
async function writeOutDir(resolve: Resolve, main: number, dir: string, tmp: string): Promise<string> {
  const names = new Map<string, Map<string, number>>();
  for (const { name } of resolve.packages) {
    const byNamespace = names.get(name.name) ?? new Map<string, number>();
    byNamespace.set(name.namespace, (byNamespace.get(name.namespace) ?? 0) + 1);
    names.set(name.name, byNamespace);
  }
  const lines: string[] = [];
  for (const [id, { name }] of resolve.packages.entries()) {
    const sameName = names.get(name.name) as Map<string, number>;
    const sameNamespace = sameName.get(name.namespace) as number;
    const versioned = name.version ? `${name.name}@${name.version}` : name.name;
    const stem =
      sameName.size === 1
        ? sameNamespace === 1
          ? name.name
          : versioned
        : sameNamespace === 1
          ? `${name.namespace}:${name.name}`
          : `${name.namespace}:${versioned}`;
    const out = id === main ? dir : join(dir, "deps");
    await mkdir(out, { recursive: true });
    const path = join(out, `${stem}.wit`);
    await writeFile(path, printPackage(resolve, id));
    lines.push(`Writing: ${path.replace(tmp, "%tmpdir")}`);
  }
  return lines.join("\n");
}

/** An empty core module: what the world is embedded in (only its `component-type` section matters to `component wit`). */
const EMPTY_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

/** wit-parser's `select_world`: `ns:pkg/world[@version]`, a world of the main package, or its only world. */
function selectWorld(resolve: Resolve, main: number, name: string | undefined): WorldId {
  if (name === undefined) {
    const worlds = [...resolve.pkg(main).worlds.values()];
    if (worlds.length !== 1) throw new Unsupported("world selection among several worlds");
    return worlds[0] as WorldId;
  }
  const m = /^([^/]+)\/([^@]+)(?:@(.+))?$/.exec(name);
  const pkg = m ? resolve.findPackage(m[3] ? `${m[1]}@${m[3]}` : (m[1] as string)) : main;
  // `%name` is an explicit identifier (cli.rs replaces only a lone `%` with the file).
  const world = pkg === undefined ? undefined : resolve.pkg(pkg).worlds.get(m ? (m[2] as string) : name.replace(/^%/, ""));
  if (world === undefined) throw new Unsupported(`world ${name} not found`);
  return world;
}

/**
 * `wasm-tools component embed [--dummy] [--world W] <wit>` done with the library: the selected
 * world embedded (as a `component-type` section) in an empty module, or in the module on stdin.
 */
async function componentEmbed(args: string[], test: string, stdin: Stdin): Promise<Uint8Array> {
  let dummy = false;
  let world: string | undefined;
  let input: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "%") input = test;
    else if (a === "--dummy") dummy = true;
    else if (a === "--world" || a === "-w") world = args[++i];
    else if (a.startsWith("--world=")) world = a.slice("--world=".length);
    else if (a === "--dummy-names") i++;
    else throw new Unsupported(`component embed ${a}`);
  }
  if (input === undefined) throw new Unsupported("component embed without a WIT input");
  const { resolve, package: pkg } = await resolveWitPath(join(CLI, "..", "..", input), { displayPath: input });
  const module = dummy ? EMPTY_MODULE : stdin;
  if (module === undefined) throw new Unsupported("component embed without a module");
  return embedWit(module, resolve, selectWorld(resolve, pkg, world));
}

/** Runs one directive's pipeline; returns stdout and stderr as cli.rs normalizes them. */
async function execute(d: Directive, test: string, tmp: string): Promise<{ stdout: string; stderr: string }> {
  let stdin: Stdin;
  let stdout = "";
  const stages = d.command.split(" | ").map((s) =>
    s
      .trim()
      .split(/\s+/)
      .map((a) => a.replaceAll("%tmpdir", tmp)),
  );
  try {
    for (const argv of stages) {
      if (argv[0] === "component" && argv[1] === "embed") {
        stdin = await componentEmbed(argv.slice(2), test, stdin);
        stdout = "";
        continue;
      }
      if (argv[0] !== "component" || argv[1] !== "wit") throw new Unsupported(argv.join(" "));
      const result = await componentWit(argv.slice(2), test, stdin, tmp);
      stdin = result.bytes;
      stdout = result.stdout;
    }
  } catch (error) {
    if (error instanceof Unsupported) throw error;
    if (!d.shouldFail) throw error;
    return { stdout: "", stderr: `error: ${errorText(error)}` };
  }
  if (d.shouldFail) throw new Error(`${d.command}: succeeded instead of failed`);
  return { stdout, stderr: "" };
}

/** cli.rs's `assert_output`: `\` to `/`, trailing space trimmed, one final newline; no output means no file. */
function assertOutput(actual: string, path: string): void {
  let output = actual.replaceAll("\\", "/").split("\n").join("\n").trimEnd();
  if (output.length > 0) output += "\n";
  if (output.length === 0) {
    expect(existsSync(path), `no output, but ${path} exists`).toBe(false);
    return;
  }
  expect(output).toBe(readFileSync(path, "utf8").replaceAll("\r\n", "\n"));
}

async function run(file: string): Promise<void> {
  const test = `tests/cli/${file}`;
  const ds = directives(readFileSync(join(CLI, file), "utf8"));
  if (ds.length === 0) throw new Error("no RUN or FAIL directive");
  const tmp = await tempDir("wit-conformance-cli-");
  for (const d of ds) {
    const { stdout, stderr } = await execute(d, test, tmp);
    const ext = d.name === "" ? "wit" : `wit.${d.name}`;
    const base = join(CLI, file.replace(/\.wit$/, ""));
    assertOutput(stdout, `${base}.${ext}.stdout`);
    assertOutput(stderr, `${base}.${ext}.stderr`);
  }
}

/** Pipelines that build, validate or print core wasm: they test wasm-tools, not WIT. */
function cannotApply(file: string): boolean {
  const tooling = /component new|wit-dylib|--only-custom|(^|\| *)(validate|print|strip)\b|embed [^|]*(-t|--wat)( |$)/;
  return directives(readFileSync(join(CLI, file), "utf8")).some((d) => tooling.test(d.command.trim()));
}

const files = readdirSync(CLI)
  .filter((n) => n.endsWith(".wit"))
  .sort();
conformanceSuite(
  "cli",
  files.map((name) => ({ name, run: () => run(name) })),
  { cannotApply },
);
