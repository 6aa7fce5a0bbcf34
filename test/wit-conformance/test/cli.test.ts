import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { cleanupTempDirs, tempDir } from "@wasm-pkg/test-utils";
import {
  decodeWasm,
  encodeWitPackage,
  printPackage,
  type Resolve,
  type ResolveOptions,
  WitPrinter,
  resolveToJson,
  resolveWitPath,
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
    const decoded = decodeWasm(stdin);
    if (decoded.kind !== "wit-package") throw new Unsupported("component wit of a component");
    ({ resolve, package: pkg } = decoded);
  }
  if (wasm) return { stdout: "", bytes: encodeWitPackage(resolve, pkg) };
  if (json) return { stdout: JSON.stringify(resolveToJson(resolve), null, 2) };
  const others = resolve.packages.map((_, id) => id).filter((id) => id !== pkg);
  if (outDir !== undefined) {
    const lines: string[] = [];
    for (const id of [...others].reverse()) {
      const path = join(outDir, "deps", `${resolve.pkg(id).name.name}.wit`);
      lines.push(`Writing: ${path.replace(tmp, "%tmpdir")}`);
      await mkdir(join(outDir, "deps"), { recursive: true });
      await writeFile(path, printPackage(resolve, id));
    }
    const main = join(outDir, `${resolve.pkg(pkg).name.name}.wit`);
    lines.push(`Writing: ${main.replace(tmp, "%tmpdir")}`);
    await writeFile(main, printPackage(resolve, pkg));
    return { stdout: lines.join("\n") };
  }
  return { stdout: new WitPrinter(resolve).printPackage(pkg, others) };
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
