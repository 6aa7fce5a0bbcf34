import { createHash, type Hash } from "node:crypto";
import { WkgError } from "./errors.js";

/** A content digest, `sha256:<64 lowercase hex>`; the only algorithm wkg registries use. */
export class Digest {
  readonly algorithm = "sha256" as const;
  readonly hex: string;

  private constructor(hex: string) {
    this.hex = hex;
  }

  /** Parses `sha256:<hex>`, case-insensitive, stored lowercase (upstream's messages on failure). */
  static parse(text: string): Digest {
    if (!text.startsWith("sha256:")) return invalid(text, "must start with 'sha256:'");
    const hex = text.slice("sha256:".length);
    if (hex.length !== 64) return invalid(text, `must be 64 hex digits; got ${hex.length} chars`);
    const bad = /[^0-9a-fA-F]/.exec(hex);
    if (bad) return invalid(text, `must be hex; got '${bad[0]}'`);
    return new Digest(hex.toLowerCase());
  }

  static tryParse(text: string): Digest | undefined {
    try {
      return Digest.parse(text);
    } catch {
      return undefined;
    }
  }

  static fromHex(hex: string): Digest {
    return Digest.parse(`sha256:${hex}`);
  }

  static of(data: Uint8Array | string): Digest {
    return new Digest(createHash("sha256").update(data).digest("hex"));
  }

  equals(other: Digest): boolean {
    return this.hex === other.hex;
  }

  toString(): string {
    return `sha256:${this.hex}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

function invalid(text: string, reason: string): never {
  const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  throw new WkgError("INVALID_DIGEST", `invalid content digest ${JSON.stringify(shown)}: ${reason}`);
}

/** Incremental sha256 that also counts bytes; reusable wherever content is hashed on the fly. */
export class DigestHasher {
  private readonly hash: Hash = createHash("sha256");
  size = 0;

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.size += chunk.byteLength;
  }

  digest(): Digest {
    return Digest.fromHex(this.hash.digest("hex"));
  }
}

export interface VerifyOptions {
  /** Where the bytes came from, for the error message (a URL or a path). */
  source?: string;
  /** Expected size in bytes, when known: a short or long body fails even before hashing finishes. */
  size?: number;
}

/**
 * A pass-through stream that hashes every chunk and errors at end of stream when the
 * content does not match `expected`. Consumers must treat the bytes as untrusted until
 * the stream closes cleanly (write to a temp file, rename only after close).
 */
export function verifyDigest(expected: Digest, options: VerifyOptions = {}): TransformStream<Uint8Array, Uint8Array> {
  const hasher = new DigestHasher();
  const where = options.source ? ` from ${options.source}` : "";
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      hasher.update(chunk);
      if (options.size !== undefined && hasher.size > options.size) {
        controller.error(
          new WkgError("INTEGRITY", `content${where} is larger than the expected ${options.size} bytes`, {
            details: { expected: expected.toString(), expectedSize: options.size, size: hasher.size },
          }),
        );
        return;
      }
      controller.enqueue(chunk);
    },
    flush(controller) {
      const actual = hasher.digest();
      if (!actual.equals(expected)) {
        controller.error(
          new WkgError(
            "INTEGRITY",
            `content${where} does not match its digest: expected ${expected}, got ${actual} (${hasher.size} bytes)`,
            {
              hint: "the registry or a proxy sent corrupted or different content; nothing was written. Try again, and report it to the registry if it persists",
              details: { expected: expected.toString(), actual: actual.toString(), size: hasher.size },
            },
          ),
        );
      }
    },
  });
}
