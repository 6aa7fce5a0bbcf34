import { openAsBlob } from "node:fs";
import { stat } from "node:fs/promises";
import {
  type CallOptions,
  type Digest,
  type PackageRef,
  PackageSpec,
  type PublishSource,
  Version,
  VersionReq,
  WkgError,
  filterMatching,
  isWkgError,
} from "@wasm-pkg/common";
import type { WkgClient } from "./client.js";
import { metadataAnnotations } from "./inspector.js";

export interface PublishRequest extends CallOptions {
  /** The identity to publish under (`ns:name@version`); without it, it is read from the WIT package. */
  package?: string | { ref: PackageRef; version: Version };
  /** Publish to this registry instead of the one the config resolves. */
  registry?: string;
  /** Resolve, check and validate everything, upload nothing. */
  dryRun?: boolean;
  /** Skip the semver-compatibility check against the neighbouring published versions. */
  skipSemverCheck?: boolean;
  /** Replace an existing version (skips the duplicate check; backends that can refuse then don't). */
  overwrite?: boolean;
  /** Extra annotations, over the ones read from the wasm's metadata. */
  annotations?: Record<string, string>;
}

export interface PublishOutcome {
  package: PackageRef;
  version: Version;
  registry: string;
  protocol: string;
  digest: Digest;
  dryRun: boolean;
  /** What the semver gate did: `passed`, `first in series`, `skipped`, or `unchecked` (no inspector). */
  semver: "passed" | "first in series" | "skipped" | "unchecked";
  annotations: Record<string, string>;
  location?: string;
  id?: string;
}

/**
 * Upstream's publish: identity (given, or read from the WIT package), the duplicate and semver
 * gates against what the registry already has, then the backend's upload.
 */
export async function publish(client: WkgClient, input: string | Blob | Uint8Array, request: PublishRequest): Promise<PublishOutcome> {
  const signal = request.signal ? { signal: request.signal } : {};
  const what = typeof input === "string" ? input : "the package";
  const source = typeof input === "string" ? await openFile(input) : input;
  const inspector = client.inspector;
  // The decoder needs the whole binary; without one nothing is buffered.
  const bytes = inspector ? (source instanceof Uint8Array ? source : new Uint8Array(await source.arrayBuffer())) : undefined;

  let ref: PackageRef;
  let version: Version;
  const given = typeof request.package === "string" ? parseIdentity(request.package) : request.package;
  if (given) {
    // Still decode, as upstream #250: publishing bytes that are not a component or WIT package is an error.
    if (inspector && bytes) await inspector.identify(bytes);
    ({ ref, version } = given);
  } else {
    if (!inspector || !bytes) {
      throw new WkgError("UNSUPPORTED", `cannot read the package name and version of ${what}: this build has no WIT decoder`, {
        hint: "name it explicitly: --package <namespace>:<name>@<version> (library: publish(file, { package }))",
      });
    }
    const identity = await inspector.identify(bytes);
    if (!identity.package || !identity.version) {
      throw new WkgError("INVALID_COMPONENT", `malformed component: ${what} does not name a versioned package (it is a ${identity.kind})`, {
        hint:
          identity.kind === "wit-package"
            ? "give the WIT package a version (`package example:my-package@1.0.0;`), or pass --package <namespace>:<name>@<version>"
            : "pass --package <namespace>:<name>@<version> to publish a component",
      });
    }
    ref = identity.package;
    version = identity.version;
  }

  const registry = client.router.registryFor(ref, request.registry).registry;
  if (client.offline && !client.isLocal(registry)) {
    throw new WkgError("OFFLINE", `offline: cannot publish ${ref}@${version} to registry ${registry}`, {
      hint: "run without --offline to publish",
    });
  }
  const route = await client.route(ref, { ...signal, ...(request.registry ? { registry: request.registry } : {}) });

  let semver: PublishOutcome["semver"] = "skipped";
  if (!request.overwrite) semver = await gate(client, ref, version, bytes, request, route.registry);

  const annotations = {
    ...(inspector && bytes
      ? metadataAnnotations(await inspector.metadata(bytes), version)
      : { "org.opencontainers.image.version": version.toString() }),
    ...request.annotations,
  };
  const result = await route.backend.publish(ref, version, source as PublishSource, {
    ...signal,
    dryRun: request.dryRun === true,
    overwrite: request.overwrite === true,
    annotations,
  });
  return {
    package: ref,
    version,
    registry: route.registry,
    protocol: route.protocol,
    digest: result.contentDigest,
    dryRun: request.dryRun === true,
    semver,
    annotations,
    ...(result.location ? { location: result.location } : {}),
    ...(result.id ? { id: result.id } : {}),
  };
}

