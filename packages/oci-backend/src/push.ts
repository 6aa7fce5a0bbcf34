import { openAsBlob } from "node:fs";
import { Digest, DigestHasher, WkgError, hashFile, isAbortError } from "@wasm-pkg/common";
import { type ComponentSummary, buildConfig, buildManifest } from "./artifact.js";
import { ANNOTATION, MAX_MANIFEST_BYTES, OCI_MANIFEST } from "./media-types.js";
import type { RegistryClient } from "./registry-client.js";
import { type UploadOptions, uploadBlob, uploadBlobWhileHashing } from "./upload.js";
import { osFor, wasmKind } from "./wasm-kind.js";

/** Largest component whose imports/exports are read for the config blob. */
export const MAX_DESCRIBE_BYTES = 64 * 1024 * 1024;

/** Reads imports/exports from component bytes; supplied by a WIT decoder (`@wasm-pkg/wit`). */
export type DescribeComponent = (bytes: Uint8Array) => Promise<ComponentSummary | undefined>;

export interface PushArtifactOptions {
  signal?: AbortSignal;
  /** Manifest annotations (version, description, licenses, source, url, authors, and `--annotation`s). */
  annotations?: Record<string, string>;
  /** The config's `author` (`wkg oci push -a`). */
  author?: string;
  /** The layer's `org.opencontainers.image.title` (a file name). */
  title?: string;
  /**
   * The artifact's creation time (RFC 3339). Default: `SOURCE_DATE_EPOCH` from `env`, else
   * the `org.opencontainers.image.created` annotation, else unknown (the config then says
   * 1970-01-01T00:00:00Z and the manifest has no created annotation), so that pushing the
   * same bytes with the same metadata always gives the same manifest digest.
   */
  created?: string;
  env?: Readonly<Record<string, string | undefined>>;
  describe?: DescribeComponent;
  /** What an existing tag means: `overwrite` (default, as `docker push`) or `refuse` unless identical. */
  existing?: "overwrite" | "refuse";
  /** Compute, authenticate and check, but upload nothing. */
  dryRun?: boolean;
  /** Progress bar label (default: the reference). */
  label?: string;
  upload?: Pick<UploadOptions, "mode" | "chunkSize" | "chunkThreshold" | "attempts">;
  /** Name of the source in messages (a path). */
  sourceName?: string;
  /** Files at least this large going to a new tag are uploaded while they are hashed (default `OVERLAP_MIN_BYTES`). */
  overlapMinBytes?: number;
}

export interface PushResult {
  repository: string;
  tag: string;
  manifestDigest: Digest;
  configDigest: Digest;
  layer: { digest: Digest; size: number };
  os: "wasip1" | "wasip2";
  /** True when the tag already pointed at exactly this manifest: nothing was uploaded. */
  unchanged: boolean;
  dryRun: boolean;
  uploaded: { layer: boolean; config: boolean };
}

/** What can be pushed: bytes, a Blob (`fs.openAsBlob`), or a file path (read in 1 MiB pieces to hash). */
export type PushSource = Blob | Uint8Array | { path: string };

/**
 * sha256 and size of the content, read as a stream (a file never enters memory whole).
 * A path is read with 1 MiB reads into one buffer, about twice as fast as a file Blob's 64 KiB chunks.
 */
export async function hashBlob(
  source: Blob | { path: string },
  signal?: AbortSignal,
  options: { offThread?: boolean } = {},
): Promise<{ digest: Digest; size: number }> {
  if (!(source instanceof Blob)) return await hashFile(source.path, { ...(signal ? { signal } : {}), ...options });
  const hasher = new DigestHasher();
  try {
    for await (const chunk of source.stream() as unknown as AsyncIterable<Uint8Array>) {
      signal?.throwIfAborted();
      hasher.update(chunk);
    }
  } catch (error) {
    if (isAbortError(error)) throw error;
    throw new WkgError("IO", `failed to read the content to publish: ${(error as Error).message}`, { cause: error });
  }
  return { digest: hasher.digest(), size: hasher.size };
}

/**
 * From this size a file is hashed on a worker thread while its upload already runs (when the
 * tag is new): hashing 256 MiB takes a quarter of a second that then overlaps the upload.
 */
export const OVERLAP_MIN_BYTES = 32 * 1024 * 1024;

