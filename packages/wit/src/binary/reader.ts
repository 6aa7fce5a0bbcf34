import { decodeError } from "../errors.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A bounds-checked cursor over wasm binary data. Every read that would run past the end,
 * or decode an over-long LEB128, fails with a `WASM_DECODE` error naming the offset, so
 * malformed input can never cause an out-of-range read or an endless loop.
 */
export class ByteReader {
  readonly data: Uint8Array;
  pos: number;
  readonly end: number;
  /** Offset of `data[0]` in the whole file, for messages. */
  readonly base: number;

  constructor(data: Uint8Array, start = 0, end = data.length, base = 0) {
    this.data = data;
    this.pos = start;
    this.end = end;
    this.base = base;
  }

  get offset(): number {
    return this.base + this.pos;
  }

  get eof(): boolean {
    return this.pos >= this.end;
  }

  fail(message: string): never {
    throw decodeError(`${message} (at offset 0x${this.offset.toString(16)})`);
  }

  byte(): number {
    if (this.pos >= this.end) this.fail("unexpected end of data");
    return this.data[this.pos++] as number;
  }

  peek(): number {
    if (this.pos >= this.end) this.fail("unexpected end of data");
    return this.data[this.pos] as number;
  }

  u32(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      const b = this.byte();
      if (i === 4 && b > 0x0f) this.fail("invalid var_u32: integer too large");
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
    this.fail("invalid var_u32: integer representation too long");
  }

  /** A signed 33-bit LEB128 (value-type positions: negative means a primitive). */
  s33(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) {
        if (b & 0x40) result -= 2 ** shift;
        return result;
      }
    }
    this.fail("invalid var_s33: integer representation too long");
  }

  bytes(n: number): Uint8Array {
    if (n > this.end - this.pos) this.fail("unexpected end of data");
    const out = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): string {
    const len = this.u32();
    const raw = this.bytes(len);
    try {
      return utf8.decode(raw);
    } catch {
      this.fail("malformed UTF-8 encoding");
    }
  }

  /** A vector length, checked against the bytes left so a bogus count cannot allocate wildly. */
  count(): number {
    const n = this.u32();
    if (n > this.end - this.pos) this.fail("vector length exceeds the remaining data");
    return n;
  }

  /** A reader over the next `n` bytes; this reader skips past them. */
  sub(n: number): ByteReader {
    if (n > this.end - this.pos) this.fail("section extends past the end of the data");
    const r = new ByteReader(this.data, this.pos, this.pos + n, this.base);
    this.pos += n;
    return r;
  }
}
