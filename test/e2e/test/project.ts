import { cp, mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "@wasm-pkg/test-utils";
import { Resolve, encodeWitPackage } from "@wasm-pkg/wit";
import { type RunResult, wkg } from "./run.js";

export const EXAMPLES = fileURLToPath(new URL("../../../examples/", import.meta.url));

/** Write a tree of files under a fresh directory. */
export async function tree(files: Record<string, string | Uint8Array>, dir?: string): Promise<string> {
  const root = dir ?? (await tempDir());
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

/** Every file under `dir`, relative and sorted (hidden bookkeeping included). */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name).slice(dir.length + 1));
  }
  return out.sort();
}

export interface Env {
  dir: string;
  env: Record<string, string>;
  run(argv: string[], cwd?: string): Promise<RunResult>;
}

/** A home with a config file and a cache; `config` is the config.toml text. */
export async function home(config: string): Promise<Env> {
  const dir = await tempDir();
  await writeFile(join(dir, "config.toml"), config);
  const env = {
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, "xdg"),
    WKG_CONFIG_FILE: join(dir, "config.toml"),
    WKG_CACHE_DIR: join(dir, "cache"),
  };
  return { dir, env, run: (argv, cwd = dir) => wkg(argv, env, cwd) };
}

/** A local registry seeded with the example registry's WASI packages. */
export async function localRegistryHome(): Promise<Env & { registry: string }> {
  const h = await home('default_registry = "files"\n[registry."files".local]\nroot = "registry"\n');
  const registry = join(h.dir, "registry");
  await cp(join(EXAMPLES, "registry", "wasi"), join(registry, "wasi"), { recursive: true });
  return { ...h, registry };
}

/** A WIT package binary encoded from text (with no dependencies). */
export function encodeText(text: string): Uint8Array {
  const resolve = new Resolve();
  return encodeWitPackage(resolve, resolve.pushText("pkg.wit", text));
}

export async function readText(path: string): Promise<string> {
  return await readFile(path, "utf8");
}
