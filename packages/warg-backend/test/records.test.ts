import { describe, expect, it } from "vitest";
import {
  PrivateKey,
  decodeOperatorRecord,
  decodePackageRecord,
  encodeOperatorRecord,
  encodePackageRecord,
  envelopeFromJson,
  envelopeToJson,
  fromHex,
  recordId,
  toBase64,
  toHex,
} from "../src/protocol/index.js";
import { fixtureRecords, vector } from "./helpers/fixtures.js";

interface RecordVector {
  input: { fixture: string };
  output: Array<{ prev: string | null; contentBytesHex: string; contentBytesBase64: string; recordId: string }>;
}

const CASES = [
  ["package", "records.package-logs.minimal"],
  ["package", "records.package-logs.longer"],
  ["operator", "records.operator-logs.minimal"],
  ["operator", "records.operator-logs.longer"],
] as const;

describe("record encoding", () => {
  for (const [kind, id] of CASES) {
    it(`reproduces the bytes and record ids of ${id}`, () => {
      const v = vector<RecordVector>(id);
      const records = fixtureRecords(kind, v.input.fixture);
      expect(records.map((r) => toHex(r.contentBytes))).toEqual(v.output.map((o) => o.contentBytesHex));
      expect(records.map((r) => toBase64(r.contentBytes))).toEqual(v.output.map((o) => o.contentBytesBase64));
      expect(records.map((r) => r.recordId)).toEqual(v.output.map((o) => o.recordId));
    });

    it(`decodes ${id} and re-encodes it byte for byte`, () => {
      for (const o of vector<RecordVector>(id).output) {
        const bytes = fromHex(o.contentBytesHex);
        const again =
          kind === "package" ? encodePackageRecord(decodePackageRecord(bytes)) : encodeOperatorRecord(decodeOperatorRecord(bytes));
        expect(toHex(again)).toBe(o.contentBytesHex);
        expect(recordId(kind, bytes)).toBe(o.recordId);
      }
    });
  }

  it("decodes the fields of a release record", () => {
    const v = vector<RecordVector>("records.package-logs.longer");
    const record = decodePackageRecord(fromHex(v.output[1]!.contentBytesHex));
    expect(record.prev).toBe(v.output[0]!.recordId);
    expect(record.time).toEqual({ seconds: 1671221120, nanos: 153436500 });
    expect(record.entries).toEqual([
      { kind: "release", version: "1.0.0", content: "sha256:7d38b5cd25a2baf85ad3bb5b9311383e671a8a142eb302b324d4a5fba8748c69" },
    ]);
  });

  it("accepts unpacked repeated enums and skips unknown fields", () => {
    // grant_flat with permissions written unpacked (tag 0x10) and an unknown field 9 in the record.
    const key = PrivateKey.generate().publicKey.text;
    const keyBytes = Buffer.from(key);
    const grant = Uint8Array.of(0x0a, keyBytes.length, ...keyBytes, 0x10, 0x01, 0x10, 0x02);
    const entry = Uint8Array.of(0x12, grant.length, ...grant);
    const time = Uint8Array.of(0x08, 0x01);
    const bytes = Uint8Array.of(0x1a, time.length, ...time, 0x22, entry.length, ...entry, 0x48, 0x07);
    expect(decodePackageRecord(bytes).entries).toEqual([
      { kind: "grant", key: expect.objectContaining({ text: key }), permissions: ["release", "yank"] },
    ]);
  });

  it("rejects records it cannot trust to mean one thing", () => {
    expect(() => decodePackageRecord(Uint8Array.of(0x10, 0x00))).toThrow(/no timestamp/);
    expect(() => decodePackageRecord(Uint8Array.of(0x1a, 0x00, 0x22, 0x00))).toThrow(/entry 0 is empty/);
    expect(() => decodePackageRecord(Uint8Array.of(0x1a, 0x05, 0x08))).toThrow(/runs past the end|truncated/);
    // permission 0 (UNSPECIFIED)
    const key = Buffer.from(PrivateKey.generate().publicKey.text);
    const grant = Uint8Array.of(0x0a, key.length, ...key, 0x12, 0x01, 0x00);
    expect(() => decodePackageRecord(Uint8Array.of(0x1a, 0x00, 0x22, grant.length + 2, 0x12, grant.length, ...grant))).toThrow(
      /invalid permission \(0\)/,
    );
    // release with a version that is not semver
    const rel = Uint8Array.of(0x0a, 0x01, 0x31);
    expect(() => decodePackageRecord(Uint8Array.of(0x1a, 0x00, 0x22, rel.length + 2, 0x22, rel.length, ...rel))).toThrow(/invalid version/);
  });

  it("round-trips envelopes through their JSON form", () => {
    const [record] = fixtureRecords("package", "package-logs/minimal.json");
    const json = envelopeToJson(record!.envelope);
    expect(envelopeFromJson(JSON.parse(JSON.stringify(json)), "envelope")).toEqual(record!.envelope);
    expect(() => envelopeFromJson({ ...json, contentBytes: "%%%" }, "envelope")).toThrow(/envelope contentBytes is not valid base64/);
  });
});
