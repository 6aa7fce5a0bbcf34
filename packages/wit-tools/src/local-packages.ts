import { WkgError } from "@wasm-pkg/common";
import type { ForeignDependency } from "@wasm-pkg/wit";
import type { LocalPackage } from "./local.js";

/** `ns:name[@version]`: a package's identity as wit-parser keys packages. */
export function packageKey(id: { name: string; version?: string }): string {
  return id.version ? `${id.name}@${id.version}` : id.name;
}

interface Found {
  local: LocalPackage;
  /** Where it comes from, for messages (`deps/x (in deps/)`, `workspace member`, ...). */
  source: string;
}

/**
 * The packages a project finds on disk — kept in `wit/deps`, workspace members, `[overrides]`
 * paths — told apart by name and version, as wit-parser tells packages apart: `deps/` may hold
 * `wasi:cli@0.2.3` and `wasi:cli@0.2.4` side by side, and each import finds its own.
 */
export class LocalPackages {
  private readonly byKey = new Map<string, Found>();
  private readonly byName = new Map<string, Found[]>();
  private readonly overrides = new Map<string, Found>();

  /**
   * Adds a package. The same name and version twice is an error, as wit-parser's `push_dir`
   * refuses a WIT package defined in two places; two WIT binaries of one package are merged
   * there, so they are accepted here (the resolve merges them, or names their conflict).
   */
  add(local: LocalPackage, source: string): void {
    const key = packageKey(local);
    const existing = this.byKey.get(key);
    if (existing && existing.local.path !== local.path && !(isBinary(existing.local) && isBinary(local))) {
      throw new WkgError("WIT_RESOLVE", `${key} is provided twice: by ${existing.source} and by ${source}`, {
        hint: "remove one of them (versions tell packages apart: one package may appear once per version)",
      });
    }
    if (existing) return;
    const found = { local, source };
    this.byKey.set(key, found);
    this.byName.set(local.name, [...(this.byName.get(local.name) ?? []), found]);
  }

  /** An `[overrides]` path: it serves every dependency on its package, whatever the version. */
  override(local: LocalPackage, source: string): void {
    this.overrides.set(local.name, { local, source });
  }

  /**
   * The local package a dependency uses: an override outranks a package kept in `deps/` and a
   * workspace member; otherwise the same name and version. A dependency without a version takes
   * the only local package of its name, if there is exactly one.
   */
  find(dep: ForeignDependency): Found | undefined {
    const chosen = this.overrides.get(dep.name) ?? this.byKey.get(packageKey(dep));
    if (chosen || dep.version) return chosen;
    const named = this.byName.get(dep.name) ?? [];
    return named.length === 1 ? named[0] : undefined;
  }
}

function isBinary(local: LocalPackage): boolean {
  return local.entry.kind === "file" && local.entry.bytes[0] === 0;
}
