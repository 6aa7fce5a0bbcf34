import { WkgError } from "@wasm-pkg/common";
import { binaryKind, parseComponent, sections } from "./binary/component.js";
import { decodeCoreModuleWit, embedWorld, type StringEncoding } from "./binary/core-wit.js";
import { type DecodedWasm, decodeParsed } from "./binary/decode.js";
import { type EncodeOptions, encodePackage } from "./binary/encode.js";
import { parseComponentName } from "./binary/names.js";
import { readExternName } from "./binary/types.js";
import { publicCall } from "./errors.js";
import { type PackageId, packageNameString, type WorldId } from "./model.js";
import { printPackage as print, printWitFiles as printFiles } from "./print/printer.js";
import { wasmBinaryOf } from "./resolve/dir.js";
import type { Resolve } from "./resolve/resolve.js";
import { assertSemverCompatible } from "./semver-check.js";
import { parseGroup, type UnresolvedPackageGroup, type WitSource } from "./text/group.js";

export type WasmKind = "module" | "component" | "wit-package" | "not-wasm";

/**
 * What a file holds, from its header and top-level sections only (no type decoding): a core
 * module, a component, a WIT package encoded as a component, or not wasm at all.
 */
export function wasmKind(bytes: Uint8Array): WasmKind {
  const kind = binaryKind(bytes);
  if (kind !== "component") return kind ?? "not-wasm";
  try {
    let exports = 0;
    let firstName: string | undefined;
    for (const [id, r] of sections(bytes)) {
      if (id === 0 || id === 7) continue;
      if (id !== 11) return "component";
      for (let n = r.count(); n > 0; n--) {
        const { name } = readExternName(r);
        const sort = r.byte();
        if (sort !== 0x03) return "component";
        r.u32();
        if (r.byte() !== 0x00) return "component";
        firstName ??= name;
        exports++;
      }
    }
    if (exports === 0 || firstName === undefined) return "component";
    const cn = parseComponentName(firstName);
    return cn.kind === "label" || (cn.kind === "interface" && cn.iface === "wit") ? "wit-package" : "component";
  } catch {
    return "component";
  }
}

/**
 * A file's wasm binary when it holds WebAssembly, binary or text (`.wat`, assembled here), as
 * `wasm-tools` tells them apart; `undefined` when it holds something else (WIT text, say).
 * `path` names the file in errors; text is taken for wasm only in a `.wat` or `.wasm` file.
 */
export function wasmBinary(bytes: Uint8Array, path: string): Uint8Array | undefined {
  return publicCall("WASM_DECODE", () => wasmBinaryOf(bytes, path));
}

/**
 * Decodes a component binary: a WIT package (`{ kind: "wit-package", resolve, package }`,
 * its foreign dependencies included as partial packages) or a component
 * (`{ kind: "component", resolve, world }`, the world `root:component/root`).
 */
export function decodeWasm(bytes: Uint8Array): DecodedWasm {
  return publicCall("WASM_DECODE", () => decodeParsed(parseComponent(bytes)));
}

export type { DecodedWasm };

/**
 * The WIT a core module carries in its `component-type` sections (what bindings generators and
 * `wasm-tools component embed` write), as `wasm-tools component wit` reads it: the world `root`
 * of the package `root:root`, holding every section's imports and exports, with the packages
 * they come from. `undefined` when the module carries none.
 */
export function decodeModuleWit(bytes: Uint8Array): Extract<DecodedWasm, { kind: "component" }> | undefined {
  return publicCall("WASM_DECODE", () => {
    const found = decodeCoreModuleWit(bytes);
    return found && { kind: "component" as const, resolve: found.resolve, world: found.world };
  });
}

/**
 * Appends a `component-type` section describing `world` to a core module, as
 * `wasm-tools component embed` does (the module's own sections are left as they are).
 */
export function embedWit(
  module: Uint8Array,
  resolve: Resolve,
  world: WorldId,
  options: { stringEncoding?: StringEncoding } = {},
): Uint8Array {
  return publicCall("WIT_ENCODE", () => embedWorld(module, resolve, world, options.stringEncoding));
}

/** Encodes a package of a Resolve as a WIT package binary (see {@link EncodeOptions}). */
export function encodeWitPackage(resolve: Resolve, pkg: PackageId, options: EncodeOptions = {}): Uint8Array {
  return publicCall("WIT_ENCODE", () => encodePackage(resolve, pkg, options));
}

/** Parses one WIT file (with any nested packages) without resolving its dependencies. */
export function parseWitText(text: string, path: string): UnresolvedPackageGroup {
  return publicCall("WIT_SYNTAX", () => parseGroup([{ path, contents: text }]));
}

/** Parses the files of one package (a directory's `*.wit`) without resolving dependencies. */
export function parseWitFiles(files: readonly WitSource[]): UnresolvedPackageGroup {
  return publicCall("WIT_SYNTAX", () => parseGroup(files));
}

export interface ForeignDependency {
  /** `namespace:name`. */
  name: string;
  version?: string;
}

