import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { decodeWasm, encodeWitPackage, parseWitText, printPackage, type Resolve, resolveWitPath } from "@wasm-pkg/wit";
import { expect } from "vitest";
import { conformanceSuite, WIT_COMPONENT } from "./harness.js";
import { assemble, hex, UPSTREAM_PRODUCERS, UPSTREAM_VERSION } from "./wasm.js";

const DIR = join(WIT_COMPONENT, "tests/interfaces");

/** interfaces.rs's `assert_print`: the package printed, compared with its `.wit.print`, and re-parsable. */
function assertPrint(resolve: Resolve, pkg: number, path: string, isDir: boolean): void {
  const output = printPackage(resolve, pkg);
  const expected = isDir ? join(path, `${resolve.pkg(pkg).name.name}.wit.print`) : path.replace(/\.wit$/, ".wit.print");
  expect(output).toBe(readFileSync(expected, "utf8").replaceAll("\r\n", "\n"));
  parseWitText(output, "foo.wit");
}

/**
 * interfaces.rs's `run_test`: resolve with no features, print, encode and compare with the
 * `.wat` golden (assembled by wasm-tools, compared as bytes), decode and print again.
 */
async function run(name: string): Promise<void> {
  const path = join(DIR, name);
  const isDir = statSync(path).isDirectory();
  const { resolve, package: pkg } = await resolveWitPath(path, { displayPath: `tests/interfaces/${name}` });
  assertPrint(resolve, pkg, path, isDir);
  const wasm = encodeWitPackage(resolve, pkg, { producers: UPSTREAM_PRODUCERS });
  const golden = readFileSync(`${path.replace(/\.wit$/, "")}.wat`, "utf8").replaceAll("$CARGO_PKG_VERSION", UPSTREAM_VERSION);
  expect(hex(wasm)).toBe(hex(await assemble(golden)));
  const decoded = decodeWasm(wasm);
  if (decoded.kind !== "wit-package") throw new Error("decoded a component, not a WIT package");
  assertPrint(decoded.resolve, decoded.package, path, isDir);
  // interfaces.rs then re-encodes the decoded package, but compares the text of the first
  // encoding with itself (`print_bytes(&wasm)` twice), so that step asserts nothing upstream.
}

const names = readdirSync(DIR)
  .filter((n) => statSync(join(DIR, n)).isDirectory() || n.endsWith(".wit"))
  .sort();
conformanceSuite(
  "interfaces",
  names.map((name) => ({ name, run: () => run(name) })),
);
