import { branchHash, emptyHash, height, keyBit, sha256 } from "@wasm-pkg/warg-backend/protocol";

/**
 * The server's trees, computed the plain way (RFC 6962 recursion, sparse-tree recursion)
 * rather than with the client's walk-and-fold arithmetic, so proofs the client verifies
 * are built independently of the code that verifies them.
 */

export class LogTree {
  private readonly leaves: Uint8Array[] = [];
  private readonly memo = new Map<string, Uint8Array>();

  get length(): number {
    return this.leaves.length;
  }

  push(leafHash: Uint8Array): void {
    this.leaves.push(leafHash);
  }

  /** MTH of leaves [start, start + n). */
  private mth(start: number, n: number): Uint8Array {
    if (n === 0) return sha256();
    if (n === 1) return this.leaves[start] as Uint8Array;
    const key = `${start}:${n}`;
    const cached = this.memo.get(key);
    if (cached) return cached;
    let k = 1;
    while (k * 2 < n) k *= 2;
    const hash = branchHash(this.mth(start, k), this.mth(start + k, n - k));
    this.memo.set(key, hash);
    return hash;
  }

  root(length: number): Uint8Array {
    if (length > this.leaves.length) throw new RangeError(`log has only ${this.leaves.length} leaves`);
    return this.mth(0, length);
  }

  /** Hash of in-order node `node`: the perfect subtree it roots. */
  nodeHash(node: number): Uint8Array {
    const h = height(node);
    const first = (node - (2 ** h - 1)) / 2;
    if (first + 2 ** h > this.leaves.length) throw new RangeError(`node ${node} is not complete`);
    return this.mth(first, 2 ** h);
  }
}

export interface MapEntry {
  key: Uint8Array;
  leaf: Uint8Array;
}

export function mapRoot(entries: MapEntry[], depth = 0): Uint8Array {
  if (entries.length === 0) return emptyHash(256 - depth);
  if (depth === 256) return (entries[0] as MapEntry).leaf;
  const left: MapEntry[] = [];
  const right: MapEntry[] = [];
  for (const e of entries) (keyBit(e.key, depth) === 0 ? left : right).push(e);
  return branchHash(mapRoot(left, depth + 1), mapRoot(right, depth + 1));
}

/**
 * Siblings of `key`'s path, bottom-up, with the empty bottom run dropped; every sibling
 * above that run is written out (an empty one as undefined), as the reference prover does.
 */
export function mapProof(entries: MapEntry[], key: Uint8Array): Array<Uint8Array | undefined> {
  const topDown: Array<Uint8Array | undefined> = [];
  let current = entries;
  for (let depth = 0; depth < 256; depth++) {
    const bit = keyBit(key, depth);
    const same: MapEntry[] = [];
    const other: MapEntry[] = [];
    for (const e of current) (keyBit(e.key, depth) === bit ? same : other).push(e);
    topDown.push(other.length === 0 ? undefined : mapRoot(other, depth + 1));
    current = same;
  }
  const bottomUp = topDown.reverse();
  let skip = 0;
  while (skip < bottomUp.length && bottomUp[skip] === undefined) skip++;
  return bottomUp.slice(skip);
}
