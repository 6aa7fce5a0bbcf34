/** The wit-component version at the fixtures' commit (what `$CARGO_PKG_VERSION` stands for). */
export const UPSTREAM_VERSION = "0.257.1";
export const UPSTREAM_PRODUCERS = { "processed-by": [["wit-component", UPSTREAM_VERSION]] as Array<[string, string]> };

/** Bytes as hex lines, so a mismatch shows where the encodings part. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes)
    .toString("hex")
    .replace(/(.{64})/g, "$1\n");
}

let tools: Promise<typeof import("@bytecodealliance/jco-transpile/wasm-tools")> | undefined;

/** WebAssembly text to bytes with wasm-tools' own parser (jco-transpile's wasm build of it). */
export async function assemble(wat: string): Promise<Uint8Array> {
  tools ??= import("@bytecodealliance/jco-transpile/wasm-tools");
  return (await tools).parse(wat);
}
