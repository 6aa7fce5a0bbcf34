import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type Envelope,
  type OperatorEntry,
  type OperatorPermission,
  type OperatorRecord,
  type PackageEntry,
  type PackagePermission,
  type PackageRecord,
  PrivateKey,
  PublicKey,
  type Timestamp,
  encodeOperatorRecord,
  encodePackageRecord,
  recordId,
  signEnvelope,
} from "../../src/protocol/index.js";

export const FIXTURES = join(import.meta.dirname, "..", "fixtures", "warg");

export function readFixture<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, path), "utf8")) as T;
}

interface Vector {
  id: string;
  [key: string]: unknown;
}

export function vector<T = Vector>(id: string): T {
  const doc = readFixture<{ vectors: Vector[] }>("derived-vectors.json");
  const found = doc.vectors.find((v) => v.id === id);
  if (!found) throw new Error(`no vector ${id}`);
  return found as T;
}

/** RFC 3339 with nanoseconds -> protobuf Timestamp, exactly (Date would round to ms). */
export function parseTime(text: string): Timestamp {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) throw new Error(`bad time ${text}`);
  const seconds = Date.parse(`${m[1]}${m[3] === "Z" ? "Z" : m[3]}`) / 1000;
  return { seconds, nanos: Number((m[2] ?? "").padEnd(9, "0")) };
}

/** Storage form `"<secs>.<nanos>"` of the output fixtures (nanos not zero-padded). */
export function parseStoredTime(text: string): Timestamp {
  const [s, n] = text.split(".");
  return { seconds: Number(s), nanos: Number(n ?? 0) };
}

const PACKAGE_PERMS: Record<string, PackagePermission> = { PACKAGE_PERMISSION_RELEASE: "release", PACKAGE_PERMISSION_YANK: "yank" };
const OPERATOR_PERMS: Record<string, OperatorPermission> = {
  OPERATOR_PERMISSION_COMMIT: "commit",
  OPERATOR_PERMISSION_DEFINE_NAMESPACE: "defineNamespace",
  OPERATOR_PERMISSION_IMPORT_NAMESPACE: "importNamespace",
};

type Json = Record<string, unknown>;
const field = (o: Json, camel: string, snake: string) => (o[camel] ?? o[snake]) as string;

function packageEntry(e: Json): PackageEntry {
  const [kind, v] = Object.entries(e)[0] as [string, Json];
  switch (kind) {
    case "init":
      return { kind: "init", key: PublicKey.parse(v.key), hashAlgorithm: "sha256" };
    case "grantFlat":
      return { kind: "grant", key: PublicKey.parse(v.key), permissions: (v.permissions as string[]).map((p) => PACKAGE_PERMS[p]!) };
    case "revokeFlat":
      return { kind: "revoke", keyId: field(v, "keyId", "key_id"), permissions: (v.permissions as string[]).map((p) => PACKAGE_PERMS[p]!) };
    case "release":
      return { kind: "release", version: v.version as string, content: field(v, "contentHash", "content_hash") };
    case "yank":
      return { kind: "yank", version: v.version as string };
  }
  throw new Error(`unknown entry ${kind}`);
}

function operatorEntry(e: Json): OperatorEntry {
  const [kind, v] = Object.entries(e)[0] as [string, Json];
  switch (kind) {
    case "init":
      return { kind: "init", key: PublicKey.parse(v.key), hashAlgorithm: "sha256" };
    case "grantFlat":
      return { kind: "grant", key: PublicKey.parse(v.key), permissions: (v.permissions as string[]).map((p) => OPERATOR_PERMS[p]!) };
    case "revokeFlat":
      return {
        kind: "revoke",
        keyId: field(v, "keyId", "key_id"),
        permissions: (v.permissions as string[]).map((p) => OPERATOR_PERMS[p]!),
      };
  }
  throw new Error(`unknown entry ${kind}`);
}

export interface FixtureRecord {
  key: PrivateKey;
  contentBytes: Uint8Array;
  recordId: string;
  envelope: Envelope;
}

/** Replay-ready records of a log fixture: `prev` chained, encoded, signed with the entry's key. */
export function fixtureRecords(kind: "package" | "operator", path: string): FixtureRecord[] {
  const input = readFixture<Array<{ key: string; contents: Json }>>(path);
  const out: FixtureRecord[] = [];
  let prev: string | undefined;
  for (const item of input) {
    const key = PrivateKey.parse(item.key);
    const c = item.contents;
    const base = { ...(prev === undefined ? {} : { prev }), version: c.version as number, time: parseTime(c.time as string) };
    const contentBytes =
      kind === "package"
        ? encodePackageRecord({ ...base, entries: (c.entries as Json[]).map(packageEntry) } as PackageRecord)
        : encodeOperatorRecord({ ...base, entries: (c.entries as Json[]).map(operatorEntry) } as OperatorRecord);
    const id = recordId(kind, contentBytes);
    out.push({ key, contentBytes, recordId: id, envelope: signEnvelope(kind, contentBytes, key) });
    prev = id;
  }
  return out;
}
