import { describe, expect, it } from "vitest";
import {
  decodeLogProofBundle,
  decodeMapProofBundle,
  encodeLogProofBundle,
  encodeMapProofBundle,
  sha256,
  utf8,
} from "../src/protocol/index.js";

const h = (s: string) => sha256(utf8(s));

describe("proof bundles", () => {
  it("round-trip a log proof bundle with hashes sorted by node", () => {
    const bundle = {
      logLength: 7,
      consistentLengths: [3],
      includedIndices: [0, 12],
      hashes: new Map([
        [9, h("9")],
        [1, h("1")],
      ]),
    };
    const decoded = decodeLogProofBundle(encodeLogProofBundle(bundle));
    expect(decoded).toEqual(bundle);
    expect([...decoded.hashes.keys()]).toEqual([1, 9]);
  });

  it("rejects a node given twice or a hash of the wrong size", () => {
    const one = encodeLogProofBundle({ logLength: 1, consistentLengths: [], includedIndices: [], hashes: new Map([[0, h("a")]]) });
    expect(() => decodeLogProofBundle(Uint8Array.of(...one, ...one))).toThrow(/node 0 appears twice/);
    const short = Uint8Array.of(0x22, 0x05, 0x08, 0x00, 0x12, 0x01, 0xff);
    expect(() => decodeLogProofBundle(short)).toThrow(/not 32 bytes/);
  });

  it("round-trips map proofs, keeping absent hashes absent", () => {
    const proofs = [[undefined, h("x")], [], [h("y")]];
    expect(decodeMapProofBundle(encodeMapProofBundle(proofs))).toEqual(proofs);
  });
});
