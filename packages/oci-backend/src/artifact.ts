import { Digest, WkgError } from "@wasm-pkg/common";
import { canonicalJson } from "./canonical-json.js";
import { ANNOTATION, OCI_INDEX, OCI_MANIFEST, WASM_CONFIG, WASM_LAYER, isWasmLayer, DOCKER_MANIFEST } from "./media-types.js";

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  urls?: string[];
  platform?: { architecture?: string; os?: string };
  artifactType?: string;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
}

/** The imports and exports a WIT decoder found; written into the config's `component` section. */
export interface ComponentSummary {
  imports: string[];
  exports: string[];
  target?: string;
}

/** The `application/vnd.wasm.config.v0+json` blob (CNCF Wasm OCI artifact). */
export interface WasmConfig {
  created?: string;
  author?: string | null;
  architecture: string;
  os: string;
  layerDigests: string[];
  component?: { exports: string[]; imports: string[]; target?: string | null } | null;
}

/** The config blob's `created` when nothing better is known: the epoch, so pushes stay reproducible. */
export const EPOCH = "1970-01-01T00:00:00Z";

export interface ConfigInput {
  os: "wasip1" | "wasip2";
  layerDigest: Digest;
  created?: string;
  author?: string;
  component?: ComponentSummary;
}

/** Config bytes in canonical JSON (sorted keys, no spaces): the same input always hashes the same. */
export function buildConfig(input: ConfigInput): Uint8Array {
  const config: WasmConfig = {
    // Upstream's reader (oci-wasm) requires `created`, so it is never left out.
    created: input.created ?? EPOCH,
    architecture: "wasm",
    os: input.os,
    layerDigests: [input.layerDigest.toString()],
  };
  if (input.author !== undefined) config.author = input.author;
  if (input.component) {
    config.component = {
      // Sorted: decoders may return them in any order (upstream's come from a HashSet).
      exports: [...input.component.exports].sort(),
      imports: [...input.component.imports].sort(),
      target: input.component.target ?? null,
    };
  }
  return new TextEncoder().encode(canonicalJson(config));
}

export interface ManifestInput {
  config: { digest: Digest; size: number };
  layer: { digest: Digest; size: number; title?: string };
  annotations?: Record<string, string>;
}

export function buildManifest(input: ManifestInput): Uint8Array {
  const layer: Descriptor = { mediaType: WASM_LAYER, digest: input.layer.digest.toString(), size: input.layer.size };
  if (input.layer.title) layer.annotations = { [ANNOTATION.title]: input.layer.title };
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: WASM_CONFIG, digest: input.config.digest.toString(), size: input.config.size },
    layers: [layer],
  };
  if (input.annotations && Object.keys(input.annotations).length > 0) manifest.annotations = { ...input.annotations };
  return new TextEncoder().encode(canonicalJson(manifest));
}

/** A parsed manifest document: an image manifest, or an index that points at one. */
export type ManifestDocument = { kind: "manifest"; manifest: ImageManifest } | { kind: "index"; index: ImageIndex };

/**
 * Parse and check a manifest body. Lenient where older publishers differ (a missing
 * top-level `mediaType`, other config types), strict where a wrong value would mislead.
 */
