import { branchHash, emptyHash, height, keyBit, sha256 } from "../../src/protocol/index.js";

/** RFC 6962 MTH over leaf hashes, written straight from the RFC: the yardstick for proofs. */
export function mth(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0] as Uint8Array;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return branchHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

/** Hash of in-order node `node` over the given leaf hashes. */
export function nodeHash(node: number, leaves: Uint8Array[]): Uint8Array {
  const h = height(node);
  const first = (node - (2 ** h - 1)) / 2;
  return mth(leaves.slice(first, first + 2 ** h));
}

/** Sparse Merkle tree root by plain recursion over the 256 key bits. */
export function smtRoot(entries: Array<{ key: Uint8Array; leaf: Uint8Array }>, depth = 0): Uint8Array {
  if (entries.length === 0) return emptyHash(256 - depth);
  if (depth === 256) return (entries[0] as { leaf: Uint8Array }).leaf;
  const left = entries.filter((e) => keyBit(e.key, depth) === 0);
  const right = entries.filter((e) => keyBit(e.key, depth) === 1);
  return branchHash(smtRoot(left, depth + 1), smtRoot(right, depth + 1));
}

/** Full 256 sibling list (bottom-up) of `key`, then the empty bottom run dropped. */
export function smtProof(entries: Array<{ key: Uint8Array; leaf: Uint8Array }>, key: Uint8Array): Array<Uint8Array | undefined> {
  const topDown: Array<Uint8Array | undefined> = [];
  let current = entries;
  for (let depth = 0; depth < 256; depth++) {
    const bit = keyBit(key, depth);
    const other = current.filter((e) => keyBit(e.key, depth) !== bit);
    topDown.push(other.length === 0 ? undefined : smtRoot(other, depth + 1));
    current = current.filter((e) => keyBit(e.key, depth) === bit);
  }
  const bottomUp = topDown.reverse();
  let skip = 0;
  while (skip < bottomUp.length && bottomUp[skip] === undefined) skip++;
  return bottomUp.slice(skip);
}
