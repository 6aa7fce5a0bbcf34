import { bytesEqual, concat, lp, malformed, utf8 } from "./bytes.js";
import { hashText, sha256 } from "./hash.js";

/**
 * The registry log: an RFC 6962-shaped Merkle tree over `LogLeaf{logId, recordId}`.
 * Proof bundles name tree nodes by in-order index (leaf i is node 2i; a node's height is
 * its count of trailing 1-bits). Arithmetic stays in doubles, never 32-bit bit-ops, so
 * indices above 2^31 would stay exact.
 */

const LEAF = Uint8Array.of(0);
const BRANCH = Uint8Array.of(1);

export function leafHash(value: Uint8Array): Uint8Array {
  return sha256(LEAF, value);
}

export function branchHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(BRANCH, left, right);
}

export const EMPTY_LOG_ROOT = sha256();

export function logLeafValue(logId: string, recordId: string): Uint8Array {
  return concat(utf8("WARG-LOG-LEAF-V0"), lp(logId), lp(recordId));
}

export function logLeafHash(logId: string, recordId: string): Uint8Array {
  return leafHash(logLeafValue(logId, recordId));
}

// ---------------------------------------------------------------- node arithmetic

export function height(node: number): number {
  let h = 0;
  let rest = node;
  while (rest % 2 === 1) {
    h++;
    rest = (rest - 1) / 2;
  }
  return h;
}

function pow2(h: number): number {
  return 2 ** h;
}

export function isLeftChild(node: number): boolean {
  return Math.floor(node / pow2(height(node) + 1)) % 2 === 0;
}

export function parent(node: number): number {
  const d = pow2(height(node));
  return isLeftChild(node) ? node + d : node - d;
}

export function sibling(node: number): number {
  const d = pow2(height(node));
  return isLeftChild(node) ? node + 2 * d : node - 2 * d;
}

export function children(node: number): [number, number] {
  const h = height(node);
  if (h === 0) throw new RangeError(`node ${node} is a leaf`);
  const half = pow2(h) / 2;
  return [node - half, node + half];
}

export function rightmostDescendant(node: number): number {
  return node + pow2(height(node)) - 1;
}

export function leftmostDescendant(node: number): number {
  return node - pow2(height(node)) + 1;
}

/** Whether `node` is complete in a log of `length` leaves. */
export function nodeExists(node: number, length: number): boolean {
  return Math.floor(rightmostDescendant(node) / 2) < length;
}

/** Roots of the perfect subtrees of a log of `length` leaves, left to right. */
export function balancedRoots(length: number): number[] {
  const roots: number[] = [];
  let previous: number | undefined;
  for (let h = Math.floor(Math.log2(Math.max(length, 1))) + 1; h >= 0; h--) {
    if (Math.floor(length / pow2(h)) % 2 === 0) continue;
    const first = pow2(h) - 1;
    const node = previous === undefined ? first : first + rightmostDescendant(previous) + 2;
    roots.push(node);
    previous = node;
  }
  return roots;
}

export interface InclusionWalk {
  /** Siblings from `node` up to its balanced root. */
  siblings: number[];
  /** Balanced roots right of the reached one, rightmost first. */
  right: number[];
  /** Balanced roots left of the reached one, nearest first. */
  left: number[];
}

/** The nodes an inclusion proof of `node` in a log of `length` needs, in the reference's order. */
export function inclusionWalk(node: number, length: number): InclusionWalk {
  if (length < 1 || !nodeExists(node, length)) throw malformed(`node ${node} is not in a log of length ${length}`);
  const roots = balancedRoots(length);
  const siblings: number[] = [];
  let current = node;
  while (!roots.includes(current)) {
    siblings.push(sibling(current));
    current = parent(current);
  }
  const j = roots.indexOf(current);
  return { siblings, right: roots.slice(j + 1).reverse(), left: roots.slice(0, j).reverse() };
}

/** Every node an inclusion proof needs, in walk order. */
export function walkNodes(walk: InclusionWalk): number[] {
  return [...walk.siblings, ...walk.right, ...walk.left];
}

/** A node-index -> hash lookup that fails with a clear message when the bundle lacks one. */
export type NodeHashes = ReadonlyMap<number, Uint8Array>;

function need(hashes: NodeHashes, node: number): Uint8Array {
  const hash = hashes.get(node);
  if (!hash) throw malformed(`the log proof lacks the hash of node ${node}`);
  return hash;
}

/** Evaluate an inclusion proof: the log root implied by `start` being the hash of `node`. */
export function evaluateInclusion(node: number, start: Uint8Array, length: number, hashes: NodeHashes): Uint8Array {
  const walk = inclusionWalk(node, length);
  let current = start;
  let index = node;
  for (const sib of walk.siblings) {
    const hash = need(hashes, sib);
    current = sib > index ? branchHash(current, hash) : branchHash(hash, current);
    index = parent(index);
  }
  if (walk.right.length > 0) {
    // walk.right is rightmost first: fold from the right.
    let folded = need(hashes, walk.right[0] as number);
    for (const root of walk.right.slice(1)) folded = branchHash(need(hashes, root), folded);
    current = branchHash(current, folded);
  }
  for (const root of walk.left) current = branchHash(need(hashes, root), current);
  return current;
}

/** Root of a log from its balanced-root hashes (left to right). */
export function foldRoots(rootHashes: Uint8Array[]): Uint8Array {
  if (rootHashes.length === 0) return EMPTY_LOG_ROOT;
  let current = rootHashes[rootHashes.length - 1] as Uint8Array;
  for (let i = rootHashes.length - 2; i >= 0; i--) current = branchHash(rootHashes[i] as Uint8Array, current);
  return current;
}

/**
 * Check that a log of `oldLength` with root `oldRoot` is a prefix of the log of
 * `newLength` with root `newRoot`: every balanced root of the old log must be included in
 * the new one, and together they must fold to the old root.
 */
export function verifyConsistency(
  oldLength: number,
  oldRoot: Uint8Array,
  newLength: number,
  newRoot: Uint8Array,
  hashes: NodeHashes,
): void {
  if (oldLength < 1 || oldLength > newLength) throw malformed(`no consistency proof exists from length ${oldLength} to ${newLength}`);
  const roots = balancedRoots(oldLength);
  const rootHashes = roots.map((root) => need(hashes, root));
  if (!bytesEqual(foldRoots(rootHashes), oldRoot)) {
    throw malformed(
      `the consistency proof from length ${oldLength} to ${newLength} does not reproduce the old log root ${hashText(oldRoot)}`,
    );
  }
  roots.forEach((root, i) => {
    const computed = evaluateInclusion(root, rootHashes[i] as Uint8Array, newLength, hashes);
    if (!bytesEqual(computed, newRoot)) {
      throw malformed(
        `the consistency proof from length ${oldLength} to ${newLength} does not lead to the new log root ${hashText(newRoot)}`,
      );
    }
  });
}

/** Nodes a consistency proof from `oldLength` to `newLength` carries. */
export function consistencyNodes(oldLength: number, newLength: number): number[] {
  const nodes = new Set<number>();
  for (const root of balancedRoots(oldLength)) {
    nodes.add(root);
    for (const node of walkNodes(inclusionWalk(root, newLength))) nodes.add(node);
  }
  return [...nodes].sort((a, b) => a - b);
}
