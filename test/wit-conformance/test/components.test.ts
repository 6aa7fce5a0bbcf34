import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { decodeWasm, parseWitText, printPackage } from "@wasm-pkg/wit";
import { expect } from "vitest";
import { conformanceSuite, WIT_COMPONENT } from "./harness.js";
import { assemble, UPSTREAM_VERSION } from "./wasm.js";

const DIR = join(WIT_COMPONENT, "tests/components");

/**
 * components.rs builds each component from core modules (`component new`, linking) and then
 * decodes it and prints its world's package. We cannot build components from core modules,
 * so we start from upstream's own result, `component.wat`, assembled by wasm-tools: decode it
 * with our decoder, print, and compare with `component.wit.print`.
 */
async function run(name: string): Promise<void> {
  const dir = join(DIR, name);
  const decoded = decodeWasm(await assemble(golden(dir)));
  if (decoded.kind !== "component") throw new Error("decoded a WIT package, not a component");
  const pkg = decoded.resolve.world(decoded.world).package;
  if (pkg === undefined) throw new Error("the component's world has no package");
  const wit = printPackage(decoded.resolve, pkg);
  expect(wit).toBe(readFileSync(join(dir, "component.wit.print"), "utf8").replaceAll("\r\n", "\n"));
  parseWitText(wit, join(dir, "component.wit.print"));
}

function golden(dir: string): string {
  return readFileSync(join(dir, "component.wat"), "utf8").replaceAll("$CARGO_PKG_VERSION", UPSTREAM_VERSION);
}

/**
 * `error-*` cases expect `component new` (or the linker) to fail on core modules: there is no
 * component to decode. Other cases are listed only while wasm-tools' parser cannot assemble them.
 */
async function cannotApply(name: string): Promise<boolean> {
  const dir = join(DIR, name);
  if (name.startsWith("error-")) return existsSync(join(dir, "error.txt")) && !existsSync(join(dir, "component.wat"));
  try {
    await assemble(golden(dir));
    return false;
  } catch {
    return true;
  }
}

const names = readdirSync(DIR)
  .filter((n) => statSync(join(DIR, n)).isDirectory())
  .sort();
conformanceSuite(
  "components",
  names.map((name) => ({ name, run: () => run(name) })),
  { cannotApply },
);
