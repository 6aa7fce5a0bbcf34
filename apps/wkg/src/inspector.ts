import type { WasmInspector } from "@wasm-pkg/client";

/**
 * The WIT decoder the CLI hands the client: it reads a package's name and version for
 * `publish`, prints WIT for `get --format wit|auto`, maps wasm metadata to annotations and
 * runs the semver gate. `@wasm-pkg/wit` provides it; this build has none, so those paths fall
 * back (get writes wasm, publish needs --package, the gate reports "unchecked"). Wiring it is
 * this one function: `return (await import("@wasm-pkg/wit")).witInspector;`.
 */
export async function loadInspector(): Promise<WasmInspector | undefined> {
  return undefined;
}
