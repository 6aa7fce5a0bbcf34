import { createReadStream } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import {
  type Backend,
  type BackendContext,
  type BackendFactory,
  Digest,
  type PackageRef,
  type Release,
  Version,
  type VersionInfo,
  WkgError,
  joinInside,
  writeFileAtomic,
} from "@wasm-pkg/common";

export interface DirectoryBackendOptions {
  /** Protocol name (default "test"), so registry metadata may select it (it may never select `local`). */
  protocol?: string;
  /** Base directory; the registry's root is `<base>/<protocolMetadata.dir>` (or `<base>` without one). */
  base: string;
  /** Every call, as `<protocol>:<dir> <op> <pkg>[@<version>]`, and every context a backend was created with. */
  log?: { calls: string[]; contexts: BackendContext[] };
}

/**
 * A real plugin backend for tests: a custom protocol whose packages live in a directory (the
 * local layout, `<ns>/<name>/<version>.wasm`) chosen by its registry metadata, so routing through `.well-known` documents
 * and inline metadata can be observed end to end without an OCI registry.
 */
export function directoryBackend(options: DirectoryBackendOptions): BackendFactory {
  const protocol = options.protocol ?? "test";
  return {
    protocol,
    create(ctx) {
      options.log?.contexts.push(ctx);
      const dir = String((ctx.protocolMetadata as { dir?: unknown } | undefined)?.dir ?? "");
      const root = join(options.base, dir);
      const tag = `${protocol}:${dir}`;
      const record = (op: string, what: string) => options.log?.calls.push(`${tag} ${op} ${what}`);
      const file = (pkg: PackageRef, version: Version) => joinInside(root, pkg.namespace, pkg.name, `${version}.wasm`);
      const backend: Backend = {
        protocol,
        async listAllVersions(pkg) {
          record("list", `${pkg}`);
          const names = await readdir(join(root, pkg.namespace, pkg.name)).catch(() => {
            throw new WkgError("PACKAGE_NOT_FOUND", `package not found: ${pkg}`);
          });
          return names.flatMap((n) => {
            const version = n.endsWith(".wasm") ? Version.tryParse(n.slice(0, -5)) : undefined;
            return version ? [{ version, yanked: false }] : [];
          });
        },
        async getRelease(pkg, version) {
          record("release", `${pkg}@${version}`);
          const data = await readFile(file(pkg, version)).catch(() => {
            throw new WkgError("VERSION_NOT_FOUND", `version not found: ${pkg}@${version}`);
          });
          return { version, contentDigest: Digest.of(data), size: data.byteLength };
        },
        async streamContentUnvalidated(pkg, release) {
          record("content", `${pkg}@${release.version}`);
          return Readable.toWeb(createReadStream(file(pkg, release.version))) as unknown as ReadableStream<Uint8Array>;
        },
        async publish(pkg, version, source, opts) {
          record("publish", `${pkg}@${version}`);
          const data = source instanceof Uint8Array ? source : new Uint8Array(await source.arrayBuffer());
          if (!opts?.dryRun) await writeFileAtomic(file(pkg, version), data);
          return { contentDigest: Digest.of(data), location: file(pkg, version) };
        },
      };
      return backend;
    },
  };
}

/** A Version-shaped object carrying any text, as a buggy or hostile plugin could hand back. */
export function forgedVersion(text: string): Version {
  const real = Version.parse("1.0.0");
  return Object.assign(Object.create(Version.prototype) as Version, { text, sem: real.sem });
}

/**
 * A backend that answers with hostile version strings (`../../evil`, `1.0.0/../../x`) and
 * serves `content` for any of them, to prove nothing downstream turns them into paths.
 */
export function hostileBackend(options: { protocol?: string; versions: string[]; content: Uint8Array }): BackendFactory {
  const protocol = options.protocol ?? "hostile";
  const digest = Digest.of(options.content);
  return {
    protocol,
    create() {
      return {
        protocol,
        async listAllVersions(_pkg: PackageRef): Promise<VersionInfo[]> {
          return options.versions.map((text) => ({ version: forgedVersion(text), yanked: false }));
        },
        async getRelease(): Promise<Release> {
          return { version: forgedVersion(options.versions[0] ?? "../x"), contentDigest: digest, size: options.content.byteLength };
        },
        async streamContentUnvalidated() {
          return new Blob([options.content as BlobPart]).stream();
        },
        async publish() {
          throw new WkgError("UNSUPPORTED", "the hostile test backend does not publish");
        },
      };
    },
  };
}
