import { Registry, WkgError } from "@wasm-pkg/common";

/** Parsed `registry.json`: the preferred protocol and one settings block per protocol. */
export interface RegistryMetadata {
  preferredProtocol?: string;
  /** `oci`, `warg`, or any other protocol's block, with legacy flat keys folded in. */
  protocols: Record<string, Record<string, unknown>>;
}

export interface OciMetadata {
  registry?: string;
  namespacePrefix?: string;
}

export interface WargMetadata {
  url?: string;
}

export const REGISTRY_METADATA_PATH = "/.well-known/wasm-pkg/registry.json";

const LEGACY: Record<string, [string, string]> = {
  ociRegistry: ["oci", "registry"],
  ociNamespacePrefix: ["oci", "namespacePrefix"],
  wargUrl: ["warg", "url"],
};

export function emptyMetadata(): RegistryMetadata {
  return { protocols: {} };
}

/**
 * Parse `registry.json` content (pure). Current shape: `{preferredProtocol, oci: {registry,
 * namespacePrefix}, warg: {url}}`; legacy flat keys (`ociRegistry`, `ociNamespacePrefix`,
 * `wargUrl`) are folded into their blocks and win over them, as upstream. Unlike upstream, an
 * unknown top-level key that is not an object is ignored instead of voiding the whole document.
 */
export function parseRegistryMetadata(value: unknown, source = "registry metadata"): RegistryMetadata {
  const fail = (reason: string): never => {
    throw new WkgError("INVALID_REGISTRY_METADATA", `invalid registry metadata in ${source}: ${reason}`);
  };
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail("expected a JSON object");
  const doc = value as Record<string, unknown>;
  const meta = emptyMetadata();
  for (const [key, entry] of Object.entries(doc)) {
    if (key === "preferredProtocol") {
      if (typeof entry !== "string" || entry === "") fail("`preferredProtocol` must be a non-empty string");
      meta.preferredProtocol = entry as string;
    } else if (key in LEGACY) {
    } else if (typeof entry === "object" && entry !== null && !Array.isArray(entry)) {
      meta.protocols[key] = { ...(entry as Record<string, unknown>) };
    }
  }
  for (const [legacy, [protocol, field]] of Object.entries(LEGACY)) {
    if (doc[legacy] === undefined) continue;
    meta.protocols[protocol] = { ...meta.protocols[protocol], [field]: doc[legacy] };
  }
  // Validate the blocks this project understands, so a typo fails here and not as a strange URL later.
  const oci = meta.protocols.oci;
  if (oci) {
    if (oci.registry !== undefined) {
      if (typeof oci.registry !== "string") fail("`oci.registry` must be a string");
      try {
        Registry.parse(oci.registry as string);
      } catch (error) {
        fail(`\`oci.registry\`: ${(error as Error).message}`);
      }
    }
    if (oci.namespacePrefix !== undefined && typeof oci.namespacePrefix !== "string") fail("`oci.namespacePrefix` must be a string");
  }
  const warg = meta.protocols.warg;
  if (warg?.url !== undefined) {
    if (typeof warg.url !== "string" || !/^https?:\/\/[^/]/.test(warg.url)) fail("`warg.url` must be an http(s) URL");
  }
  return meta;
}

/** Upstream's rule: explicit `preferredProtocol`, else the only block present, else none. */
export function preferredProtocol(meta: RegistryMetadata): string | undefined {
  if (meta.preferredProtocol) return meta.preferredProtocol;
  const names = Object.keys(meta.protocols);
  return names.length === 1 ? names[0] : undefined;
}

export function configuredProtocols(meta: RegistryMetadata): string[] {
  return Object.keys(meta.protocols).sort();
}

export function ociMetadata(meta: RegistryMetadata): OciMetadata {
  const block = meta.protocols.oci ?? {};
  const out: OciMetadata = {};
  if (typeof block.registry === "string") out.registry = block.registry;
  if (typeof block.namespacePrefix === "string") out.namespacePrefix = block.namespacePrefix;
  return out;
}

export function wargMetadata(meta: RegistryMetadata): WargMetadata {
  const url = meta.protocols.warg?.url;
  return typeof url === "string" ? { url } : {};
}

/**
 * The protocol to talk: explicit config > metadata's preferred protocol > the only
 * protocol present > `oci`. Metadata may never select `local` (it would point a remote
 * registry at the user's disk).
 */
export function pickProtocol(configured: string | undefined, meta: RegistryMetadata, registry = "the registry"): string {
  if (configured) return configured;
  const preferred = preferredProtocol(meta);
  if (preferred === "local") {
    throw new WkgError("INVALID_REGISTRY_METADATA", `registry metadata of ${registry} selects the 'local' protocol, which is not allowed`, {
      hint: 'a local registry can only be chosen in your own config ([registry."<name>"] default = "local")',
    });
  }
  return preferred ?? "oci";
}
