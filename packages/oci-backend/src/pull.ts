import { Digest, verifyDigest, withProgress } from "@wasm-pkg/common";
import { type Descriptor, type ImageManifest, type WasmConfig, parseWasmConfig, wasmLayerOf } from "./artifact.js";
import type { ErrorContext } from "./errors.js";
import { MAX_CONFIG_BYTES, WASM_CONFIG } from "./media-types.js";
import type { RegistryClient } from "./registry-client.js";

export interface PulledManifest {
  repository: string;
  /** The tag or digest asked for. */
  reference: string;
  manifestDigest: Digest;
  manifest: ImageManifest;
  /** The one wasm layer. */
  layer: Descriptor;
  /** The Wasm config, when the artifact has one (older layouts may not). */
  config: WasmConfig | undefined;
}

export interface PulledArtifact extends PulledManifest {
  /** The layer's bytes, verified: the stream errors at its end (INTEGRITY) if they do not match. */
  content: ReadableStream<Uint8Array>;
}

export interface PullOptions {
  signal?: AbortSignal;
  /** Fetch and parse the config blob (default true). */
  readConfig?: boolean;
  notFound?: ErrorContext["notFound"];
  nameUnknown?: ErrorContext["nameUnknown"];
  /** Progress bar label (default: the reference). */
  label?: string;
}

/** Resolve a tag or digest to its manifest, its wasm layer and (optionally) its config. */
export async function pullManifest(
  client: RegistryClient,
  repository: string,
  reference: string,
  options: PullOptions = {},
): Promise<PulledManifest> {
  const signal = options.signal;
  const fetched = await client.getManifest(repository, reference, {
    ...(signal ? { signal } : {}),
    ...(options.notFound ? { notFound: options.notFound } : {}),
    ...(options.nameUnknown ? { nameUnknown: options.nameUnknown } : {}),
  });
  const source = `${client.registry}/${repository}@${fetched.digest}`;
  const layer = wasmLayerOf(fetched.manifest, source);
  let config: WasmConfig | undefined;
  const configDescriptor = fetched.manifest.config;
  if (options.readConfig !== false && configDescriptor.mediaType === WASM_CONFIG && configDescriptor.size <= MAX_CONFIG_BYTES) {
    const bytes = await client.readSmallBlob(repository, Digest.parse(configDescriptor.digest), MAX_CONFIG_BYTES, signal ? { signal } : {});
    config = parseWasmConfig(bytes);
  }
  return { repository, reference, manifestDigest: fetched.digest, manifest: fetched.manifest, layer, config };
}

/** The layer bytes of a resolved manifest, verified against its digest and size as they stream. */
export async function openLayer(
  client: RegistryClient,
  pulled: PulledManifest,
  options: PullOptions = {},
): Promise<ReadableStream<Uint8Array>> {
  const digest = Digest.parse(pulled.layer.digest);
  const { body } = await client.openBlob(pulled.repository, digest, {
    size: pulled.layer.size,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const label = options.label ?? `${client.registry}/${pulled.repository}:${pulled.reference}`;
  const verified = body.pipeThrough(
    verifyDigest(digest, { source: `${client.registry}/${pulled.repository}@${digest}`, size: pulled.layer.size }),
  );
  return withProgress(verified, client.logger, { id: `pull:${digest}`, label, total: pulled.layer.size });
}

export async function pullArtifact(
  client: RegistryClient,
  repository: string,
  reference: string,
  options: PullOptions = {},
): Promise<PulledArtifact> {
  const pulled = await pullManifest(client, repository, reference, options);
  return { ...pulled, content: await openLayer(client, pulled, options) };
}
