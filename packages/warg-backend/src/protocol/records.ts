import { Version } from "@wasm-pkg/common";
import { fromBase64, lp, malformed, toBase64, utf8 } from "./bytes.js";
import { checkAnyHash, hashText, sha256 } from "./hash.js";
import { type PrivateKey, PublicKey, signingMessage } from "./keys.js";
import { type Field, ProtoReader, ProtoWriter, WireType } from "./protobuf.js";

/**
 * Package and operator records (`warg.protocol` protobuf messages), their ids and the
 * signed envelopes they travel in. Decoding also converts field values into protocol
 * types (keys, versions, hashes), so a record that decodes is well-formed.
 */

export interface Timestamp {
  seconds: number;
  nanos: number;
}

export type PackagePermission = "release" | "yank";
export type OperatorPermission = "commit" | "defineNamespace" | "importNamespace";

export type PackageEntry =
  | { kind: "init"; key: PublicKey; hashAlgorithm: "sha256" }
  | { kind: "grant"; key: PublicKey; permissions: PackagePermission[] }
  | { kind: "revoke"; keyId: string; permissions: PackagePermission[] }
  | { kind: "release"; version: string; content: string }
  | { kind: "yank"; version: string };

export type OperatorEntry =
  | { kind: "init"; key: PublicKey; hashAlgorithm: "sha256" }
  | { kind: "grant"; key: PublicKey; permissions: OperatorPermission[] }
  | { kind: "revoke"; keyId: string; permissions: OperatorPermission[] }
  | { kind: "defineNamespace"; namespace: string }
  | { kind: "importNamespace"; namespace: string; registry: string };

export interface LogRecord<E> {
  /** Record id of the previous record of the same log; absent on the first. */
  prev?: string;
  /** Protocol version; only 0 exists. */
  version: number;
  time: Timestamp;
  entries: E[];
}

export type PackageRecord = LogRecord<PackageEntry>;
export type OperatorRecord = LogRecord<OperatorEntry>;

/** A signed record: the exact protobuf bytes, who signed them and the signature. */
export interface Envelope {
  contentBytes: Uint8Array;
  keyId: string;
  signature: string;
}

/** An envelope as the registry returns it from `fetch/logs`. */
export interface PublishedEnvelope extends Envelope {
  registryIndex: number;
  fetchToken: string;
}

export const SIGNATURE_PREFIX = {
  package: "WARG-PACKAGE-RECORD-SIGNATURE-V0",
  operator: "WARG-OPERATOR-RECORD-SIGNATURE-V0",
} as const;

const RECORD_ID_PREFIX = {
  package: "WARG-PACKAGE-LOG-RECORD-V0:",
  operator: "WARG-OPERATOR-LOG-RECORD-V0:",
} as const;

export type LogKind = keyof typeof SIGNATURE_PREFIX;

const PACKAGE_PERMISSIONS: Record<number, PackagePermission> = { 1: "release", 2: "yank" };
const OPERATOR_PERMISSIONS: Record<number, OperatorPermission> = { 1: "commit", 2: "defineNamespace", 3: "importNamespace" };

// ---------------------------------------------------------------- ids

/** Record id = SHA-256 of a tag and the envelope's original bytes (never a re-encoding). */
export function recordId(kind: LogKind, contentBytes: Uint8Array): string {
  return hashText(sha256(utf8(RECORD_ID_PREFIX[kind]), contentBytes));
}

export const OPERATOR_LOG_ID = hashText(sha256(utf8("WARG-OPERATOR-LOG-ID-V0")));

/** Note the colon after the first tag only, and the length prefix on the name. */
export function packageLogId(name: string): string {
  return hashText(sha256(utf8("WARG-PACKAGE-LOG-ID-V0:"), utf8("WARG-PACKAGE-ID-V0"), lp(name)));
}

// ---------------------------------------------------------------- encoding

