import { concat, decodeUtf8, malformed, utf8 } from "./bytes.js";

/**
 * The little of the protobuf wire format Warg needs, by hand: a handful of small messages
 * do not justify a code generator. The writer reproduces prost's bytes (ascending field
 * numbers, proto3 defaults omitted, packed repeated scalars); the reader accepts packed and
 * unpacked repeated scalars and skips unknown fields, as any proto3 decoder must.
 */

export const WireType = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;

export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];

  private varint(value: number | bigint): void {
    let rest = BigInt(value);
    if (rest < 0n) rest = BigInt.asUintN(64, rest);
    const out: number[] = [];
    do {
      const low = Number(rest & 0x7fn);
      rest >>= 7n;
      out.push(rest > 0n ? low | 0x80 : low);
    } while (rest > 0n);
    this.parts.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** A varint field (uint32, int32, int64, enum); proto3 omits zero, so do callers via `omitZero`. */
  uint(field: number, value: number | bigint, omitZero = true): this {
    if (omitZero && BigInt(value) === 0n) return this;
    this.tag(field, WireType.VARINT);
    this.varint(value);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WireType.LEN);
    this.varint(value.byteLength);
    this.parts.push(value);
    return this;
  }

  /** A string field; empty strings are omitted unless `always` (explicit-presence fields). */
  string(field: number, value: string, always = false): this {
    if (value === "" && !always) return this;
    return this.bytes(field, utf8(value));
  }

  /** An embedded message, written even when empty (prost writes every set sub-message). */
  message(field: number, body: Uint8Array): this {
    return this.bytes(field, body);
  }

  /** Repeated varints, packed; nothing when empty. */
  packed(field: number, values: readonly number[]): this {
    if (values.length === 0) return this;
    const inner = new ProtoWriter();
    for (const value of values) inner.varint(value);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return concat(...this.parts);
  }
}

export interface Field {
  field: number;
  wire: number;
}

export class ProtoReader {
  private pos = 0;

  constructor(
    private readonly buf: Uint8Array,
    private readonly what: string,
  ) {}

  get done(): boolean {
    return this.pos >= this.buf.byteLength;
  }

  private fail(reason: string): never {
    throw malformed(`${this.what} is not valid protobuf: ${reason}`);
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.byteLength) this.fail("truncated varint");
      const byte = this.buf[this.pos++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    return this.fail("varint longer than 10 bytes");
  }

  next(): Field {
    const key = this.varint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0 || field > 536_870_911) this.fail(`invalid field number ${field}`);
    return { field, wire };
  }

  expect(f: Field, wire: number): void {
    if (f.wire !== wire) this.fail(`field ${f.field} has wire type ${f.wire}, expected ${wire}`);
  }

  uint32(f: Field): number {
    this.expect(f, WireType.VARINT);
    const value = this.varint();
    if (value > 0xffffffffn) this.fail(`field ${f.field} does not fit in 32 bits`);
    return Number(value);
  }

  int32(f: Field): number {
    this.expect(f, WireType.VARINT);
    return Number(BigInt.asIntN(32, this.varint()));
  }

  /** int64 as a JS number; values beyond 2^53 are refused rather than rounded. */
  int64(f: Field): number {
    this.expect(f, WireType.VARINT);
    const value = BigInt.asIntN(64, this.varint());
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) this.fail(`field ${f.field} is out of range`);
    return Number(value);
  }

  bytes(f: Field): Uint8Array {
    this.expect(f, WireType.LEN);
    const length = this.varint();
    if (length > BigInt(this.buf.byteLength - this.pos)) this.fail(`field ${f.field} runs past the end`);
    const start = this.pos;
    this.pos += Number(length);
    return this.buf.subarray(start, this.pos);
  }

  string(f: Field): string {
    return decodeUtf8(this.bytes(f), `${this.what} field ${f.field}`);
  }

  /** A repeated varint field, packed or not; appends to `out`. */
  repeatedUint32(f: Field, out: number[]): void {
    if (f.wire === WireType.LEN) {
      const inner = new ProtoReader(this.bytes(f), this.what);
      while (!inner.done) out.push(inner.uint32({ field: f.field, wire: WireType.VARINT }));
      return;
    }
    out.push(this.uint32(f));
  }

  skip(f: Field): void {
    switch (f.wire) {
      case WireType.VARINT:
        this.varint();
        return;
      case WireType.I64:
        this.advance(8);
        return;
      case WireType.LEN:
        this.bytes(f);
        return;
      case WireType.I32:
        this.advance(4);
        return;
      default:
        this.fail(`unsupported wire type ${f.wire} (field ${f.field})`);
    }
  }

  private advance(n: number): void {
    if (this.pos + n > this.buf.byteLength) this.fail("truncated fixed-width field");
    this.pos += n;
  }
}
