import { resolveError } from "../errors.js";
import {
  type Interface,
  type InterfaceId,
  interfaceIdString,
  type Package,
  type PackageId,
  type PackageName,
  packageNameString,
  type Stability,
  type TypeDef,
  type TypeId,
  type World,
  type WorldId,
  type WorldItem,
  type WorldKey,
} from "../model.js";
import { compatTrack, SemVer } from "../semver.js";
import { parseGroup, type UnresolvedPackageGroup, type WitSource } from "../text/group.js";
import { decodeBytes } from "../binary/decode.js";
import { decodeError, publicCall } from "../errors.js";
import { mergeResolve } from "./merge.js";
import type { Remap } from "./remap.js";
import { pushGroups } from "./push.js";

/**
 * A set of fully resolved WIT packages, shaped like wit-parser's `Resolve`: flat arenas
 * addressed by numeric ids, with every package's dependencies also present. Build one with
 * {@link Resolve.pushText}, {@link Resolve.pushGroup}, {@link Resolve.merge} (decoded
 * binaries) or the helpers in `fs.ts`; read it with the printer or the encoder.
 */
export class Resolve {
  types: TypeDef[] = [];
  interfaces: Interface[] = [];
  worlds: World[] = [];
  packages: Package[] = [];
  /** Package id by `ns:name[@version]`. */
  packageNames = new Map<string, PackageId>();
  /** Features enabled for `@unstable(feature = ...)` items. */
  features: Set<string>;
  /** Keep every `@unstable` item (what wkg does). */
  allFeatures: boolean;

  constructor(options: { features?: Iterable<string>; allFeatures?: boolean } = {}) {
    this.features = new Set(options.features ?? []);
    this.allFeatures = options.allFeatures ?? false;
  }

  /** Adds a parsed package group whose dependencies are already in this Resolve. */
  pushGroup(group: UnresolvedPackageGroup): PackageId {
    return publicCall("WIT_RESOLVE", () => pushGroups(this, group, []));
  }

  /** Adds a main group and its dependency groups, sorted into dependency order. */
  pushGroups(main: UnresolvedPackageGroup, deps: UnresolvedPackageGroup[]): PackageId {
    return publicCall("WIT_RESOLVE", () => pushGroups(this, main, deps));
  }

  /** Parses WIT text (one file; `path` is only used in messages) and adds its packages. */
  pushText(path: string, contents: string): PackageId {
    return publicCall("WIT_RESOLVE", () => pushGroups(this, parseGroup([{ path, contents }]), []));
  }

  /** Parses several files forming one package (like a directory's `*.wit` files) and adds it. */
  pushFiles(files: readonly WitSource[]): PackageId {
    return publicCall("WIT_RESOLVE", () => pushGroups(this, parseGroup(files), []));
  }

  /**
   * Moves every package of `other` into this Resolve, unifying packages both contain
   * (they must agree on what they share). `other` must not be used afterwards.
   */
  merge(other: Resolve): Remap {
    return publicCall("WIT_RESOLVE", () => mergeResolve(this, other));
  }

  /** Decodes a binary WIT package (`.wasm`) and merges it in; returns its package id here. */
  pushBinary(bytes: Uint8Array): PackageId {
    return publicCall("WASM_DECODE", () => pushBinaryPackage(this, bytes));
  }

  type(id: TypeId): TypeDef {
    const t = this.types[id];
    if (t === undefined) throw new Error(`no type ${id}`);
    return t;
  }

  iface(id: InterfaceId): Interface {
    const i = this.interfaces[id];
    if (i === undefined) throw new Error(`no interface ${id}`);
    return i;
  }

  world(id: WorldId): World {
    const w = this.worlds[id];
    if (w === undefined) throw new Error(`no world ${id}`);
    return w;
  }

  pkg(id: PackageId): Package {
    const p = this.packages[id];
    if (p === undefined) throw new Error(`no package ${id}`);
    return p;
  }

  /** The package with this name (`ns:pkg` or `ns:pkg@1.2.3`), if present. */
  findPackage(name: string): PackageId | undefined {
    return this.packageNames.get(name);
  }

  /**
   * Semver-aware lookup: the package `ns:pkg@version` itself, else the highest version of
   * `ns:pkg` on the same compatibility track (`0.2.1` satisfies `0.2.0`, `1.4.0` satisfies
   * `1.0.0`; pre-releases only match exactly). Without a version, the highest release.
   * (Resolution of `use` paths stays exact, as in wit-parser.)
   */
  findCompatiblePackage(namespace: string, name: string, version?: SemVer): PackageId | undefined {
    if (version) {
      const exact = this.packageNames.get(`${namespace}:${name}@${version}`);
      if (exact !== undefined) return exact;
    } else {
      const unversioned = this.packageNames.get(`${namespace}:${name}`);
      if (unversioned !== undefined) return unversioned;
    }
    let best: PackageId | undefined;
    this.packages.forEach((p, id) => {
      const v = p.name.version;
      if (p.name.namespace !== namespace || p.name.name !== name || v === undefined) return;
      if (version) {
        if (version.isPrerelease || v.isPrerelease) return;
        if (!compatTrack(v).equals(compatTrack(version)) || SemVer.compare(v, version) < 0) return;
      }
      const current = best === undefined ? undefined : this.pkg(best).name.version;
      // Releases win over pre-releases; among equals, the higher version.
      const better =
        current === undefined ||
        (current.isPrerelease && !v.isPrerelease) ||
        (current.isPrerelease === v.isPrerelease && SemVer.compare(v, current) > 0);
      if (better) best = id;
    });
    return best;
  }

