export { ErrorCodes, WkgError, isWkgError, isAbortError, wrapError } from "./errors.js";
export type { WkgErrorCode, WkgErrorOptions } from "./errors.js";
export { redact, redactUrl, registerSecret } from "./redact.js";
export { PackageRef, isLabel, labelProblem, parseLabel } from "./package-ref.js";
export { Version, VersionReq, sortByVersion } from "./version.js";
export { Digest, DigestHasher, verifyDigest } from "./digest.js";
export type { VerifyOptions } from "./digest.js";
export { hashFile } from "./hash-file.js";
export type { HashFileOptions } from "./hash-file.js";
export { Registry, isLoopbackHost } from "./registry.js";
export { noopLogger, withProgress } from "./events.js";
export type { Logger, WkgEvent } from "./events.js";
export { filterMatching, listMatchingVersions, pickHighest, streamContent } from "./backend.js";
export type {
  Backend,
  BackendContext,
  BackendFactory,
  CallOptions,
  ContentStream,
  MatchOptions,
  PackageLoader,
  PackagePublisher,
  PackageSource,
  PublishOptions,
  PublishResult,
  PublishSource,
  Release,
  TransportDefaults,
  VersionInfo,
} from "./backend.js";
export { joinInside, placeFile, safeSegment, sweepStaleTemps, tempPathFor, writeFileAtomic } from "./fs.js";
export type { AtomicWriteOptions } from "./fs.js";
export { PackageSpec } from "./package-spec.js";
export { formatKey, locateKey, parseTomlDocument, splitKey, tomlString } from "./toml.js";
export { withFileLock } from "./lock.js";
export type { FileLockOptions } from "./lock.js";
