import { WkgError } from "@wasm-pkg/common";
import type { DecodedWasm } from "./binary/decode.js";
import type { InterfaceId, Type, TypeDefKind, TypeId, WitFunction, WorldId, WorldItem, WorldKey } from "./model.js";
import type { Resolve } from "./resolve/resolve.js";

/**
 * Structural compatibility of WIT worlds, as `wit_component::semver_check` decides it
 * through component subtyping (package versions ignored): a world `next` may stand in for
 * `prev` when it exports at least what `prev` exports, imports at most what `prev`
 * imports, and every shared item has exactly the same shape.
 */
class WorldChecker {
  constructor(
    private readonly prev: Resolve,
    private readonly next: Resolve,
  ) {}

  private keyName(resolve: Resolve, key: WorldKey): string {
    if (typeof key === "string") return key;
    const iface = resolve.iface(key);
    const pkg = resolve.pkg(iface.package as number).name;
    return `${pkg.namespace}:${pkg.name}/${iface.name}`;
  }

  private byName(resolve: Resolve, items: Map<WorldKey, WorldItem>): Map<string, WorldItem> {
    const out = new Map<string, WorldItem>();
    for (const [k, v] of items) out.set(this.keyName(resolve, k), v);
    return out;
  }

  /** Returns a description of the first incompatibility, or undefined. */
  checkWorld(prevWorld: WorldId, nextWorld: WorldId): string | undefined {
    const p = this.prev.world(prevWorld);
    const n = this.next.world(nextWorld);
    const nextExports = this.byName(this.next, n.exports);
    for (const [name, item] of this.byName(this.prev, p.exports)) {
      const other = nextExports.get(name);
      if (!other) return `export \`${name}\` was removed`;
      const problem = this.item(item, other, "export", name);
      if (problem) return problem;
    }
    const prevImports = this.byName(this.prev, p.imports);
    for (const [name, item] of this.byName(this.next, n.imports)) {
      const other = prevImports.get(name);
      if (!other) return `import \`${name}\` was added`;
      const problem = this.item(other, item, "import", name);
      if (problem) return problem;
    }
    return undefined;
  }

  /** `a` is the previous version's item, `b` the next one's. */
  private item(a: WorldItem, b: WorldItem, desc: string, name: string): string | undefined {
    if (a.tag !== b.tag) return `${desc} \`${name}\` changed kind from ${a.tag} to ${b.tag}`;
    if (a.tag === "function" && b.tag === "function") return this.func(a.func, b.func, `${desc} \`${name}\``);
    if (a.tag === "type" && b.tag === "type") {
      return this.typeId(a.id, b.id) ? undefined : `type \`${name}\` changed`;
    }
    if (a.tag === "interface" && b.tag === "interface") {
      // Exports: next must offer everything prev offered. Imports: prev must still satisfy next.
      return desc === "export"
        ? this.iface(this.prev, a.id, this.next, b.id, `${desc} \`${name}\``, false)
        : this.iface(this.next, b.id, this.prev, a.id, `${desc} \`${name}\``, true);
    }
    return undefined;
  }

  /** Everything `required` lists must exist in `provided` with the same shape. */
  private iface(
    requiredResolve: Resolve,
    required: InterfaceId,
    providedResolve: Resolve,
    provided: InterfaceId,
    where: string,
    swapped: boolean,
  ): string | undefined {
    const r = requiredResolve.iface(required);
    const p = providedResolve.iface(provided);
    for (const [name, ty] of r.types) {
      const other = p.types.get(name);
      if (other === undefined) return `${where}: type \`${name}\` is missing`;
      const same = swapped ? this.typeId(other, ty) : this.typeId(ty, other);
      if (!same) return `${where}: type \`${name}\` changed`;
    }
    for (const [name, f] of r.functions) {
      const other = p.functions.get(name);
      if (!other) return `${where}: function \`${name}\` is missing`;
      const problem = swapped
        ? this.func(other, f, `${where}: function \`${name}\``)
        : this.func(f, other, `${where}: function \`${name}\``);
      if (problem) return problem;
    }
    return undefined;
  }

  private func(a: WitFunction, b: WitFunction, where: string): string | undefined {
    if (a.kind.tag !== b.kind.tag) return `${where} changed kind`;
    if (a.params.length !== b.params.length) return `${where} has a different number of parameters`;
    for (let i = 0; i < a.params.length; i++) {
      const [an, at] = a.params[i] as [string, Type];
      const [bn, bt] = b.params[i] as [string, Type];
      if (an !== bn) return `${where} parameter \`${an}\` was renamed to \`${bn}\``;
      if (!this.type(at, bt)) return `${where} parameter \`${an}\` changed type`;
    }
    if ((a.result === undefined) !== (b.result === undefined)) return `${where} result changed`;
    if (a.result !== undefined && !this.type(a.result, b.result as Type)) return `${where} result changed type`;
    return undefined;
  }

  private readonly memo = new Map<string, boolean>();

  private type(a: Type, b: Type): boolean {
    if (typeof a === "string" || typeof b === "string") return a === b;
    return this.typeId(a, b);
  }