/**
 * The foreign packages a local package group refers to (what `wkg fetch` must resolve),
 * from the main package and any nested packages, deduplicated, in first-use order.
 * Packages defined in the group itself (nested packages) are not foreign.
 */
export function foreignDependencies(group: UnresolvedPackageGroup): ForeignDependency[] {
  const local = new Set([group.main, ...group.nested].map((p) => packageNameString(p.name)));
  const seen = new Set<string>();
  const out: ForeignDependency[] = [];
  for (const pkg of [group.main, ...group.nested]) {
    for (const [key, dep] of pkg.foreignDeps) {
      if (local.has(key) || seen.has(key)) continue;
      seen.add(key);
      const name = `${dep.name.namespace}:${dep.name.name}`;
      out.push(dep.name.version ? { name, version: dep.name.version.toString() } : { name });
    }
  }
  return out;
}

/** The main package's `ns:name` and version of a parsed group. */
export function groupPackageName(group: UnresolvedPackageGroup): ForeignDependency {
  const n = group.main.name;
  const name = `${n.namespace}:${n.name}`;
  return n.version ? { name, version: n.version.toString() } : { name };
}

/** A package as WIT text, exactly as wasm-tools prints it. */
export function printPackage(resolve: Resolve, pkg: PackageId, options: { docs?: boolean } = {}): string {
  return publicCall("WIT_ENCODE", () => print(resolve, pkg, options));
}

/**
 * What `wasm-tools component wit` prints: the package `pkg`, then every other package of the
 * Resolve, in its order, as a nested `package ns:name { ... }` block.
 */
export function printPackages(resolve: Resolve, pkg: PackageId, options: { docs?: boolean } = {}): string {
  const nested = resolve.packages.flatMap((_, id) => (id === pkg ? [] : [id]));
  return publicCall("WIT_ENCODE", () => print(resolve, pkg, { ...options, nested }));
}

/** `package.wit` plus `deps/<ns>-<name>[-<version>]/package.wit` for every other package. */
export function printWitFiles(resolve: Resolve, root: PackageId): Map<string, string> {
  return publicCall("WIT_ENCODE", () => printFiles(resolve, root));
}

export interface PackageIdentity {
  /** `namespace:name`. */
  name: string;
  version?: string;
}

/**
 * The package a binary publishes as (wkg's publish without `--package`): a WIT package's
 * own name and version. Components have no package name, so they need an explicit one.
 */
export function packageIdentity(bytes: Uint8Array): PackageIdentity {
  const decoded = decodeWasm(bytes);
  if (decoded.kind === "component") {
    throw new WkgError("INVALID_PACKAGE", "malformed component: component package version not found", {
      hint: "declare the package in its WIT (e.g. `package example:my-package@1.0.0;`) or pass `--package <namespace>:<name>@<version>`",
    });
  }
  const { name } = decoded.resolve.pkg(decoded.package);
  const id = `${name.namespace}:${name.name}`;
  return name.version ? { name: id, version: name.version.toString() } : { name: id };
}

/**
 * Import and export names for the OCI config blob (`component.imports`/`exports`): for a WIT
 * package every interface id, every world's export names and each world's id; for a
 * component its world's import and export names.
 */
export function componentInterfaces(bytes: Uint8Array): { imports: string[]; exports: string[] } {
  return publicCall("WASM_DECODE", () => {
    if (wasmKind(bytes) === "wit-package") {
      const decoded = decodeParsed(parseComponent(bytes));
      if (decoded.kind !== "wit-package") throw new Error("unreachable");
      const { resolve } = decoded;
      const pkg = resolve.pkg(decoded.package);
      const exports = new Set<string>();
      for (const iface of pkg.interfaces.values()) exports.add(resolve.idOf(iface) as string);
      for (const [name, wid] of pkg.worlds) {
        for (const key of resolve.world(wid).exports.keys()) exports.add(resolve.nameWorldKey(key));
        const n = pkg.name;
        exports.add(`${n.namespace}:${n.name}/${name}${n.version ? `@${n.version}` : ""}`);
      }
      return { imports: [], exports: [...exports] };
    }
    const parsed = parseComponent(bytes);
    const imports = parsed.imports.filter((i) => i.entity.k === "instance" || i.entity.k === "func").map((i) => i.name);
    const exports = parsed.exports.filter((e) => e.entity.k === "instance" || e.entity.k === "func").map((e) => e.name);
    return { imports, exports };
  });
}

/**
 * wkg's publish gate for one pair of releases (older `previous`, newer `next`): throws
 * `SEMVER_INCOMPATIBLE` when a world of `previous` is missing from `next` or `next`'s world
 * cannot replace it. Packages with interfaces but no worlds always pass.
 */
export function semverCheck(
  previous: Uint8Array | DecodedWasm,
  next: Uint8Array | DecodedWasm,
  versions: { previous?: string; next?: string } = {},
): void {
  const a = previous instanceof Uint8Array ? decodeWasm(previous) : previous;
  const b = next instanceof Uint8Array ? decodeWasm(next) : next;
  publicCall("SEMVER_INCOMPATIBLE", () => assertSemverCompatible(a, b, versions));
}
