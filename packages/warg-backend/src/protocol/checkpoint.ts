import { concat, lp, malformed, uleb, utf8 } from "./bytes.js";
import { checkAnyHash, hashText, sha256 } from "./hash.js";
import { type PrivateKey, type PublicKey, signingMessage } from "./keys.js";

/** What a registry commits to: the first `logLength` leaves of its log and its map after them. */
export interface Checkpoint {
  logRoot: string;
  logLength: number;
  mapRoot: string;
}

export interface TimestampedCheckpoint extends Checkpoint {
  /** Whole seconds since the Unix epoch. */
  timestamp: number;
}

/** The JSON envelope of `GET v1/fetch/checkpoint`. */
export interface SignedCheckpoint {
  contents: TimestampedCheckpoint;
  keyId: string;
  signature: string;
}

export const CHECKPOINT_SIGNATURE_PREFIX = "WARG-CHECKPOINT-SIGNATURE-V0";

/** Storage id encoding (the reference server keys checkpoints by its hash). */
export function checkpointEncoding(cp: Checkpoint): Uint8Array {
  return concat(utf8("WARG-CHECKPOINT-V0"), uleb(cp.logLength), lp(cp.logRoot), lp(cp.mapRoot));
}

export function checkpointId(cp: Checkpoint): string {
  return hashText(sha256(checkpointEncoding(cp)));
}

/** The encoding that is signed; re-built from parsed values, never taken from JSON text. */
export function timestampedCheckpointEncoding(cp: TimestampedCheckpoint): Uint8Array {
  return concat(utf8("WARG-TIMESTAMPED-CHECKPOINT-V0"), uleb(cp.logLength), lp(cp.logRoot), lp(cp.mapRoot), uleb(cp.timestamp));
}

export function checkpointSigningMessage(cp: TimestampedCheckpoint): Uint8Array {
  return signingMessage(CHECKPOINT_SIGNATURE_PREFIX, timestampedCheckpointEncoding(cp));
}

export function signCheckpoint(contents: TimestampedCheckpoint, key: PrivateKey): SignedCheckpoint {
  return { contents, keyId: key.publicKey.keyId, signature: key.sign(checkpointSigningMessage(contents)) };
}

export function verifyCheckpointSignature(cp: SignedCheckpoint, key: PublicKey): boolean {
  return key.verify(checkpointSigningMessage(cp.contents), cp.signature);
}

function uint(value: unknown, what: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw malformed(`${what} is not a non-negative integer`);
  return value as number;
}

/** Validate the JSON of a signed checkpoint. */
export function parseSignedCheckpoint(value: unknown, what = "checkpoint"): SignedCheckpoint {
  if (typeof value !== "object" || value === null) throw malformed(`${what} is not a JSON object`);
  const v = value as Record<string, unknown>;
  const c = v.contents as Record<string, unknown> | undefined;
  if (typeof c !== "object" || c === null) throw malformed(`${what} has no contents`);
  if (typeof v.keyId !== "string") throw malformed(`${what} has no keyId`);
  if (typeof v.signature !== "string") throw malformed(`${what} has no signature`);
  return {
    contents: {
      logRoot: checkAnyHash(c.logRoot, `${what} logRoot`),
      logLength: uint(c.logLength, `${what} logLength`),
      mapRoot: checkAnyHash(c.mapRoot, `${what} mapRoot`),
      timestamp: uint(c.timestamp, `${what} timestamp`),
    },
    keyId: v.keyId,
    signature: v.signature,
  };
}