/**
 * The duplicate check (always, pre-releases included; upstream skipped it with
 * --skip-semver-check and missed pre-releases) and the semver gate (upstream #213/#232): the
 * candidate must be a compatible successor of the nearest lower release in its series and a
 * compatible predecessor of the nearest higher one.
 */
async function gate(
  client: WkgClient,
  ref: PackageRef,
  version: Version,
  bytes: Uint8Array | undefined,
  request: PublishRequest,
  registry: string,
): Promise<PublishOutcome["semver"]> {
  const opts = { ...(request.signal ? { signal: request.signal } : {}), registry };
  let existing: Awaited<ReturnType<WkgClient["listVersions"]>>;
  try {
    existing = await client.listVersions(ref, opts);
  } catch (error) {
    if (isWkgError(error, "PACKAGE_NOT_FOUND")) existing = [];
    else throw error;
  }
  if (existing.some((v) => v.version.equals(version))) {
    throw new WkgError("VERSION_EXISTS", `${ref}@${version} already exists in registry ${registry}`, {
      hint: "bump the version, or pass --skip-dupes to treat an existing version as success",
      details: { package: ref.toString(), version: version.toString(), registry },
    });
  }
  if (request.skipSemverCheck) return "skipped";
  const series = filterMatching(existing, seriesOf(version));
  const previous = series.filter((v) => compare(v.version, version) < 0).at(-1);
  const next = series.find((v) => compare(v.version, version) > 0);
  if (!previous && !next) return "first in series";
  const inspector = client.inspector;
  if (!inspector || !bytes) {
    client.logger({
      type: "warn",
      message: `semver compatibility of ${ref}@${version} not checked: this build has no WIT decoder`,
      hint: "pass --skip-semver-check to silence this",
    });
    return "unchecked";
  }
  const load = async (v: Version) => {
    const release = await client.getRelease(ref, v, opts);
    return await readAll(await client.streamContent(ref, release, opts));
  };
  const pairs: Array<[Version, Uint8Array, Version, Uint8Array]> = [];
  if (previous) pairs.push([previous.version, await load(previous.version), version, bytes]);
  if (next) pairs.push([version, bytes, next.version, await load(next.version)]);
  for (const [older, olderBytes, newer, newerBytes] of pairs) {
    const verdict = await inspector.semverCheck(olderBytes, newerBytes);
    if (!verdict.compatible) {
      const message = newer.equals(version)
        ? `new version ${ref}@${newer} is not semver-compatible with existing version ${older}: ${verdict.reason}`
        : `new version ${ref}@${older} is not semver-compatible with existing version ${newer}, which is higher in the same series: ${verdict.reason}`;
      throw new WkgError("SEMVER_INCOMPATIBLE", message, {
        hint: `make the change additive, or publish it as a new ${version.major >= 1 ? "major" : "minor"} version; --skip-semver-check publishes anyway`,
        details: { package: ref.toString(), previous: older.toString(), new: newer.toString() },
      });
    }
  }
  return "passed";
}

/** The releases a version must stay compatible with: `X.*` from 1.0, `0.Y.*`, or exactly `0.0.Z`. */
export function seriesOf(version: Version): VersionReq {
  if (version.major >= 1) return VersionReq.parse(`>=${version.major}.0.0, <${version.major + 1}.0.0`);
  if (version.minor >= 1) return VersionReq.parse(`>=0.${version.minor}.0, <0.${version.minor + 1}.0`);
  return VersionReq.parse(`=0.0.${version.patch}`);
}

function compare(a: Version, b: Version): number {
  return Version.compare(a, b);
}

function parseIdentity(text: string): { ref: PackageRef; version: Version } {
  const spec = PackageSpec.parse(text);
  if (!spec.version) {
    throw new WkgError("USAGE", `version is required when manually overriding the package ID (got ${JSON.stringify(text)})`, {
      hint: "write --package <namespace>:<name>@<version>, e.g. --package example:app@1.0.0",
    });
  }
  return { ref: spec.ref, version: spec.version };
}

async function openFile(path: string): Promise<Blob> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new WkgError("IO", `cannot publish ${path}: ${code === "ENOENT" ? "no such file" : (error as Error).message}`, { cause: error });
  }
  if (info.isDirectory()) {
    throw new WkgError("UNSUPPORTED", `cannot publish ${path}: it is a directory`, {
      hint: "build the WIT package first (`wkg build`) and publish the .wasm it writes",
    });
  }
  return await openAsBlob(path);
}

/** A whole (small, already verified) stream as bytes; the global Response would load Node's bundled undici. */
async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
