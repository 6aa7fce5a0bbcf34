const utf8 = new TextEncoder();

/** An append-only byte buffer with the LEB128 and string encodings of the wasm binary format. */
export class ByteWriter {
  private buf: Uint8Array;
  length = 0;

  constructor(capacity = 32) {
    this.buf = new Uint8Array(capacity);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): this {
    this.reserve(1);
    this.buf[this.length++] = b;
    return this;
  }

  bytes(data: Uint8Array): this {
    this.reserve(data.length);
    this.buf.set(data, this.length);
    this.length += data.length;
    return this;
  }

  /** Unsigned LEB128 of a value up to 2^32-1. */
  u32(value: number): this {
    this.reserve(5);
    let v = value >>> 0;
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v !== 0) b |= 0x80;
      this.buf[this.length++] = b;
    } while (v !== 0);
    return this;
  }

  /** Signed LEB128 (type indices in value types are s33). */
  s33(value: number): this {
    this.reserve(5);
    let v = value;
    for (;;) {
      const b = v & 0x7f;
      v = Math.floor(v / 128);
      const done = (v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0);
      this.buf[this.length++] = done ? b : b | 0x80;
      if (done) return this;
    }
  }

  string(text: string): this {
    // Names are almost always ASCII: write them directly instead of through TextEncoder.
    const n = text.length;
    let ascii = true;
    for (let i = 0; i < n; i++) {
      if (text.charCodeAt(i) > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (!ascii) {
      const data = utf8.encode(text);
      this.u32(data.length);
      return this.bytes(data);
    }
    this.u32(n);
    this.reserve(n);
    const buf = this.buf;
    let at = this.length;
    for (let i = 0; i < n; i++) buf[at++] = text.charCodeAt(i);
    this.length = at;
    return this;
  }

  /** Writes `inner` prefixed by its byte length (a section or subsection body). */
  sized(inner: ByteWriter): this {
    this.u32(inner.length);
    this.reserve(inner.length);
    this.buf.set(inner.buf.subarray(0, inner.length), this.length);
    this.length += inner.length;
    return this;
  }

  append(other: ByteWriter): this {
    return this.bytes(other.finish());
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

export function utf8Bytes(text: string): Uint8Array {
  return utf8.encode(text);
}
