import { WkgError } from "@wasm-pkg/common";

export type WasmKind = "module" | "component";

/**
 * What the first 8 bytes of a file say it is: a core module (`\0asm`, version 1) or a
 * component (`\0asm`, version 0x0d, layer 1). Anything else is refused with a clear error,
 * because a registry would happily store it and every consumer would fail later.
 */
export function wasmKind(header: Uint8Array, source = "the file"): WasmKind {
  const magic = header.length >= 4 && header[0] === 0x00 && header[1] === 0x61 && header[2] === 0x73 && header[3] === 0x6d;
  if (!magic || header.length < 8) {
    throw new WkgError("INVALID_COMPONENT", `${source} is not a WebAssembly binary (no \\0asm header)`, {
      hint: "push a compiled .wasm component or module, not WIT text or another file",
    });
  }
  const version = (header[4] as number) | ((header[5] as number) << 8);
  const layer = (header[6] as number) | ((header[7] as number) << 8);
  if (layer === 0 && version === 1) return "module";
  if (layer === 1) return "component";
  throw new WkgError("INVALID_COMPONENT", `${source} has an unknown WebAssembly version (version ${version}, layer ${layer})`, {
    hint: "rebuild it with a current toolchain (wasm-tools, cargo component, jco)",
  });
}

/** The `os` of the Wasm OCI config: wasip1 for core modules, wasip2 for components. */
export function osFor(kind: WasmKind): "wasip1" | "wasip2" {
  return kind === "module" ? "wasip1" : "wasip2";
}
