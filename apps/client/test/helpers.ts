import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { BackendContext } from "@wasm-pkg/common";
import { type Config, parseConfig } from "@wasm-pkg/config";
import { tempDir } from "@wasm-pkg/test-utils";

export const bytes = (text: string) => new TextEncoder().encode(text);

export async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(stream).text();
}

export function config(toml: string): Config {
  return parseConfig(toml, "test.toml").config;
}

/** Write `<root>/<ns>/<name>/<version>.wasm` files: the local layout. */
export async function seed(root: string, files: Record<string, string>): Promise<void> {
  for (const [spec, content] of Object.entries(files)) {
    const [ref, version] = spec.split("@") as [string, string];
    const [ns, name] = ref.split(":") as [string, string];
    await mkdir(join(root, ns, name), { recursive: true });
    await writeFile(join(root, ns, name, `${version}.wasm`), content);
  }
}

export async function localRegistry(files: Record<string, string> = {}) {
  const root = await tempDir();
  await seed(root, files);
  const cache = await tempDir();
  const cfg = config(`default_registry = "files"\n[registry."files".local]\nroot = ${JSON.stringify(root)}\n`);
  return { root, cache, config: cfg };
}

export function backendLog(): { calls: string[]; contexts: BackendContext[] } {
  return { calls: [], contexts: [] };
}