  /** `ns:pkg/iface[@ver]` for a named interface, undefined for an anonymous one. */
  idOf(id: InterfaceId): string | undefined {
    const iface = this.iface(id);
    if (iface.name === undefined || iface.package === undefined) return undefined;
    return interfaceIdString(this.pkg(iface.package).name, iface.name);
  }

  nameWorldKey(key: WorldKey): string {
    if (typeof key === "string") return key;
    const id = this.idOf(key);
    if (id === undefined) throw new Error("unexpected anonymous interface");
    return id;
  }

  /** The interface that a `use`-style alias type refers into, when it is another interface. */
  typeInterfaceDep(id: TypeId): InterfaceId | undefined {
    const ty = this.type(id);
    if (ty.kind.tag !== "type" || typeof ty.kind.ty !== "number") return undefined;
    const other = this.type(ty.kind.ty);
    const a = ty.owner;
    const b = other.owner;
    if (a.kind === b.kind && (a.kind === "none" || (a as { id: number }).id === (b as { id: number }).id)) return undefined;
    if (b.kind !== "interface") throw new Error("type alias into a non-interface owner");
    return b.id;
  }

  /** Direct interface dependencies of an interface, through its `use`d types (may repeat). */
  interfaceDirectDeps(id: InterfaceId): InterfaceId[] {
    const out: InterfaceId[] = [];
    for (const ty of this.iface(id).types.values()) {
      const dep = this.typeInterfaceDep(ty);
      if (dep !== undefined) out.push(dep);
    }
    return out;
  }

  packageDirectDeps(id: PackageId): PackageId[] {
    const pkg = this.pkg(id);
    const ifaces: InterfaceId[] = [];
    for (const iface of pkg.interfaces.values()) ifaces.push(...this.interfaceDirectDeps(iface));
    for (const wid of pkg.worlds.values()) {
      const world = this.world(wid);
      for (const item of [...world.imports.values(), ...world.exports.values()]) {
        if (item.tag === "interface") ifaces.push(item.id);
        else if (item.tag === "type") {
          const dep = this.typeInterfaceDep(item.id);
          if (dep !== undefined) ifaces.push(dep);
        }
      }
    }
    const out: PackageId[] = [];
    for (const i of ifaces) {
      const p = this.iface(i).package;
      if (p !== undefined && p !== id) out.push(p);
    }
    return out;
  }

  /** Packages in dependency order: every package after the ones it depends on. */
  topologicalPackages(): PackageId[] {
    const pushed = new Array<boolean>(this.packages.length).fill(false);
    const order: PackageId[] = [];
    const visit = (id: PackageId) => {
      if (pushed[id]) return;
      for (const dep of this.packageDirectDeps(id)) visit(dep);
      order.push(id);
      pushed[id] = true;
    };
    for (let id = 0; id < this.packages.length; id++) visit(id);
    return order;
  }

  /** Calls `f` on `id` and every interface it transitively depends on, once each. */
  foreachInterfaceDep(id: InterfaceId, f: (id: InterfaceId) => void, visited = new Set<InterfaceId>()): void {
    if (visited.has(id)) return;
    visited.add(id);
    f(id);
    for (const dep of this.interfaceDirectDeps(id)) this.foreachInterfaceDep(dep, f, visited);
  }

  /**
   * Whether an item with `stability` is kept in package `pkgId`; errors for version gates
   * in an unversioned package or gates naming a future version.
   */
  includeStability(stability: Stability, pkgId: PackageId, span: { start: number; end: number } | undefined): boolean {
    switch (stability.kind) {
      case "unknown":
        return true;
      case "stable": {
        const p = this.packages[pkgId];
        if (p === undefined) return true;
        const version = p.name.version;
        if (version === undefined) {
          throw resolveError(
            `package [${packageNameString(p.name)}] contains a feature gate with a version specifier, so it must have a version`,
            span,
          );
        }
        if (SemVer.compare(stability.since, version) > 0) {
          throw resolveError(
            `feature gate cannot reference unreleased version ${stability.since} of package [${packageNameString(p.name)}] (current version ${version})`,
            span,
          );
        }
        return true;
      }
      case "unstable":
        return this.allFeatures || this.features.has(stability.feature);
    }
  }

  /** Names of all packages, sorted, for "known packages" messages. */
  knownPackageNames(): string[] {
    return [...this.packageNames.keys()].sort();
  }

  packageNameOf(id: PackageId): PackageName {
    return this.pkg(id).name;
  }
}

export function worldItemsOf(world: World): Array<[WorldKey, WorldItem, "import" | "export"]> {
  const out: Array<[WorldKey, WorldItem, "import" | "export"]> = [];
  for (const [k, v] of world.imports) out.push([k, v, "import"]);
  for (const [k, v] of world.exports) out.push([k, v, "export"]);
  return out;
}

/** Decodes a binary WIT package and merges it into `resolve` (internal: throws WitError). */
export function pushBinaryPackage(resolve: Resolve, bytes: Uint8Array): PackageId {
  const decoded = decodeBytes(bytes);
  if (decoded.kind !== "wit-package") {
    throw decodeError("found an actual component instead of an encoded WIT package in wasm");
  }
  const remap = mergeResolve(resolve, decoded.resolve);
  return remap.packages[decoded.package] as PackageId;
}
