import { ECDH, type KeyObject, createECDH, createPrivateKey, createPublicKey, randomBytes, sign, verify } from "node:crypto";
import { concat, fromBase64, malformed, toBase64, utf8 } from "./bytes.js";
import { hashText, sha256 } from "./hash.js";

/**
 * Warg keys and signatures: ECDSA over NIST P-256 with SHA-256, written as
 * `ecdsa-p256:<base64>` (private: the 32-byte scalar; public: the SEC1 compressed point;
 * signature: ASN.1 DER). A key id is the SHA-256 of the compressed public key text.
 */

export const ALGORITHM = "ecdsa-p256";
const PREFIX = `${ALGORITHM}:`;
/** The order of the P-256 group. */
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

function splitKeyText(text: unknown, what: string): Uint8Array {
  if (typeof text !== "string") throw malformed(`${what} must be a string`);
  const parts = text.split(":");
  if (parts.length !== 2) throw malformed(`${what} must look like \`${PREFIX}<base64>\``);
  if (parts[0] !== ALGORITHM) throw malformed(`${what} uses the unsupported algorithm ${JSON.stringify(parts[0])} (only ${ALGORITHM})`);
  return fromBase64(parts[1] as string, what);
}

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

function bigFromBytes(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

export class PublicKey {
  /** Canonical text: compressed point. */
  readonly text: string;
  readonly keyId: string;
  readonly keyObject: KeyObject;

  private constructor(compressed: Uint8Array, uncompressed: Uint8Array) {
    this.text = PREFIX + toBase64(compressed);
    this.keyId = keyIdOf(this.text);
    this.keyObject = createPublicKey({
      key: { kty: "EC", crv: "P-256", x: b64url(uncompressed.subarray(1, 33)), y: b64url(uncompressed.subarray(33, 65)) },
      format: "jwk",
    });
  }

  /** Accepts compressed or uncompressed SEC1 points, as the reference; always prints compressed. */
  static parse(text: unknown, what = "public key"): PublicKey {
    const point = splitKeyText(text, what);
    if (!((point.byteLength === 33 && (point[0] === 2 || point[0] === 3)) || (point.byteLength === 65 && point[0] === 4))) {
      throw malformed(`${what} is not a SEC1-encoded P-256 point`);
    }
    let compressed: Buffer;
    let uncompressed: Buffer;
    try {
      compressed = ECDH.convertKey(point, "prime256v1", undefined, undefined, "compressed") as Buffer;
      uncompressed = ECDH.convertKey(point, "prime256v1", undefined, undefined, "uncompressed") as Buffer;
    } catch {
      throw malformed(`${what} is not a point on the P-256 curve`);
    }
    return new PublicKey(new Uint8Array(compressed), new Uint8Array(uncompressed));
  }

  /** @internal */
  static fromPoints(compressed: Uint8Array, uncompressed: Uint8Array): PublicKey {
    return new PublicKey(compressed, uncompressed);
  }

  /** Verify `signature` (text form) over `message`; high-S signatures are valid, as in the reference. */
  verify(message: Uint8Array, signature: string): boolean {
    let der: Uint8Array;
    try {
      der = parseSignature(signature);
    } catch {
      return false;
    }
    return verify("sha256", message, { key: this.keyObject, dsaEncoding: "der" }, der);
  }

  toString(): string {
    return this.text;
  }
}

export class PrivateKey {
  readonly publicKey: PublicKey;
  private readonly scalar: Uint8Array;
  private readonly keyObject: KeyObject;

  private constructor(scalar: Uint8Array) {
    this.scalar = scalar;
    const ecdh = createECDH("prime256v1");
    ecdh.setPrivateKey(scalar);
    const uncompressed = new Uint8Array(ecdh.getPublicKey(null, "uncompressed"));
    this.publicKey = PublicKey.fromPoints(new Uint8Array(ecdh.getPublicKey(null, "compressed")), uncompressed);
    this.keyObject = createPrivateKey({
      key: {
        kty: "EC",
        crv: "P-256",
        d: b64url(scalar),
        x: b64url(uncompressed.subarray(1, 33)),
        y: b64url(uncompressed.subarray(33, 65)),
      },
      format: "jwk",
    });
  }

  /** `ecdsa-p256:<base64 of the 32-byte big-endian scalar>`; rejects zero and values >= n. */
  static parse(text: unknown, what = "private key"): PrivateKey {
    const scalar = splitKeyText(text, what);
    if (scalar.byteLength !== 32) throw malformed(`${what} must hold a 32-byte scalar, not ${scalar.byteLength} bytes`);
    const value = bigFromBytes(scalar);
    if (value === 0n || value >= N) throw malformed(`${what} is not a valid P-256 scalar`);
    return new PrivateKey(scalar);
  }

  static generate(): PrivateKey {
    for (;;) {
      const scalar = new Uint8Array(randomBytes(32));
      const value = bigFromBytes(scalar);
      if (value !== 0n && value < N) return new PrivateKey(scalar);
    }
  }

  /** DER signature text over SHA-256(message). */
  sign(message: Uint8Array): string {
    return PREFIX + toBase64(new Uint8Array(sign("sha256", message, { key: this.keyObject, dsaEncoding: "der" })));
  }

  toString(): string {
    return PREFIX + toBase64(this.scalar);
  }

  /** Never print the secret by accident (console.log, JSON.stringify). */
  toJSON(): string {
    return `${ALGORITHM}:<private key>`;
  }
}

export function keyIdOf(publicKeyText: string): string {
  return hashText(sha256(utf8(publicKeyText)));
}

/** `PREFIX || ":" || payload`, the bytes every Warg signature covers. */
export function signingMessage(prefix: string, payload: Uint8Array): Uint8Array {
  return concat(utf8(`${prefix}:`), payload);
}

/**
 * Signature text to strict DER: SEQUENCE of two minimal positive INTEGERs, each in [1, n).
 * OpenSSL checks DER too, but a parser of our own gives a clear message and a fixed rule.
 */
export function parseSignature(text: unknown, what = "signature"): Uint8Array {
  const der = splitKeyText(text, what);
  const fail = (reason: string): never => {
    throw malformed(`${what} is not a valid DER ECDSA signature: ${reason}`);
  };
  if (der.byteLength < 8 || der[0] !== 0x30) fail("not a SEQUENCE");
  if (der[1] !== der.byteLength - 2 || (der[1] as number) >= 0x80) fail("bad length");
  let pos = 2;
  for (let i = 0; i < 2; i++) {
    if (der[pos] !== 0x02) fail("expected an INTEGER");
    const len = der[pos + 1] as number;
    if (len === 0 || len > 33 || pos + 2 + len > der.byteLength) fail("bad INTEGER length");
    const value = der.subarray(pos + 2, pos + 2 + len);
    if (((value[0] as number) & 0x80) !== 0) fail("negative INTEGER");
    if (len > 1 && value[0] === 0 && ((value[1] as number) & 0x80) === 0) fail("non-minimal INTEGER");
    const n = bigFromBytes(value);
    if (n === 0n || n >= N) fail("INTEGER out of range");
    pos += 2 + len;
  }
  if (pos !== der.byteLength) fail("trailing bytes");
  return der;
}
