import { readFile, stat } from "node:fs/promises";
import { resolve as resolvePath } from "node:path";
import { WkgError } from "@wasm-pkg/common";
import {
  type DecodedWasm,
  decodeModuleWit,
  decodeWasm,
  type PackageId,
  packageNameString,
  printPackages,
  type Resolve,
  readMetadata,
  resolveWitPath,
  type WasmMetadata,
  wasmBinary,
  wasmKind,
} from "@wasm-pkg/wit";
import type { CommandArgs, CommandOutput } from "../cli/spec.js";
import type { Context } from "../context.js";

interface PackageSummary {
  name: string;
  version: string | null;
  interfaces: string[];
  worlds: string[];
}

interface Report {
  path: string;
  kind: "wit-package" | "component" | "module" | "wit-directory" | "wit-file";
  size?: number;
  package?: PackageSummary;
  dependencies?: string[];
  imports?: string[];
  exports?: string[];
  metadata?: Omit<WasmMetadata, "kind">;
}

function summary(resolve: Resolve, id: PackageId): PackageSummary {
  const pkg = resolve.pkg(id);
  return {
    name: `${pkg.name.namespace}:${pkg.name.name}`,
    version: pkg.name.version?.toString() ?? null,
    interfaces: [...pkg.interfaces.keys()],
    worlds: [...pkg.worlds.keys()],
  };
}

function dependencies(resolve: Resolve, root: PackageId): string[] {
  return resolve.packages.flatMap((p, id) => (id === root ? [] : [packageNameString(p.name)]));
}

function worldNames(decoded: Extract<DecodedWasm, { kind: "component" }>): { imports: string[]; exports: string[] } {
  const world = decoded.resolve.world(decoded.world);
  return {
    imports: [...world.imports.keys()].map((k) => decoded.resolve.nameWorldKey(k)),
    exports: [...world.exports.keys()].map((k) => decoded.resolve.nameWorldKey(k)),
  };
}

export async function run(ctx: Context, args: CommandArgs): Promise<CommandOutput> {
  const given = args.positionals[0];
  if (!given) throw new WkgError("USAGE", "missing <PATH>", { hint: "run `wkg inspect <path>` with a .wasm file or a WIT directory" });
  const path = resolvePath(ctx.io.cwd, given);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    throw new WkgError("IO", `cannot read ${given}: ${(error as Error).message}`, { cause: error, hint: "check the path" });
  }
  const wantWit = args.values.wit === true;

  if (info.isDirectory() || given.endsWith(".wit")) {
    // WIT source: parse and resolve with every feature on, as wkg build does.
    const { resolve, package: pkg } = await resolveWitPath(path, { allFeatures: true, displayPath: given });
    if (wantWit) return witOutput(resolve, pkg);
    return render({
      path: given,
      kind: info.isDirectory() ? "wit-directory" : "wit-file",
      package: summary(resolve, pkg),
      dependencies: dependencies(resolve, pkg),
    });
  }

  // WebAssembly text (`.wat`) is read as wasm-tools reads it: assembled, then inspected.
  const read = new Uint8Array(await readFile(path));
  const bytes = wasmBinary(read, given) ?? read;
  const kind = wasmKind(bytes);
  if (kind === "not-wasm") {
    throw new WkgError("WASM_DECODE", `${given} is neither a WebAssembly binary nor a WIT file`, {
      hint: "inspect a .wasm component or WIT package, a .wit file, or a directory of .wit files",
    });
  }
  const { kind: _binaryKind, ...metadata } = readMetadata(bytes);
  if (kind === "module") {
    // WIT embedded by bindings generators (`component-type` sections), read as wasm-tools does.
    const embedded = decodeModuleWit(bytes);
    if (wantWit) {
      if (!embedded) {
        throw new WkgError(
          "WASM_DECODE",
          `${given} is a core wasm module with no \`component-type*\` custom sections, so it carries no WIT`,
          {
            hint: "embed the WIT first (as bindings generators do), or inspect the component made from this module",
          },
        );
      }
      return witOutput(embedded.resolve, embedded.resolve.world(embedded.world).package as number);
    }
    return render({ path: given, kind, size: bytes.length, ...(embedded ? worldNames(embedded) : {}), metadata });
  }
  const decoded = decodeWasm(bytes);
  if (wantWit) {
    const pkg = decoded.kind === "wit-package" ? decoded.package : (decoded.resolve.world(decoded.world).package as number);
    return witOutput(decoded.resolve, pkg);
  }
  if (decoded.kind === "wit-package") {
    return render({
      path: given,
      kind,
      size: bytes.length,
      package: summary(decoded.resolve, decoded.package),
      dependencies: dependencies(decoded.resolve, decoded.package),
      metadata,
    });
  }
  return render({ path: given, kind: "component", size: bytes.length, ...worldNames(decoded), metadata });
}

/**
 * `--wit`: what `wasm-tools component wit` prints, byte for byte — the package, every other
 * package after it as a nested `package x:y { ... }` block, and the output's last blank line.
 */
function witOutput(resolve: Resolve, pkg: PackageId): CommandOutput {
  const wit = printPackages(resolve, pkg);
  return { text: wit, json: { wit } };
}

const KIND_TEXT: Record<Report["kind"], string> = {
  "wit-package": "WIT package (binary)",
  component: "component",
  module: "core module",
  "wit-directory": "WIT package (directory)",
  "wit-file": "WIT package (file)",
};

function render(report: Report): CommandOutput {
  const lines: string[] = [];
  const title = report.package ? `${report.package.name}${report.package.version ? `@${report.package.version}` : ""}` : report.path;
  lines.push(`${title}: ${KIND_TEXT[report.kind]}${report.size !== undefined ? `, ${report.size} bytes` : ""}`);
  const list = (label: string, items: string[] | undefined) => {
    if (items === undefined) return;
    lines.push(`  ${label}:${items.length === 0 ? " (none)" : ""}`);
    for (const item of items) lines.push(`    ${item}`);
  };
  if (report.package) {
    list("interfaces", report.package.interfaces);
    list("worlds", report.package.worlds);
  }
  list("dependencies", report.dependencies);
  list("imports", report.imports);
  list("exports", report.exports);
  const meta = report.metadata;
  if (meta && Object.keys(meta).length > 0) {
    lines.push("  metadata:");
    if (meta.name !== undefined) lines.push(`    name: ${meta.name}`);
    for (const [field, values] of Object.entries(meta.producers ?? {})) {
      lines.push(`    ${field}: ${values.map(([n, v]) => (v ? `${n} ${v}` : n)).join(", ")}`);
    }
    for (const field of ["authors", "description", "licenses", "source", "homepage", "revision", "version"] as const) {
      if (meta[field] !== undefined) lines.push(`    ${field}: ${meta[field]}`);
    }
    if (meta.registryMetadata !== undefined) lines.push(`    registry-metadata: ${JSON.stringify(meta.registryMetadata)}`);
  }
  return { text: lines.join("\n"), json: report };
}
