import { concat, lp, malformed, utf8 } from "./bytes.js";
import { parseAnyHash, sha256 } from "./hash.js";
import { branchHash, leafHash } from "./log-tree.js";

/**
 * The verifiable map: a sparse Merkle tree of depth 256 from log id to the id of that
 * log's latest record. A key's path is SHA-256 of the raw log id bytes, most significant
 * bit first (0 = left).
 */

export const MAP_DEPTH = 256;

let empties: Uint8Array[] | undefined;

/** Hash of an empty subtree of height `h` (0 = an empty leaf). */
export function emptyHash(h: number): Uint8Array {
  if (!empties) {
    empties = [sha256(Uint8Array.of(0))];
    for (let i = 1; i <= MAP_DEPTH; i++) empties.push(branchHash(empties[i - 1] as Uint8Array, empties[i - 1] as Uint8Array));
  }
  const hash = empties[h];
  if (!hash) throw new RangeError(`no empty subtree of height ${h}`);
  return hash;
}

export function mapKey(logId: string): Uint8Array {
  return sha256(parseAnyHash(logId, "log id"));
}

/** Bit `i` of a key path, 0 = the top of the tree. */
export function keyBit(key: Uint8Array, i: number): 0 | 1 {
  return (((key[Math.floor(i / 8)] as number) >> (7 - (i % 8))) & 1) as 0 | 1;
}

export function mapLeafValue(recordId: string): Uint8Array {
  return concat(utf8("WARG-MAP-LEAF-V0"), lp(recordId));
}

export function mapLeafHash(recordId: string): Uint8Array {
  return leafHash(mapLeafValue(recordId));
}

/**
 * The map root implied by `logId -> recordId` and a proof's sibling hashes. `siblings` is
 * bottom-up with the run of empty bottom siblings dropped: `k` entries stand for heights
 * `256-k ... 255`; an undefined entry is an empty subtree of that height.
 */
export function evaluateMapProof(logId: string, recordId: string, siblings: ReadonlyArray<Uint8Array | undefined>): Uint8Array {
  if (siblings.length > MAP_DEPTH) throw malformed(`a map proof has ${siblings.length} hashes, more than the tree is deep`);
  const key = mapKey(logId);
  const skipped = MAP_DEPTH - siblings.length;
  let current = mapLeafHash(recordId);
  for (let h = 0; h < MAP_DEPTH; h++) {
    const given = h < skipped ? undefined : siblings[h - skipped];
    if (given !== undefined && given.byteLength !== 32) throw malformed("a map proof hash is not 32 bytes");
    const sib = given ?? emptyHash(h);
    current = keyBit(key, MAP_DEPTH - 1 - h) === 0 ? branchHash(current, sib) : branchHash(sib, current);
  }
  return current;
}
