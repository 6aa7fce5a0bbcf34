import { malformed } from "./bytes.js";
import { ProtoReader, ProtoWriter, WireType } from "./protobuf.js";

/** `warg.transparency.LogProofBundle`: hashes of tree nodes plus what they are meant to prove. */
export interface LogProofBundle {
  logLength: number;
  consistentLengths: number[];
  /** Node indices (2 x registry index) proven included. */
  includedIndices: number[];
  /** Node index -> 32-byte hash. */
  hashes: Map<number, Uint8Array>;
}

/** `warg.transparency.MapProofBundle`: per leaf, sibling hashes bottom-up (undefined = empty subtree). */
export type MapProofBundle = Array<Array<Uint8Array | undefined>>;

export function encodeLogProofBundle(bundle: LogProofBundle): Uint8Array {
  const w = new ProtoWriter().uint(1, bundle.logLength).packed(2, bundle.consistentLengths).packed(3, bundle.includedIndices);
  for (const [index, hash] of [...bundle.hashes].sort((a, b) => a[0] - b[0])) {
    w.message(4, new ProtoWriter().uint(1, index).bytes(2, hash).finish());
  }
  return w.finish();
}

export function decodeLogProofBundle(bytes: Uint8Array): LogProofBundle {
  const what = "log proof bundle";
  const r = new ProtoReader(bytes, what);
  const bundle: LogProofBundle = { logLength: 0, consistentLengths: [], includedIndices: [], hashes: new Map() };
  while (!r.done) {
    const f = r.next();
    if (f.field === 1) bundle.logLength = r.uint32(f);
    else if (f.field === 2) r.repeatedUint32(f, bundle.consistentLengths);
    else if (f.field === 3) r.repeatedUint32(f, bundle.includedIndices);
    else if (f.field === 4) {
      const inner = new ProtoReader(r.bytes(f), `${what} hash entry`);
      let index = 0;
      let hash: Uint8Array | undefined;
      while (!inner.done) {
        const g = inner.next();
        if (g.field === 1) index = inner.uint32(g);
        else if (g.field === 2) hash = inner.bytes(g);
        else inner.skip(g);
      }
      if (hash?.byteLength !== 32) throw malformed(`${what}: the hash of node ${index} is not 32 bytes`);
      // Two different hashes for one node would make the proof ambiguous.
      if (bundle.hashes.has(index)) throw malformed(`${what}: node ${index} appears twice`);
      bundle.hashes.set(index, hash);
    } else r.skip(f);
  }
  return bundle;
}

export function encodeMapProofBundle(proofs: MapProofBundle): Uint8Array {
  const w = new ProtoWriter();
  for (const proof of proofs) {
    const p = new ProtoWriter();
    for (const hash of proof) p.message(1, hash === undefined ? new Uint8Array() : new ProtoWriter().bytes(1, hash).finish());
    w.message(1, p.finish());
  }
  return w.finish();
}

export function decodeMapProofBundle(bytes: Uint8Array): MapProofBundle {
  const what = "map proof bundle";
  const r = new ProtoReader(bytes, what);
  const proofs: MapProofBundle = [];
  while (!r.done) {
    const f = r.next();
    if (f.field !== 1) {
      r.skip(f);
      continue;
    }
    const proof: Array<Uint8Array | undefined> = [];
    const p = new ProtoReader(r.bytes(f), what);
    while (!p.done) {
      const g = p.next();
      if (g.field !== 1) {
        p.skip(g);
        continue;
      }
      p.expect(g, WireType.LEN);
      const o = new ProtoReader(p.bytes(g), what);
      let hash: Uint8Array | undefined;
      while (!o.done) {
        const h = o.next();
        if (h.field === 1) hash = o.bytes(h);
        else o.skip(h);
      }
      if (hash !== undefined && hash.byteLength !== 32) throw malformed(`${what}: a hash is not 32 bytes`);
      proof.push(hash);
    }
    proofs.push(proof);
  }
  return proofs;
}