function encodeTimestamp(time: Timestamp): Uint8Array {
  return new ProtoWriter().uint(1, BigInt(time.seconds)).uint(2, BigInt(time.nanos)).finish();
}

function permissionCodes<P extends string>(permissions: P[], table: Record<number, P>): number[] {
  return permissions.map((p) => {
    const code = Object.entries(table).find(([, name]) => name === p)?.[0];
    if (code === undefined) throw new RangeError(`unknown permission ${p}`);
    return Number(code);
  });
}

function encodePackageEntry(entry: PackageEntry): Uint8Array {
  const w = new ProtoWriter();
  switch (entry.kind) {
    case "init":
      return w.message(1, new ProtoWriter().string(1, entry.key.text).string(2, entry.hashAlgorithm).finish()).finish();
    case "grant":
      return w
        .message(2, new ProtoWriter().string(1, entry.key.text).packed(2, permissionCodes(entry.permissions, PACKAGE_PERMISSIONS)).finish())
        .finish();
    case "revoke":
      return w
        .message(3, new ProtoWriter().string(1, entry.keyId).packed(2, permissionCodes(entry.permissions, PACKAGE_PERMISSIONS)).finish())
        .finish();
    case "release":
      return w.message(4, new ProtoWriter().string(1, entry.version).string(2, entry.content).finish()).finish();
    case "yank":
      return w.message(5, new ProtoWriter().string(1, entry.version).finish()).finish();
  }
}

function encodeOperatorEntry(entry: OperatorEntry): Uint8Array {
  const w = new ProtoWriter();
  switch (entry.kind) {
    // Field numbers of OperatorInit are swapped compared with PackageInit.
    case "init":
      return w.message(1, new ProtoWriter().string(1, entry.hashAlgorithm).string(2, entry.key.text).finish()).finish();
    case "grant":
      return w
        .message(
          2,
          new ProtoWriter().string(1, entry.key.text).packed(2, permissionCodes(entry.permissions, OPERATOR_PERMISSIONS)).finish(),
        )
        .finish();
    case "revoke":
      return w
        .message(3, new ProtoWriter().string(1, entry.keyId).packed(2, permissionCodes(entry.permissions, OPERATOR_PERMISSIONS)).finish())
        .finish();
    case "defineNamespace":
      return w.message(4, new ProtoWriter().string(1, entry.namespace).finish()).finish();
    case "importNamespace":
      return w.message(5, new ProtoWriter().string(1, entry.namespace).string(2, entry.registry).finish()).finish();
  }
}

function encodeRecord<E>(record: LogRecord<E>, encodeEntry: (entry: E) => Uint8Array): Uint8Array {
  const w = new ProtoWriter();
  if (record.prev !== undefined) w.string(1, record.prev, true);
  w.uint(2, record.version);
  w.message(3, encodeTimestamp(record.time));
  for (const entry of record.entries) w.message(4, encodeEntry(entry));
  return w.finish();
}

export function encodePackageRecord(record: PackageRecord): Uint8Array {
  return encodeRecord(record, encodePackageEntry);
}

export function encodeOperatorRecord(record: OperatorRecord): Uint8Array {
  return encodeRecord(record, encodeOperatorEntry);
}

// ---------------------------------------------------------------- decoding

function decodeTimestamp(bytes: Uint8Array, what: string, into: Timestamp): void {
  const r = new ProtoReader(bytes, what);
  while (!r.done) {
    const f = r.next();
    if (f.field === 1) into.seconds = r.int64(f);
    else if (f.field === 2) into.nanos = r.int32(f);
    else r.skip(f);
  }
  if (into.nanos < 0 || into.nanos > 999_999_999) throw malformed(`${what} has nanos out of range: ${into.nanos}`);
}

/** Fields of one entry sub-message as raw strings and permission codes. */
interface RawEntryFields {
  s1?: string;
  s2?: string;
  perms: number[];
}

