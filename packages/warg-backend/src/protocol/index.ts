/**
 * The Warg protocol, pure: encodings, keys and signatures, records and their validators,
 * the registry log and the verifiable map, checkpoints and proof bundles. The backend
 * uses it to verify; the in-repo test server uses it to produce.
 */
export { bytesEqual, concat, fromBase64, fromHex, lp, toBase64, toHex, uleb, utf8 } from "./bytes.js";
export { checkAnyHash, hashText, isAnyHash, parseAnyHash, sha256 } from "./hash.js";
export { ALGORITHM, PrivateKey, PublicKey, keyIdOf, parseSignature, signingMessage } from "./keys.js";
export {
  OPERATOR_LOG_ID,
  SIGNATURE_PREFIX,
  compareTime,
  decodeOperatorRecord,
  decodePackageRecord,
  encodeOperatorRecord,
  encodePackageRecord,
  envelopeFromJson,
  envelopeToJson,
  packageLogId,
  publishedEnvelopeFromJson,
  recordId,
  signEnvelope,
  signOperatorRecord,
  signPackageRecord,
  timeFromDate,
} from "./records.js";
export type {
  Envelope,
  EnvelopeJson,
  LogKind,
  LogRecord,
  OperatorEntry,
  OperatorPermission,
  OperatorRecord,
  PackageEntry,
  PackagePermission,
  PackageRecord,
  PublishedEnvelope,
  Timestamp,
} from "./records.js";
export { logError, logErrorKind } from "./log-error.js";
export type { LogErrorKind } from "./log-error.js";
export type { Head } from "./log-header.js";
export { PackageLog } from "./package-log.js";
export type { PackageRelease, ReleaseState } from "./package-log.js";
export { OperatorLog } from "./operator-log.js";
export type { NamespaceState } from "./operator-log.js";
export {
  EMPTY_LOG_ROOT,
  balancedRoots,
  branchHash,
  children,
  consistencyNodes,
  evaluateInclusion,
  foldRoots,
  height,
  inclusionWalk,
  isLeftChild,
  leafHash,
  leftmostDescendant,
  logLeafHash,
  logLeafValue,
  nodeExists,
  parent,
  rightmostDescendant,
  sibling,
  verifyConsistency,
  walkNodes,
} from "./log-tree.js";
export type { InclusionWalk, NodeHashes } from "./log-tree.js";
export { MAP_DEPTH, emptyHash, evaluateMapProof, keyBit, mapKey, mapLeafHash, mapLeafValue } from "./sparse-map.js";
export {
  CHECKPOINT_SIGNATURE_PREFIX,
  checkpointEncoding,
  checkpointId,
  checkpointSigningMessage,
  parseSignedCheckpoint,
  signCheckpoint,
  timestampedCheckpointEncoding,
  verifyCheckpointSignature,
} from "./checkpoint.js";
export type { Checkpoint, SignedCheckpoint, TimestampedCheckpoint } from "./checkpoint.js";
export { decodeLogProofBundle, decodeMapProofBundle, encodeLogProofBundle, encodeMapProofBundle } from "./proof-bundle.js";
export type { LogProofBundle, MapProofBundle } from "./proof-bundle.js";
