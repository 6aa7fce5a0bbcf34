import { assembleWat } from "../binary/wat.js";
import { resolveError, WitError, withContext } from "../errors.js";
import type { PackageId } from "../model.js";
import { parseGroup, type UnresolvedPackageGroup, type WitSource } from "../text/group.js";
import { pushGroups } from "./push.js";
import { pushBinaryPackage, type Resolve } from "./resolve.js";

/** One entry of a package's `deps/` folder. */
export type WitDepEntry = { kind: "dir"; path: string; files: WitSource[] } | { kind: "file"; path: string; bytes: Uint8Array };

/**
 * A WIT package directory held in memory: its own `*.wit` files and the entries of its
 * `deps/` folder (sorted by name, as on disk). `fs.ts` reads one from the filesystem;
 * tools that fetch dependencies can build one without touching the disk.
 */
export interface WitDirSource {
  /** Display path of the directory, used in messages. */
  path: string;
  files: WitSource[];
  deps: WitDepEntry[];
}

export function isWasmOrWat(bytes: Uint8Array, path: string): boolean {
  if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d) return true;
  if (!path.endsWith(".wat") && !path.endsWith(".wasm")) return false;
  // WAT text: the first non-space, non-comment character is `(`.
  const text = new TextDecoder().decode(bytes.subarray(0, 256));
  return /^\s*(?:;;[^\n]*\n\s*|\(;[\s\S]*?;\)\s*)*\(/.test(text);
}

/**
 * The wasm binary a file holds, as wit-parser reads a file: binary as it is, WebAssembly text
 * (`.wat`) assembled; `undefined` when the file is neither (WIT text, say).
 */
export function wasmBinaryOf(bytes: Uint8Array, path: string): Uint8Array | undefined {
  if (!isWasmOrWat(bytes, path)) return undefined;
  if (bytes[0] === 0) return bytes;
  return withContext(
    () => `failed to parse ${path}`,
    () => assembleWat(new TextDecoder().decode(bytes)),
  );
}

/** Adds one file: binary packages are merged at once; WIT text becomes a group to sort. */
export function pushFileBytes(resolve: Resolve, path: string, bytes: Uint8Array): UnresolvedPackageGroup | PackageId {
  const binary = wasmBinaryOf(bytes, path);
  if (binary) return pushBinaryPackage(resolve, binary);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw resolveError(`input file is not valid utf-8 [${path}]`);
  }
  return parseGroup([{ path, contents: text }]);
}

/**
 * Resolves a package directory with its `deps/` (wit-parser's `push_dir`): each dependency
 * folder is one package (its `*.wit` files), each `.wit` file a package, each `.wasm` or
 * `.wat` file an encoded WIT package; then everything is added in dependency order.
 */
export function pushDirSource(resolve: Resolve, src: WitDirSource): PackageId {
  return withContext(
    () => `failed to resolve directory while parsing WIT for path [${src.path}]`,
    () => {
      const top = withContext(
        () => `failed to parse package: ${src.path}`,
        () => parseGroup(src.files),
      );
      const depsPath = `${src.path}/deps`;
      const deps = withContext(
        () => `failed to parse dependency directory: ${depsPath}`,
        () => {
          const groups: UnresolvedPackageGroup[] = [];
          for (const entry of src.deps) {
            if (entry.kind === "dir") {
              groups.push(
                withContext(
                  () => `failed to parse package: ${entry.path}`,
                  () => parseGroup(entry.files),
                ),
              );
            } else {
              const result = pushFileBytes(resolve, entry.path, entry.bytes);
              if (typeof result !== "number") groups.push(result);
            }
          }
          return groups;
        },
      );
      return pushGroups(resolve, top, deps);
    },
  );
}

export { WitError };
