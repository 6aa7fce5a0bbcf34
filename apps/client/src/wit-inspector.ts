import { PackageRef, Version, WkgError, isWkgError } from "@wasm-pkg/common";
import type { SemverVerdict, WasmIdentity, WasmInspector, WasmMetadata } from "./inspector.js";

type Wit = typeof import("@wasm-pkg/wit");
let loading: Promise<Wit> | undefined;
/** The WIT toolchain is large; it is loaded the first time a binary must be looked inside. */
const wit = (): Promise<Wit> => (loading ??= import("@wasm-pkg/wit"));

const METADATA_FIELDS = ["description", "licenses", "source", "homepage", "authors", "revision", "version"] as const;

/** The client's `WasmInspector`, backed by `@wasm-pkg/wit` (the default for `createClient`). */
export const witInspector: WasmInspector = {
  async identify(bytes: Uint8Array): Promise<WasmIdentity> {
    const { decodeWasm, readMetadata, wasmKind } = await wit();
    const kind = wasmKind(bytes);
    if (kind === "module" || kind === "not-wasm") {
      throw new WkgError(
        "INVALID_COMPONENT",
        `malformed component: ${kind === "module" ? "this is a core module, not a component" : "this is not a wasm binary"}`,
        {
          hint: "publish a component or a WIT package (`wkg build` makes one from a wit/ directory)",
        },
      );
    }
    const decoded = decodeWasm(bytes);
    if (decoded.kind === "wit-package") {
      const { name } = decoded.resolve.pkg(decoded.package);
      return {
        kind: "wit-package",
        package: PackageRef.of(name.namespace, name.name),
        ...(name.version ? { version: Version.parse(name.version.toString()) } : {}),
      };
    }
    // A component names no package; its `component-name` section may (wkg build writes `ns:name`).
    const named = PackageRef.tryParse(readMetadata(bytes).name ?? "");
    return { kind: "component", ...(named ? { package: named } : {}) };
  },

  async toWitText(bytes: Uint8Array): Promise<string> {
    const { decodeWasm, printPackage } = await wit();
    const decoded = decodeWasm(bytes);
    const pkg = decoded.kind === "wit-package" ? decoded.package : decoded.resolve.world(decoded.world).package;
    if (pkg === undefined) throw new WkgError("WASM_DECODE", "the component's world belongs to no package");
    return printPackage(decoded.resolve, pkg);
  },

  async metadata(bytes: Uint8Array): Promise<WasmMetadata> {
    const meta = (await wit()).readMetadata(bytes);
    const out: WasmMetadata = {};
    for (const field of METADATA_FIELDS) if (typeof meta[field] === "string") out[field] = meta[field];
    return out;
  },

  async semverCheck(previous: Uint8Array, next: Uint8Array): Promise<SemverVerdict> {
    try {
      (await wit()).semverCheck(previous, next);
      return { compatible: true };
    } catch (error) {
      if (isWkgError(error, "SEMVER_INCOMPATIBLE")) return { compatible: false, reason: error.message };
      throw error;
    }
  },
};

/**
 * The `component` section of an OCI config blob (imports and exports), read with the WIT
 * toolchain; undefined when the binary cannot be decoded (the push goes on without it).
 */
export async function describeComponent(bytes: Uint8Array): Promise<{ imports: string[]; exports: string[] } | undefined> {
  try {
    return (await wit()).componentInterfaces(bytes);
  } catch (error) {
    if (isWkgError(error)) return undefined;
    throw error;
  }
}
