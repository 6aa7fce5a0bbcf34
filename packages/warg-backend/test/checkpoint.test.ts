import { describe, expect, it } from "vitest";
import {
  OPERATOR_LOG_ID,
  PrivateKey,
  checkpointId,
  checkpointEncoding,
  checkpointSigningMessage,
  hashText,
  logLeafHash,
  logLeafValue,
  parseSignedCheckpoint,
  signCheckpoint,
  timestampedCheckpointEncoding,
  toHex,
  verifyCheckpointSignature,
} from "../src/protocol/index.js";
import { vector } from "./helpers/fixtures.js";

interface Single {
  input: { logId: string; recordId: string; timestamp: number };
  output: {
    logLeafValueHex: string;
    logLeafValueLength: number;
    logRoot: string;
    checkpoint: { logLength: number; logRoot: string; mapRoot: string; timestamp: number };
    checkpointEncodingHex: string;
    checkpointId: string;
    timestampedCheckpointEncodingHex: string;
    checkpointSignedMessageHex: string;
  };
}

describe("checkpoints", () => {
  const v = vector<Single>("registry.single-operator-record");

  it("encode the single-record registry as the vectors", () => {
    expect(v.input.logId).toBe(OPERATOR_LOG_ID);
    const leaf = logLeafValue(v.input.logId, v.input.recordId);
    expect(leaf.byteLength).toBe(v.output.logLeafValueLength);
    expect(toHex(leaf)).toBe(v.output.logLeafValueHex);
    expect(hashText(logLeafHash(v.input.logId, v.input.recordId))).toBe(v.output.logRoot);
    expect(toHex(checkpointEncoding(v.output.checkpoint))).toBe(v.output.checkpointEncodingHex);
    expect(checkpointId(v.output.checkpoint)).toBe(v.output.checkpointId);
    expect(toHex(timestampedCheckpointEncoding(v.output.checkpoint))).toBe(v.output.timestampedCheckpointEncodingHex);
    expect(checkpointSigningMessage(v.output.checkpoint).byteLength).toBe(209);
    expect(toHex(checkpointSigningMessage(v.output.checkpoint))).toBe(v.output.checkpointSignedMessageHex);
  });

  it("sign and verify, and any changed field breaks the signature", () => {
    const key = PrivateKey.generate();
    const signed = parseSignedCheckpoint(JSON.parse(JSON.stringify(signCheckpoint(v.output.checkpoint, key))));
    expect(verifyCheckpointSignature(signed, key.publicKey)).toBe(true);
    expect(verifyCheckpointSignature({ ...signed, contents: { ...signed.contents, timestamp: 1 } }, key.publicKey)).toBe(false);
    expect(verifyCheckpointSignature({ ...signed, contents: { ...signed.contents, logLength: 2 } }, key.publicKey)).toBe(false);
    expect(verifyCheckpointSignature(signed, PrivateKey.generate().publicKey)).toBe(false);
  });

  it("reject malformed checkpoint JSON", () => {
    expect(() => parseSignedCheckpoint({ contents: { ...v.output.checkpoint, logLength: -1 }, keyId: "k", signature: "s" })).toThrow(
      /logLength is not a non-negative integer/,
    );
    expect(() => parseSignedCheckpoint({ contents: { ...v.output.checkpoint, logRoot: "abc" }, keyId: "k", signature: "s" })).toThrow(
      /logRoot is not a sha256 hash/,
    );
    expect(() => parseSignedCheckpoint("x")).toThrow(/not a JSON object/);
  });
});
