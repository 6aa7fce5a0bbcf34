import { describe, expect, it } from "vitest";
import {
  balancedRoots,
  consistencyNodes,
  evaluateInclusion,
  foldRoots,
  inclusionWalk,
  leafHash,
  nodeExists,
  toHex,
  utf8,
  verifyConsistency,
  walkNodes,
} from "../src/protocol/index.js";
import { vector } from "./helpers/fixtures.js";
import { mth, nodeHash } from "./helpers/naive.js";

const STRING_LEAVES = vector<{ input: { leaves: string[] } }>("merkle.roots-25-string-leaves").input.leaves;

function leaves(values: string[]): Uint8Array[] {
  return values.map((v) => leafHash(utf8(v)));
}

function hashesFor(nodes: number[], all: Uint8Array[]): Map<number, Uint8Array> {
  return new Map(nodes.map((n) => [n, nodeHash(n, all)]));
}

describe("log roots", () => {
  it("match the RFC 6962 vectors for the 25 upstream leaves", () => {
    const cases = vector<{ cases: Array<{ n: number; rootHex: string }> }>("merkle.roots-25-string-leaves").cases;
    for (const c of cases) {
      const all = leaves(STRING_LEAVES.slice(0, c.n));
      expect(toHex(mth(all))).toBe(c.rootHex);
      expect(toHex(foldRoots(balancedRoots(c.n).map((r) => nodeHash(r, all))))).toBe(c.rootHex);
    }
  });

  it("match the single-byte leaf vectors", () => {
    for (const id of ["merkle.root-bytes-100-102-104", "merkle.root-bytes-100-to-112"]) {
      const v = vector<{ input: { leavesHex: string[] }; output: string }>(id);
      const all = v.input.leavesHex.map((h) => leafHash(Buffer.from(h, "hex")));
      expect(toHex(foldRoots(balancedRoots(all.length).map((r) => nodeHash(r, all))))).toBe(v.output);
    }
  });
});

describe("node arithmetic", () => {
  it("finds the balanced roots of the upstream test", () => {
    for (const c of vector<{ cases: Array<{ L: number; nodes: number[] }> }>("merkle.balanced-roots").cases) {
      expect(balancedRoots(c.L)).toEqual(c.nodes);
    }
  });

  it("walks leaf node 6 of a log of 7 as upstream", () => {
    const v = vector<{ input: { node: number; L: number }; output: number[] }>("merkle.inclusion-walk");
    expect(walkNodes(inclusionWalk(v.input.node, v.input.L))).toEqual(v.output);
  });

  it("knows which nodes exist", () => {
    expect(nodeExists(6, 4)).toBe(true);
    expect(nodeExists(8, 4)).toBe(false);
    expect(nodeExists(7, 7)).toBe(false);
    expect(nodeExists(7, 8)).toBe(true);
    expect(() => inclusionWalk(8, 4)).toThrow(/not in a log of length 4/);
  });
});

describe("proofs against a naive tree", () => {
  const all = leaves(Array.from({ length: 40 }, (_, i) => `leaf-${i}`));

  it("verifies every inclusion proof for every length up to 40", () => {
    for (let n = 1; n <= 40; n++) {
      const tree = all.slice(0, n);
      const root = mth(tree);
      for (let i = 0; i < n; i++) {
        const node = 2 * i;
        const hashes = hashesFor(walkNodes(inclusionWalk(node, n)), tree);
        expect(evaluateInclusion(node, tree[i] as Uint8Array, n, hashes)).toEqual(root);
      }
    }
  });

  it("verifies every consistency proof m -> n up to 40", () => {
    for (let n = 1; n <= 40; n++) {
      const newRoot = mth(all.slice(0, n));
      for (let m = 1; m <= n; m++) {
        const hashes = hashesFor(consistencyNodes(m, n), all.slice(0, n));
        expect(() => verifyConsistency(m, mth(all.slice(0, m)), n, newRoot, hashes)).not.toThrow();
      }
    }
  });

  it("fails a proof with a wrong hash, a missing hash, a forked prefix or a wrong old root", () => {
    const n = 13;
    const tree = all.slice(0, n);
    const root = mth(tree);
    const hashes = hashesFor(walkNodes(inclusionWalk(10, n)), tree);
    const [first] = hashes.keys();
    const tampered = new Map(hashes).set(first as number, new Uint8Array(32));
    expect(evaluateInclusion(10, tree[5] as Uint8Array, n, tampered)).not.toEqual(root);
    const missing = new Map(hashes);
    missing.delete(first as number);
    expect(() => evaluateInclusion(10, tree[5] as Uint8Array, n, missing)).toThrow(/lacks the hash of node/);

    const forked = [...tree];
    forked[2] = leafHash(utf8("forged"));
    const forkedHashes = hashesFor(consistencyNodes(5, n), forked);
    expect(() => verifyConsistency(5, mth(tree.slice(0, 5)), n, root, forkedHashes)).toThrow(/old log root/);
    const fine = hashesFor(consistencyNodes(5, n), tree);
    expect(() => verifyConsistency(5, mth(tree.slice(0, 6)), n, root, fine)).toThrow(/old log root/);
    expect(() => verifyConsistency(5, mth(tree.slice(0, 5)), n, mth(forked), fine)).toThrow(/new log root/);
    expect(() => verifyConsistency(6, root, 5, root, fine)).toThrow(/no consistency proof/);
  });
});
