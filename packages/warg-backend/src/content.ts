import { Digest, DigestHasher, type PublishSource } from "@wasm-pkg/common";

/** Digest of what is about to be published, streaming a Blob instead of loading it. */
export async function digestOf(source: PublishSource): Promise<Digest> {
  if (source instanceof Uint8Array) return Digest.of(source);
  const hasher = new DigestHasher();
  const reader = (source.stream() as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    hasher.update(value);
  }
  return hasher.digest();
}