/** `created` per the rules of `PushArtifactOptions.created`. */
export function resolveCreated(options: Pick<PushArtifactOptions, "created" | "env" | "annotations">): string | undefined {
  if (options.created) return options.created;
  const epoch = options.env?.SOURCE_DATE_EPOCH?.trim();
  if (epoch) {
    if (!/^\d+$/.test(epoch)) {
      throw new WkgError("INVALID_CONFIG", `SOURCE_DATE_EPOCH must be a number of seconds since 1970, not ${JSON.stringify(epoch)}`, {
        hint: "set it to e.g. `$(git log -1 --format=%ct)`, or unset it",
      });
    }
    return new Date(Number(epoch) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  }
  return options.annotations?.[ANNOTATION.created];
}

/**
 * Push a wasm file as a CNCF Wasm OCI artifact to `repository:tag`: hash it (streaming),
 * build the config and manifest (canonical JSON, reproducible), check the tag, upload the
 * layer and config unless the repository has them, then put the manifest. A large file going
 * to a new tag is uploaded while it is hashed (`uploadBlobWhileHashing`).
 */
export async function pushArtifact(
  client: RegistryClient,
  repository: string,
  tag: string,
  source: PushSource,
  options: PushArtifactOptions = {},
): Promise<PushResult> {
  const signal = options.signal;
  const blob =
    source instanceof Blob
      ? source
      : source instanceof Uint8Array
        ? new Blob([source as Uint8Array<ArrayBuffer>])
        : await openFile(source.path);
  const sourceName = options.sourceName ?? (source instanceof Blob || source instanceof Uint8Array ? "the content" : source.path);
  const kind = wasmKind(new Uint8Array(await blob.slice(0, 8).arrayBuffer()), sourceName);
  const os = osFor(kind);
  const created = resolveCreated(options);
  const annotations: Record<string, string> = { ...options.annotations };
  if (created && !annotations[ANNOTATION.created]) annotations[ANNOTATION.created] = created;
  const build = (layer: { digest: Digest; size: number }, component?: ComponentSummary) => {
    const configBytes = buildConfig({
      os,
      layerDigest: layer.digest,
      ...(created ? { created } : {}),
      ...(options.author ? { author: options.author } : {}),
      ...(component ? { component } : {}),
    });
    const manifestBytes = buildManifest({
      config: { digest: Digest.of(configBytes), size: configBytes.byteLength },
      layer: { digest: layer.digest, size: layer.size, ...(options.title ? { title: options.title } : {}) },
      annotations,
    });
    return { configBytes, manifestBytes };
  };
  // Digests are all the same length: the manifest's size is known before anything is hashed or sent.
  checkManifestSize(build({ digest: Digest.of(""), size: blob.size }).manifestBytes.byteLength, client, repository, tag);

  const overlap =
    !(source instanceof Blob || source instanceof Uint8Array) &&
    blob.size >= (options.overlapMinBytes ?? OVERLAP_MIN_BYTES) &&
    !options.dryRun;
  const hashing = hashBlob(source instanceof Blob || source instanceof Uint8Array ? blob : source, signal, { offThread: overlap });
  hashing.catch(() => {});
  const label = options.label ?? `${client.registry}/${repository}:${tag}`;
  // One HEAD answers three questions: are we allowed in, is this version taken, is it this very artifact?
  const existing = await client.headManifest(repository, tag, { push: true, ...(signal ? { signal } : {}) });
  // A new tag cannot be unchanged: a big layer starts uploading while it is still being hashed.
  const speculative = new AbortController();
  const layerUpload =
    overlap && !existing
      ? uploadBlobWhileHashing(
          client,
          repository,
          blob,
          hashing.then((h) => h.digest),
          {
            ...options.upload,
            signal: signal ? AbortSignal.any([signal, speculative.signal]) : speculative.signal,
            progress: { id: `push:${repository}:${tag}`, label },
          },
        )
      : undefined;
  layerUpload?.catch(() => {});
  try {
    const layer = await hashing;
    if (layer.size !== blob.size) {
      throw new WkgError("IO", `${sourceName} changed size while it was being read (${blob.size} -> ${layer.size} bytes)`);
    }
    // Describing needs the whole binary in memory; past this size the config goes without it,
    // so memory stays flat for very large components.
    const describable = kind === "component" && options.describe && blob.size <= MAX_DESCRIBE_BYTES;
    const component = describable ? await options.describe?.(new Uint8Array(await blob.arrayBuffer())) : undefined;
    const { configBytes, manifestBytes } = build(layer, component);
    checkManifestSize(manifestBytes.byteLength, client, repository, tag);
    const configDigest = Digest.of(configBytes);
    const manifestDigest = Digest.of(manifestBytes);
    const result: PushResult = {
      repository,
      tag,
      manifestDigest,
      configDigest,
      layer,
      os,
      unchanged: false,
      dryRun: options.dryRun === true,
      uploaded: { layer: false, config: false },
    };
    if (existing?.equals(manifestDigest)) return { ...result, unchanged: true };
    if (existing && options.existing === "refuse") {
      throw new WkgError("VERSION_EXISTS", `${client.registry}/${repository}:${tag} already exists with different content (${existing})`, {
        hint: "published versions are immutable: publish a new version, or delete the tag in the registry first",
        details: { existing: existing.toString(), pushing: manifestDigest.toString() },
      });
    }
    if (options.dryRun) return result;

    const layerOutcome = layerUpload
      ? await layerUpload
      : await uploadBlob(client, repository, blob, layer.digest, {
          ...options.upload,
          ...(signal ? { signal } : {}),
          progress: { id: `push:${layer.digest}`, label },
        });
    // The config is a few hundred bytes: always one request.
    const configOutcome = await uploadBlob(client, repository, new Blob([configBytes as Uint8Array<ArrayBuffer>]), configDigest, {
      mode: "monolithic",
      ...(options.upload?.attempts ? { attempts: options.upload.attempts } : {}),
      ...(signal ? { signal } : {}),
    });
    await client.putManifest(repository, tag, manifestBytes, { mediaType: OCI_MANIFEST, ...(signal ? { signal } : {}) });
    return { ...result, uploaded: { layer: layerOutcome === "uploaded", config: configOutcome === "uploaded" } };
  } catch (error) {
    // Nothing may keep uploading after the push failed.
    speculative.abort();
    await layerUpload?.catch(() => {});
    throw error;
  }
}

function checkManifestSize(bytes: number, client: RegistryClient, repository: string, tag: string): void {
  if (bytes <= MAX_MANIFEST_BYTES) return;
  throw new WkgError(
    "INVALID_MANIFEST",
    `the manifest for ${client.registry}/${repository}:${tag} would be ${bytes} bytes; registries refuse more than 4 MiB`,
    { hint: "use fewer or shorter annotations" },
  );
}

async function openFile(path: string): Promise<Blob> {
  try {
    return await openAsBlob(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new WkgError("IO", `cannot read ${path}: ${code === "ENOENT" ? "no such file" : (error as Error).message}`, {
      hint: "check the path of the .wasm file to push",
      cause: error,
    });
  }
}