function readEntryFields(r: ProtoReader, f: Field, what: string, permsField: boolean): RawEntryFields {
  const inner = new ProtoReader(r.bytes(f), what);
  const out: RawEntryFields = { perms: [] };
  while (!inner.done) {
    const g = inner.next();
    if (g.field === 1) out.s1 = inner.string(g);
    else if (g.field === 2 && permsField) inner.repeatedUint32(g, out.perms);
    else if (g.field === 2) out.s2 = inner.string(g);
    else inner.skip(g);
  }
  return out;
}

function perms<P>(codes: number[], table: Record<number, P>, what: string): P[] {
  return codes.map((code) => {
    const p = table[code];
    if (p === undefined) throw malformed(`${what} has an invalid permission (${code})`);
    return p;
  });
}

function hashAlgorithm(value: string | undefined, what: string): "sha256" {
  if (value !== "sha256") throw malformed(`${what} names an unsupported hash algorithm ${JSON.stringify(value ?? "")}`);
  return "sha256";
}

function semver(value: string | undefined, what: string): string {
  if (value === undefined || !Version.isValid(value)) throw malformed(`${what} has an invalid version ${JSON.stringify(value ?? "")}`);
  return value;
}

function decodePackageEntry(bytes: Uint8Array, what: string): PackageEntry {
  const r = new ProtoReader(bytes, what);
  let entry: PackageEntry | undefined;
  while (!r.done) {
    const f = r.next();
    if (f.field < 1 || f.field > 5) {
      r.skip(f);
      continue;
    }
    r.expect(f, WireType.LEN);
    const e = readEntryFields(r, f, what, f.field === 2 || f.field === 3);
    switch (f.field) {
      case 1:
        entry = { kind: "init", key: PublicKey.parse(e.s1 ?? "", `${what} init key`), hashAlgorithm: hashAlgorithm(e.s2, what) };
        break;
      case 2:
        entry = {
          kind: "grant",
          key: PublicKey.parse(e.s1 ?? "", `${what} grant key`),
          permissions: perms(e.perms, PACKAGE_PERMISSIONS, what),
        };
        break;
      case 3:
        entry = { kind: "revoke", keyId: e.s1 ?? "", permissions: perms(e.perms, PACKAGE_PERMISSIONS, what) };
        break;
      case 4:
        entry = { kind: "release", version: semver(e.s1, what), content: checkAnyHash(e.s2, `${what} content digest`) };
        break;
      case 5:
        entry = { kind: "yank", version: semver(e.s1, what) };
        break;
    }
  }
  if (!entry) throw malformed(`${what} is empty`);
  return entry;
}

function decodeOperatorEntry(bytes: Uint8Array, what: string): OperatorEntry {
  const r = new ProtoReader(bytes, what);
  let entry: OperatorEntry | undefined;
  while (!r.done) {
    const f = r.next();
    if (f.field < 1 || f.field > 5) {
      r.skip(f);
      continue;
    }
    r.expect(f, WireType.LEN);
    const e = readEntryFields(r, f, what, f.field === 2 || f.field === 3);
    switch (f.field) {
      case 1:
        entry = { kind: "init", hashAlgorithm: hashAlgorithm(e.s1, what), key: PublicKey.parse(e.s2 ?? "", `${what} init key`) };
        break;
      case 2:
        entry = {
          kind: "grant",
          key: PublicKey.parse(e.s1 ?? "", `${what} grant key`),
          permissions: perms(e.perms, OPERATOR_PERMISSIONS, what),
        };
        break;
      case 3:
        entry = { kind: "revoke", keyId: e.s1 ?? "", permissions: perms(e.perms, OPERATOR_PERMISSIONS, what) };
        break;
      case 4:
        entry = { kind: "defineNamespace", namespace: e.s1 ?? "" };
        break;
      case 5:
        entry = { kind: "importNamespace", namespace: e.s1 ?? "", registry: e.s2 ?? "" };
        break;
    }
  }
  if (!entry) throw malformed(`${what} is empty`);
  return entry;
}

