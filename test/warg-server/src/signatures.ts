import { fromBase64, toBase64 } from "@wasm-pkg/warg-backend/protocol";

/** The order of the P-256 group. */
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

function derInteger(value: bigint): number[] {
  let bytes = [...Buffer.from(value.toString(16).padStart(64, "0"), "hex")];
  while (bytes.length > 1 && bytes[0] === 0 && ((bytes[1] as number) & 0x80) === 0) bytes = bytes.slice(1);
  if (((bytes[0] as number) & 0x80) !== 0) bytes = [0, ...bytes];
  return [2, bytes.length, ...bytes];
}

/**
 * The high-S form of an ECDSA signature (s replaced by n - s when s <= n/2). Both forms
 * are valid; the reference neither produces nor demands low S, so clients must accept both.
 */
export function toHighS(signature: string): string {
  const [algorithm, body] = signature.split(":") as [string, string];
  const der = fromBase64(body, "signature");
  const rLen = der[3] as number;
  const r = BigInt(`0x${Buffer.from(der.subarray(4, 4 + rLen)).toString("hex")}`);
  const sLen = der[5 + rLen] as number;
  const s = BigInt(`0x${Buffer.from(der.subarray(6 + rLen, 6 + rLen + sLen)).toString("hex")}`);
  if (s > N / 2n) return signature;
  const seq = [...derInteger(r), ...derInteger(N - s)];
  return `${algorithm}:${toBase64(Uint8Array.from([0x30, seq.length, ...seq]))}`;
}

export function isHighS(signature: string): boolean {
  return toHighS(signature) === signature;
}