export function parseManifestDocument(bytes: Uint8Array, contentType: string | undefined, source: string): ManifestDocument {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw invalid(source, `it is not JSON (${(error as Error).message})`);
  }
  if (!isObject(value)) throw invalid(source, "it is not a JSON object");
  if (value.schemaVersion !== 2) throw invalid(source, `unsupported schemaVersion ${JSON.stringify(value.schemaVersion)} (expected 2)`);
  const mediaType = typeof value.mediaType === "string" ? value.mediaType : contentType?.split(";")[0]?.trim();
  if (Array.isArray(value.manifests) || mediaType === OCI_INDEX || mediaType?.includes("manifest.list")) {
    if (!Array.isArray(value.manifests)) throw invalid(source, "the index has no `manifests` list");
    return {
      kind: "index",
      index: {
        schemaVersion: 2,
        mediaType,
        manifests: value.manifests.map((d, i) => descriptor(d, `manifests[${i}]`, source)),
      } as ImageIndex,
    };
  }
  if (mediaType && mediaType !== OCI_MANIFEST && mediaType !== DOCKER_MANIFEST) {
    throw invalid(source, `unsupported manifest media type ${JSON.stringify(mediaType)}`);
  }
  if (!isObject(value.config)) throw invalid(source, "it has no `config` descriptor");
  if (!Array.isArray(value.layers)) throw invalid(source, "it has no `layers` list");
  const manifest: ImageManifest = {
    schemaVersion: 2,
    config: descriptor(value.config, "config", source),
    layers: value.layers.map((d, i) => descriptor(d, `layers[${i}]`, source)),
  };
  if (mediaType) manifest.mediaType = mediaType;
  if (typeof value.artifactType === "string") manifest.artifactType = value.artifactType;
  if (isObject(value.annotations)) manifest.annotations = stringRecord(value.annotations);
  return { kind: "manifest", manifest };
}

/**
 * The one wasm layer of a manifest. Older media types for wasm are accepted; more than one
 * wasm layer is refused, as the CNCF spec asks of consumers (that would be an exploded
 * component or an application bundle, not one component).
 */
export function wasmLayerOf(manifest: ImageManifest, source: string): Descriptor {
  const wasm = manifest.layers.filter((l) => isWasmLayer(l.mediaType));
  if (wasm.length === 1) return wasm[0] as Descriptor;
  const types = manifest.layers.map((l) => l.mediaType).join(", ") || "none";
  if (wasm.length === 0) {
    throw new WkgError("INVALID_MANIFEST", `${source} has no wasm layer (layer media types: ${types})`, {
      hint: "this artifact is not a Wasm component published as a CNCF Wasm OCI artifact (config application/vnd.wasm.config.v0+json, one application/wasm layer)",
    });
  }
  throw new WkgError("INVALID_MANIFEST", `${source} has ${wasm.length} wasm layers; a Wasm OCI artifact has exactly one`, {
    hint: "this looks like an application bundle or an exploded component, which wkg does not assemble",
  });
}

/** Parse a config blob when it is the Wasm config; other configs give undefined (older layouts). */
export function parseWasmConfig(bytes: Uint8Array): WasmConfig | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    if (!isObject(value) || typeof value.os !== "string") return undefined;
    return value as unknown as WasmConfig;
  } catch {
    return undefined;
  }
}

function descriptor(value: unknown, where: string, source: string): Descriptor {
  if (!isObject(value)) throw invalid(source, `${where} is not an object`);
  if (typeof value.mediaType !== "string") throw invalid(source, `${where} has no mediaType`);
  if (typeof value.digest !== "string" || !Digest.tryParse(value.digest)) {
    throw invalid(source, `${where} has an invalid digest ${JSON.stringify(value.digest)} (only sha256 is supported)`);
  }
  if (typeof value.size !== "number" || !Number.isSafeInteger(value.size) || value.size < 0) {
    throw invalid(source, `${where} has an invalid size ${JSON.stringify(value.size)}`);
  }
  const out: Descriptor = { mediaType: value.mediaType, digest: value.digest, size: value.size };
  if (isObject(value.annotations)) out.annotations = stringRecord(value.annotations);
  if (Array.isArray(value.urls)) out.urls = value.urls.filter((u): u is string => typeof u === "string");
  if (isObject(value.platform)) {
    const p = value.platform;
    out.platform = {
      ...(typeof p.architecture === "string" ? { architecture: p.architecture } : {}),
      ...(typeof p.os === "string" ? { os: p.os } : {}),
    };
  }
  if (typeof value.artifactType === "string") out.artifactType = value.artifactType;
  return out;
}

function stringRecord(value: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === "string") out[k] = v;
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(source: string, reason: string): WkgError {
  return new WkgError("INVALID_MANIFEST", `invalid manifest from ${source}: ${reason}`);
}