  private peel(resolve: Resolve, id: TypeId): TypeId {
    let cur = id;
    for (let i = 0; i < 10_000; i++) {
      const k = resolve.type(cur).kind;
      if (k.tag === "type" && typeof k.ty === "number") cur = k.ty;
      else return cur;
    }
    return cur;
  }

  private resourceName(resolve: Resolve, id: TypeId): string {
    const def = resolve.type(id);
    const owner = def.owner;
    const where = owner.kind === "interface" ? this.keyName(resolve, owner.id) : owner.kind === "world" ? "world" : "";
    return `${where}#${def.name}`;
  }

  private typeId(a: TypeId, b: TypeId): boolean {
    const pa = this.peel(this.prev, a);
    const pb = this.peel(this.next, b);
    const key = `${pa}:${pb}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    this.memo.set(key, true);
    const ka = this.prev.type(pa).kind;
    const kb = this.next.type(pb).kind;
    let same: boolean;
    if (ka.tag === "type") same = kb.tag === "type" && this.type(ka.ty, (kb as { ty: Type }).ty);
    else same = this.kind(ka, kb, pa, pb);
    this.memo.set(key, same);
    return same;
  }

  private kind(a: TypeDefKind, b: TypeDefKind, ida: TypeId, idb: TypeId): boolean {
    if (a.tag !== b.tag) return false;
    const t = (x: Type | undefined, y: Type | undefined) => (x === undefined || y === undefined ? x === y : this.type(x, y));
    switch (a.tag) {
      case "resource":
        return this.resourceName(this.prev, ida) === this.resourceName(this.next, idb);
      case "handle": {
        const o = b as typeof a;
        return a.handle === o.handle && this.typeId(a.resource, o.resource);
      }
      case "record": {
        const o = b as typeof a;
        return a.fields.length === o.fields.length && a.fields.every((f, i) => f.name === o.fields[i]?.name && t(f.ty, o.fields[i]?.ty));
      }
      case "variant": {
        const o = b as typeof a;
        return a.cases.length === o.cases.length && a.cases.every((c, i) => c.name === o.cases[i]?.name && t(c.ty, o.cases[i]?.ty));
      }
      case "flags": {
        const o = b as typeof a;
        return a.flags.map((f) => f.name).join(",") === o.flags.map((f) => f.name).join(",");
      }
      case "enum": {
        const o = b as typeof a;
        return a.cases.map((f) => f.name).join(",") === o.cases.map((f) => f.name).join(",");
      }
      case "tuple": {
        const o = b as typeof a;
        return a.types.length === o.types.length && a.types.every((x, i) => t(x, o.types[i]));
      }
      case "option":
      case "list":
        return t(a.ty, (b as typeof a).ty);
      case "fixed-size-list": {
        const o = b as typeof a;
        return a.size === o.size && t(a.ty, o.ty);
      }
      case "map": {
        const o = b as typeof a;
        return t(a.key, o.key) && t(a.value, o.value);
      }
      case "result": {
        const o = b as typeof a;
        return t(a.ok, o.ok) && t(a.err, o.err);
      }
      case "future":
      case "stream":
        return t(a.ty, (b as typeof a).ty);
      default:
        return false;
    }
  }
}

function worldsOf(decoded: DecodedWasm): Map<string, WorldId> {
  if (decoded.kind === "component") return new Map([[decoded.resolve.world(decoded.world).name, decoded.world]]);
  return new Map(decoded.resolve.pkg(decoded.package).worlds);
}

/**
 * Checks that `next` (a newer release) can replace `previous` (an older release of the same
 * series), as wkg's publish gate does: every world of `previous` must still exist and the
 * newer world must be usable wherever the older one was. Packages without worlds pass.
 * Returns a description of the first incompatibility, or undefined.
 */
export function semverProblem(previous: DecodedWasm, next: DecodedWasm): string | undefined {
  const prevWorlds = worldsOf(previous);
  const nextWorlds = worldsOf(next);
  const checker = new WorldChecker(previous.resolve, next.resolve);
  for (const [name, id] of prevWorlds) {
    const other = nextWorlds.get(name);
    if (other === undefined) return `world \`${name}\` was removed`;
    const problem = checker.checkWorld(id, other);
    if (problem) return `world \`${name}\`: ${problem}`;
  }
  return undefined;
}

/** Throws `SEMVER_INCOMPATIBLE` when {@link semverProblem} finds one. */
export function assertSemverCompatible(
  previous: DecodedWasm,
  next: DecodedWasm,
  versions: { previous?: string; next?: string } = {},
): void {
  const problem = semverProblem(previous, next);
  if (problem === undefined) return;
  const newer = versions.next ?? "(new)";
  const older = versions.previous ?? "(previous)";
  throw new WkgError("SEMVER_INCOMPATIBLE", `new version ${newer} is not semver-compatible with existing version ${older}: ${problem}`, {
    hint: "publish it as a new major version (or 0.x minor version), or pass --skip-semver-check",
    details: { previous: older, new: newer, reason: problem },
  });
}
