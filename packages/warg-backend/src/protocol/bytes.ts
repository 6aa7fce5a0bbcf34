import { WkgError } from "@wasm-pkg/common";

/**
 * Byte helpers for Warg's hand-rolled "prefix encodings" (record ids, leaves, checkpoints):
 * plain concatenation, unsigned LEB128 and length-prefixed UTF-8.
 */

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true });

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decode UTF-8, failing on invalid sequences as prost does for `string` fields. */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    throw malformed(`${what} is not valid UTF-8`);
  }
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const part of parts) size += part.byteLength;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** Unsigned LEB128; arithmetic instead of bit operations so values above 2^31 stay exact. */
export function uleb(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`uleb: ${value} is not a non-negative safe integer`);
  const out: number[] = [];
  let rest = value;
  do {
    const low = rest % 128;
    rest = Math.floor(rest / 128);
    out.push(rest > 0 ? low + 128 : low);
  } while (rest > 0);
  return Uint8Array.from(out);
}

/** `uleb(byteLength) || utf8(text)`. */
export function lp(text: string): Uint8Array {
  const bytes = utf8(text);
  return concat(uleb(bytes.byteLength), bytes);
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, "hex"));
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Standard base64 with padding, strictly (Node's decoder silently skips garbage). */
export function fromBase64(text: string, what: string): Uint8Array {
  if (!BASE64.test(text)) throw malformed(`${what} is not valid base64`);
  return new Uint8Array(Buffer.from(text, "base64"));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Data from a registry that does not follow the protocol: always a verification failure. */
export function malformed(message: string, details?: Record<string, unknown>): WkgError {
  return new WkgError("VERIFICATION", message, details ? { details } : {});
}
