import { describe, expect, it } from "vitest";
import {
  OPERATOR_LOG_ID,
  emptyHash,
  evaluateMapProof,
  hashText,
  mapKey,
  mapLeafHash,
  mapLeafValue,
  packageLogId,
  sha256,
  toHex,
  utf8,
} from "../src/protocol/index.js";
import { vector } from "./helpers/fixtures.js";
import { smtProof, smtRoot } from "./helpers/naive.js";

interface Single {
  input: { logId: string; recordId: string };
  output: { mapKeyHex: string; mapLeafValueHex: string; mapLeafHash: string; mapRoot: string };
}

describe("verifiable map", () => {
  it("has the empty subtree hashes of the vectors", () => {
    for (const c of vector<{ cases: Array<{ height: number; hashHex: string }> }>("smt.empty-subtree-hashes").cases) {
      expect(toHex(emptyHash(c.height))).toBe(c.hashHex);
    }
  });

  it("reproduces the single-record registry map", () => {
    const v = vector<Single>("registry.single-operator-record");
    expect(toHex(mapKey(v.input.logId))).toBe(v.output.mapKeyHex);
    expect(toHex(mapLeafValue(v.input.recordId))).toBe(v.output.mapLeafValueHex);
    expect(hashText(mapLeafHash(v.input.recordId))).toBe(v.output.mapLeafHash);
    const root = smtRoot([{ key: mapKey(v.input.logId), leaf: mapLeafHash(v.input.recordId) }]);
    expect(hashText(root)).toBe(v.output.mapRoot);
    expect(hashText(evaluateMapProof(v.input.logId, v.input.recordId, []))).toBe(v.output.mapRoot);
  });

  it("evaluates proofs with and without compressed empty siblings", () => {
    const logs = [OPERATOR_LOG_ID, ...Array.from({ length: 12 }, (_, i) => packageLogId(`test:pkg${i}`))];
    const entries = logs.map((logId, i) => ({ logId, recordId: hashText(sha256(utf8(`record ${i}`))) }));
    const tree = entries.map((e) => ({ key: mapKey(e.logId), leaf: mapLeafHash(e.recordId) }));
    const root = smtRoot(tree);
    for (const e of entries) {
      const proof = smtProof(tree, mapKey(e.logId));
      expect(proof.length).toBeLessThan(20);
      expect(evaluateMapProof(e.logId, e.recordId, proof)).toEqual(root);
      // The same proof with explicit empty hashes instead of absent ones means the same.
      const explicit = proof.map((h, i) => h ?? emptyHash(256 - proof.length + i));
      expect(evaluateMapProof(e.logId, e.recordId, explicit)).toEqual(root);
      // A stale value for the log does not evaluate to the root.
      expect(evaluateMapProof(e.logId, hashText(sha256(utf8("stale"))), proof)).not.toEqual(root);
    }
    expect(() => evaluateMapProof(OPERATOR_LOG_ID, entries[0]!.recordId, Array(257).fill(undefined))).toThrow(/more than the tree is deep/);
  });
});
