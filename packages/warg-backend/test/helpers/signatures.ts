import { fromBase64, toBase64 } from "../../src/protocol/index.js";

const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

function integers(signature: string): [Uint8Array, bigint] {
  const der = fromBase64(signature.split(":")[1] as string, "signature");
  const rLen = der[3] as number;
  const sLen = der[5 + rLen] as number;
  const s = BigInt(`0x${Buffer.from(der.subarray(6 + rLen, 6 + rLen + sLen)).toString("hex")}`);
  return [der.subarray(4, 4 + rLen), s];
}

function derInteger(bytes: Uint8Array): Uint8Array {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && ((b[1] as number) & 0x80) === 0) b = b.subarray(1);
  if (((b[0] as number) & 0x80) !== 0) b = Uint8Array.of(0, ...b);
  return Uint8Array.of(2, b.length, ...b);
}

export function isHighS(signature: string): boolean {
  return integers(signature)[1] > N / 2n;
}

/** The other valid ECDSA signature of the same message: s replaced by n - s. */
export function flipS(signature: string): string {
  const [r, s] = integers(signature);
  const body = Uint8Array.of(...derInteger(r), ...derInteger(Buffer.from((N - s).toString(16).padStart(64, "0"), "hex")));
  return `ecdsa-p256:${toBase64(Uint8Array.of(0x30, body.length, ...body))}`;
}

/** The high-S form of a signature (OpenSSL produces either form about half the time). */
export function highS(signature: string): string {
  return isHighS(signature) ? signature : flipS(signature);
}
