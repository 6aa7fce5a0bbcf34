import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "@wasm-pkg/test-utils";
import { runWkg } from "./helpers.js";

export const EXAMPLES = fileURLToPath(new URL("../../../examples/", import.meta.url));
/** The WIT package wasi:http@0.2.0 (upstream's binary_wit.wasm), shipped in the example registry. */
export const HTTP_WASM = join(EXAMPLES, "registry", "wasi", "http", "0.2.0.wasm");

/** Write `<root>/<ns>/<name>/<version>.wasm` files, keyed `ns:name@version`. */
export async function seed(root: string, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [spec, content] of Object.entries(files)) {
    const [ref, version] = spec.split("@") as [string, string];
    const [ns, name] = ref.split(":") as [string, string];
    await mkdir(join(root, ns, name), { recursive: true });
    await writeFile(join(root, ns, name, `${version}.wasm`), content);
  }
}

/**
 * A scratch project: a local registry `files` whose config names its root relatively
 * (`root = "registry"`, so it resolves against the config file), a private cache, and a
 * working directory. `run` runs wkg in-process there.
 */
export async function workspace(files: Record<string, string | Uint8Array> = {}, extraConfig = "") {
  const dir = await tempDir();
  const registry = join(dir, "registry");
  await mkdir(registry);
  await seed(registry, files);
  const config = join(dir, "config.toml");
  await writeFile(config, `default_registry = "files"\n[registry."files".local]\nroot = "registry"\n${extraConfig}`);
  const cache = join(dir, "cache");
  const cwd = join(dir, "work");
  await mkdir(cwd);
  const env = { HOME: dir, XDG_CONFIG_HOME: join(dir, "xdg"), WKG_CONFIG_FILE: config, WKG_CACHE_DIR: cache };
  const run = (
    argv: string[],
    options: Omit<Parameters<typeof runWkg>[1] & object, "env" | "cwd"> & { env?: Record<string, string> } = {},
  ) => runWkg(argv, { ...options, env: { ...env, ...options.env }, cwd });
  return { dir, registry, config, cache, cwd, env, run };
}

/** Every file under `dir`, relative, sorted. */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name).slice(dir.length + 1));
  }
  return out.sort();
}

/** A real WIT package binary, made with the project's own encoder (`package <name>; interface i { <body> }`). */
export async function witPackage(name: string, body = "f: func();"): Promise<Uint8Array> {
  const { Resolve, encodeWitPackage } = await import("@wasm-pkg/wit");
  const resolve = new Resolve();
  const id = resolve.pushText("pkg.wit", `package ${name};\n\ninterface i {\n  ${body}\n}\n`);
  return encodeWitPackage(resolve, id);
}