function decodeRecord<E>(bytes: Uint8Array, what: string, decodeEntry: (bytes: Uint8Array, what: string) => E): LogRecord<E> {
  const r = new ProtoReader(bytes, what);
  let prev: string | undefined;
  let version = 0;
  let time: Timestamp | undefined;
  const entries: E[] = [];
  while (!r.done) {
    const f = r.next();
    switch (f.field) {
      case 1:
        prev = r.string(f);
        break;
      case 2:
        version = r.uint32(f);
        break;
      case 3:
        // Repeated occurrences of a message field merge, as in any protobuf decoder.
        time ??= { seconds: 0, nanos: 0 };
        decodeTimestamp(r.bytes(f), `${what} time`, time);
        break;
      case 4:
        entries.push(decodeEntry(r.bytes(f), `${what} entry ${entries.length}`));
        break;
      default:
        r.skip(f);
    }
  }
  if (!time) throw malformed(`${what} has no timestamp`);
  if (prev !== undefined) checkAnyHash(prev, `${what} prev`);
  return { ...(prev === undefined ? {} : { prev }), version, time, entries };
}

export function decodePackageRecord(bytes: Uint8Array): PackageRecord {
  return decodeRecord(bytes, "package record", decodePackageEntry);
}

export function decodeOperatorRecord(bytes: Uint8Array): OperatorRecord {
  return decodeRecord(bytes, "operator record", decodeOperatorEntry);
}

// ---------------------------------------------------------------- envelopes

export function signEnvelope(kind: LogKind, contentBytes: Uint8Array, key: PrivateKey): Envelope {
  return {
    contentBytes,
    keyId: key.publicKey.keyId,
    signature: key.sign(signingMessage(SIGNATURE_PREFIX[kind], contentBytes)),
  };
}

export function signPackageRecord(record: PackageRecord, key: PrivateKey): Envelope {
  return signEnvelope("package", encodePackageRecord(record), key);
}

export function signOperatorRecord(record: OperatorRecord, key: PrivateKey): Envelope {
  return signEnvelope("operator", encodeOperatorRecord(record), key);
}

export interface EnvelopeJson {
  contentBytes: string;
  keyId: string;
  signature: string;
}

export function envelopeToJson(envelope: Envelope): EnvelopeJson {
  return { contentBytes: toBase64(envelope.contentBytes), keyId: envelope.keyId, signature: envelope.signature };
}

export function envelopeFromJson(value: unknown, what: string): Envelope {
  if (typeof value !== "object" || value === null) throw malformed(`${what} is not an object`);
  const v = value as Record<string, unknown>;
  if (typeof v.contentBytes !== "string") throw malformed(`${what} has no contentBytes`);
  if (typeof v.keyId !== "string") throw malformed(`${what} has no keyId`);
  if (typeof v.signature !== "string") throw malformed(`${what} has no signature`);
  return { contentBytes: fromBase64(v.contentBytes, `${what} contentBytes`), keyId: v.keyId, signature: v.signature };
}

export function publishedEnvelopeFromJson(value: unknown, what: string): PublishedEnvelope {
  const envelope = envelopeFromJson(value, what);
  const v = value as Record<string, unknown>;
  if (!Number.isSafeInteger(v.registryIndex) || (v.registryIndex as number) < 0) throw malformed(`${what} has no valid registryIndex`);
  if (typeof v.fetchToken !== "string") throw malformed(`${what} has no fetchToken`);
  return { ...envelope, registryIndex: v.registryIndex as number, fetchToken: v.fetchToken };
}

/** Timestamp order: seconds, then nanos. */
export function compareTime(a: Timestamp, b: Timestamp): number {
  return a.seconds !== b.seconds ? a.seconds - b.seconds : a.nanos - b.nanos;
}

export function timeFromDate(date: Date): Timestamp {
  const ms = date.getTime();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}
