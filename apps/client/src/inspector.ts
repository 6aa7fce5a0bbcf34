import type { PackageRef, Version } from "@wasm-pkg/common";

/** What a wasm binary is: a WIT package (interfaces only) or a component. */
export type WasmKind = "wit-package" | "component";

export interface WasmIdentity {
  kind: WasmKind;
  /** The package a WIT package declares; for a component, the package its metadata names, if any. */
  package?: PackageRef;
  version?: Version;
}

/** The OCI-style metadata custom sections of a wasm binary (wasm-metadata's fields). */
export interface WasmMetadata {
  description?: string;
  licenses?: string;
  source?: string;
  homepage?: string;
  authors?: string;
  revision?: string;
  version?: string;
}

export type SemverVerdict = { compatible: true } | { compatible: false; reason: string };

/**
 * Everything the client and the CLI need to know about the inside of a wasm binary, behind
 * one small seam so the client does not depend on a decoder: `@wasm-pkg/wit` provides the
 * implementation and the CLI passes it to `createClient({ inspector })`. Without one, the
 * client still fetches and publishes; it only cannot read a package's identity from its
 * bytes (publish needs `package`), print WIT, map annotations, or run the semver gate.
 * Methods may be sync or async. Errors for bytes that are not wasm are `WkgError`s
 * (`INVALID_COMPONENT` / `WASM_DECODE`) naming what was wrong.
 */
export interface WasmInspector {
  identify(bytes: Uint8Array): WasmIdentity | Promise<WasmIdentity>;
  /** WIT text: the package of a WIT package, or the world of a component. */
  toWitText(bytes: Uint8Array): string | Promise<string>;
  metadata(bytes: Uint8Array): WasmMetadata | Promise<WasmMetadata>;
  /**
   * Whether `next` may follow `previous` in one semver series (upstream #213/#232): compare
   * worlds by name; a world removed, or a world that is not an additive change, is incompatible.
   */
  semverCheck(previous: Uint8Array, next: Uint8Array): SemverVerdict | Promise<SemverVerdict>;
}

/** Upstream's mapping from wasm metadata to OCI manifest annotations (plus `revision`). */
export function metadataAnnotations(metadata: WasmMetadata, version: Version): Record<string, string> {
  const out: Record<string, string> = { "org.opencontainers.image.version": version.toString() };
  const map: Array<[keyof WasmMetadata, string]> = [
    ["description", "description"],
    ["licenses", "licenses"],
    ["source", "source"],
    ["homepage", "url"],
    ["authors", "authors"],
    ["revision", "revision"],
  ];
  for (const [field, key] of map) {
    const value = metadata[field];
    if (typeof value === "string" && value.trim() !== "") out[`org.opencontainers.image.${key}`] = value;
  }
  return out;
}
