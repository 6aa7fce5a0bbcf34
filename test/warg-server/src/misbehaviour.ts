import { randomBytes } from "node:crypto";
import {
  type PrivateKey,
  PrivateKey as Key,
  type SignedCheckpoint,
  decodeLogProofBundle,
  decodeMapProofBundle,
  encodeLogProofBundle,
  encodeMapProofBundle,
  fromBase64,
  signCheckpoint,
  toBase64,
  utf8,
} from "@wasm-pkg/warg-backend/protocol";
import type { FetchedRecord } from "./core.js";

/** Ways the server can lie; each must be caught by a verifying client. */
export const MISBEHAVIOURS = [
  /** The checkpoint's signature does not cover what it claims. */
  "checkpoint-signature",
  /** The checkpoint is signed by a key the operator log never granted. */
  "checkpoint-key",
  /** A package record's signature is replaced by one over other bytes. */
  "record-signature",
  /** A different history with the same packages (a split view). */
  "fork",
  /** An older checkpoint than one already served. */
  "rollback",
  /** Content bytes that do not match their digest. */
  "wrong-content",
  /** `fetch/logs` leaves out the newest record of every package log that has two or more. */
  "withhold",
  /** A log inclusion proof with a wrong hash. */
  "inclusion-proof",
  /** A map inclusion proof with a wrong hash. */
  "map-proof",
  /** A consistency proof with a wrong hash. */
  "consistency-proof",
] as const;

export type Misbehaviour = (typeof MISBEHAVIOURS)[number];

export function badCheckpointSignature(cp: SignedCheckpoint, operatorKey: PrivateKey): SignedCheckpoint {
  const other = signCheckpoint({ ...cp.contents, timestamp: cp.contents.timestamp + 1 }, operatorKey);
  return { ...cp, signature: other.signature };
}

export function strangerCheckpoint(cp: SignedCheckpoint): SignedCheckpoint {
  return signCheckpoint(cp.contents, Key.generate());
}

export function forgeRecordSignatures(packages: Record<string, FetchedRecord[]>, key: PrivateKey): void {
  for (const list of Object.values(packages)) {
    const last = list[list.length - 1];
    if (last) last.signature = key.sign(utf8("not the record"));
  }
}

export function withholdNewest(packages: Record<string, FetchedRecord[]>): void {
  for (const list of Object.values(packages)) if (list.length >= 2) list.pop();
}

function flipFirstHash(bundleBase64: string): string {
  const bundle = decodeLogProofBundle(fromBase64(bundleBase64, "bundle"));
  const [first] = bundle.hashes.keys();
  if (first !== undefined) bundle.hashes.set(first, new Uint8Array(randomBytes(32)));
  return toBase64(encodeLogProofBundle(bundle));
}

export function corruptLogProof(bundle: string): string {
  return flipFirstHash(bundle);
}

export function corruptMapProof(bundleBase64: string): string {
  const proofs = decodeMapProofBundle(fromBase64(bundleBase64, "bundle"));
  const first = proofs[0];
  if (first) first.push(new Uint8Array(randomBytes(32)));
  return toBase64(encodeMapProofBundle(proofs));
}

export function corruptContent(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes);
  if (copy.length > 0) copy[copy.length - 1] = (copy[copy.length - 1] as number) ^ 0xff;
  return copy;
}
