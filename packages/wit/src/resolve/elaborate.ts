import { resolveError, type Span } from "../errors.js";
import {
  cloneKind,
  externalIdField,
  functionResource,
  type InterfaceId,
  type Stability,
  stabilityEquals,
  type TypeDef,
  type WorldId,
  type WorldItem,
  type WorldKey,
} from "../model.js";
import type { Resolve } from "./resolve.js";

/** The print/encode class of a world import: interfaces, used types, types, functions. */
function sortKey(resolve: Resolve, item: WorldItem): number {
  switch (item.tag) {
    case "interface":
      return 0;
    case "type": {
      const ty = resolve.type(item.id);
      if (ty.kind.tag === "type" && typeof ty.kind.ty === "number") {
        const other = resolve.type(ty.kind.ty).owner;
        const mine = ty.owner;
        const same = other.kind === mine.kind && (other.kind === "none" || (other as { id: number }).id === (mine as { id: number }).id);
        if (!same) return 1;
      }
      return 2;
    }
    case "function":
      return functionResource(item.func.kind) === undefined ? 3 : 4;
  }
}

function stableSortEntries(resolve: Resolve, entries: Array<[WorldKey, WorldItem]>): Array<[WorldKey, WorldItem]> {
  return entries
    .map((e, i) => ({ e, i, k: sortKey(resolve, e[1]) }))
    .sort((a, b) => a.k - b.k || a.i - b.i)
    .map((x) => x.e);
}

type InterfaceItem = Extract<WorldItem, { tag: "interface" }>;

/**
 * Adds an interface import after the imports it depends on. The item keeps its own docs and
 * external-id; the dependencies added for it carry only its stability.
 */
function elaborateImport(resolve: Resolve, imports: Map<WorldKey, WorldItem>, key: WorldKey, item: InterfaceItem): void {
  if (imports.has(key)) return;
  for (const dep of resolve.interfaceDirectDeps(item.id)) {
    elaborateImport(resolve, imports, dep, { tag: "interface", id: dep, stability: item.stability });
  }
  imports.set(key, item);
}

/**
 * World elaboration (wit-parser's `elaborate_world`): adds every interface that imports
 * and exports transitively need, orders imports by class, and rejects worlds whose exports
 * would need an interface both imported and exported.
 */
export function elaborateWorld(resolve: Resolve, worldId: WorldId, span?: Span): void {
  const world = resolve.world(worldId);
  const newImports = new Map<WorldKey, WorldItem>();
  for (const [key, item] of stableSortEntries(resolve, [...world.imports])) {
    switch (item.tag) {
      case "interface":
        elaborateImport(resolve, newImports, key, item);
        break;
      case "function":
        newImports.set(key, item);
        break;
      case "type": {
        const dep = resolve.typeInterfaceDep(item.id);
        if (dep !== undefined)
          elaborateImport(resolve, newImports, dep, { tag: "interface", id: dep, stability: resolve.type(item.id).stability });
        newImports.set(key, item);
        break;
      }
    }
  }
  const newExports = new Map<WorldKey, WorldItem>();
  // Keyed by world key, not interface id: one interface exported under several names
  // (`export a: i; export b: i;`) is several exports, each kept.
  const exportInterfaces = new Map<WorldKey, InterfaceItem>();
  for (const [key, item] of world.exports) {
    if (item.tag === "interface") exportInterfaces.set(key, item);
    else if (item.tag === "function") newExports.set(key, item);
    else throw new Error("type exports are not supported");
  }

  const requiredImports = new Set<InterfaceId>();
  const addExport = (key: WorldKey, item: InterfaceItem, add: boolean): boolean => {
    if (newExports.has(key)) return add;
    if (!add && requiredImports.has(item.id)) return true;
    for (const dep of resolve.interfaceDirectDeps(item.id)) {
      // A dependency inherits the dependent's stability and external-id (not its docs), as
      // upstream; it is satisfied by an export only when exported under its own (unnamed) key.
      const depItem: InterfaceItem = { tag: "interface", id: dep, stability: item.stability, ...externalIdField(item.externalId) };
      if (!addExport(dep, depItem, add && exportInterfaces.has(dep))) return false;
    }
    if (add) {
      if (requiredImports.has(item.id)) return false;
      newExports.set(key, item);
    } else {
      requiredImports.add(item.id);
      // An explicit import keeps its own stability and docs: the dependency's copy, carrying
      // the exporting interface's stability, must not replace it.
      if (!newImports.has(key)) newImports.set(key, item);
    }
    return true;
  };
  for (const [key, item] of exportInterfaces) {
    if (!addExport(key, item, true)) {
      throw resolveError(`interface \`${resolve.nameWorldKey(key)}\` transitively depends on an interface in incompatible ways`, span);
    }
  }
  world.imports = new Map(stableSortEntries(resolve, [...newImports]));
  world.exports = newExports;
}

/** Deep-copies world-owned types and anonymous interfaces from one world to another. */
export class Cloner {
  readonly types = new Map<number, number>();
  newPackage: number | undefined;

  constructor(
    private readonly resolve: Resolve,
    private readonly prevOwner: TypeDef["owner"],
    private readonly newOwner: TypeDef["owner"],
  ) {}

  worldItem(key: WorldKey, item: WorldItem): WorldItem {
    if (typeof key !== "string") return item;
    switch (item.tag) {
      case "type":
        return { tag: "type", id: this.typeId(item.id) };
      case "function": {
        const func = { ...item.func, kind: { ...item.func.kind }, params: item.func.params.map(([n, t]) => [n, t]) };
        const resource = functionResource(func.kind);
        if (resource !== undefined) (func.kind as { resource: number }).resource = this.typeId(resource);
        func.params = func.params.map(([n, t]) => [n as string, this.ty(t as number | string)]) as typeof func.params;
        if (func.result !== undefined) func.result = this.ty(func.result);
        return { tag: "function", func: func as typeof item.func };
      }
      case "interface":
        // Everything but the id carries over: stability, docs and external-id.
        return { ...item, id: this.interface(item.id) };
    }
  }

  private sameOwner(a: TypeDef["owner"], b: TypeDef["owner"]): boolean {
    if (a.kind === "none" || b.kind === "none") return a.kind === b.kind;
    return a.kind === b.kind && a.id === b.id;
  }

  typeId(id: number): number {
    const known = this.types.get(id);
    if (known !== undefined) return known;
    const src = this.resolve.type(id);
    const copy: TypeDef = { ...src, kind: cloneKind(src.kind) };
    this.typeDef(copy);
    this.resolve.types.push(copy);
    const newId = this.resolve.types.length - 1;
    this.types.set(id, newId);
    return newId;
  }

  private ty<T extends number | string>(ty: T): T {
    return (typeof ty === "number" ? this.typeId(ty) : ty) as T;
  }

  private typeDef(def: TypeDef): void {
    if (def.owner.kind !== "none") def.owner = this.newOwner;
    const k = def.kind;
    switch (k.tag) {
      case "type":
        if (typeof k.ty === "number" && this.sameOwner(this.resolve.type(k.ty).owner, this.prevOwner)) {
          k.ty = this.typeId(k.ty);
        }
        break;
      case "handle":
        k.resource = this.typeId(k.resource);
        break;
      case "option":
      case "list":
      case "fixed-size-list":
        k.ty = this.ty(k.ty);
        break;
      case "map":
        k.key = this.ty(k.key);
        k.value = this.ty(k.value);
        break;
      case "tuple":
        k.types = k.types.map((t) => this.ty(t));
        break;
      case "record":
        for (const f of k.fields) f.ty = this.ty(f.ty);
        break;
      case "variant":
        for (const c of k.cases) if (c.ty !== undefined) c.ty = this.ty(c.ty);
        break;
      case "result":
        if (k.ok !== undefined) k.ok = this.ty(k.ok);
        if (k.err !== undefined) k.err = this.ty(k.err);
        break;
      case "future":
      case "stream":
        if (k.ty !== undefined) k.ty = this.ty(k.ty);
        break;
      default:
        break;
    }
  }

  private interface(id: InterfaceId): InterfaceId {
    const src = this.resolve.iface(id);
    const nextId = this.resolve.interfaces.length;
    const inner = new Cloner(this.resolve, { kind: "interface", id }, { kind: "interface", id: nextId });
    const types = new Map<string, number>();
    for (const [name, t] of src.types) types.set(name, inner.typeId(t));
    const functions = new Map<string, typeof src.functions extends Map<string, infer F> ? F : never>();
    for (const [name, f] of src.functions) {
      const cloned = inner.worldItem(name, { tag: "function", func: f });
      functions.set(name, (cloned as Extract<WorldItem, { tag: "function" }>).func);
    }
    let pkg: number | undefined;
    if (this.newPackage !== undefined) pkg = this.newPackage;
    else if (this.newOwner.kind === "interface") pkg = this.resolve.iface(this.newOwner.id).package;
    else if (this.newOwner.kind === "world") pkg = this.resolve.world(this.newOwner.id).package;
    this.resolve.interfaces.push({ ...src, types, functions, package: pkg });
    return nextId;
  }
}

/** `include w with { a as b }`: the new name of `original` (also `[method]a.f` style names). */
function rename(original: string, names: { name: string; as: string }): string | undefined {
  if (original === names.name) return names.as;
  const close = original.indexOf("]");
  if (close === -1) return undefined;
  const kind = original.slice(0, close);
  const rest = original.slice(close + 1);
  const dot = rest.indexOf(".");
  if (dot !== -1 && rest.slice(0, dot) === names.name) return `${kind}]${names.as}.${rest.slice(dot + 1)}`;
  if (rest === names.name) return `${kind}]${names.as}`;
  return undefined;
}

/** Copies the imports and exports of `includeWorld` into `worldId` (one `include` statement). */
export function resolveInclude(
  resolve: Resolve,
  worldId: WorldId,
  includeWorld: WorldId,
  names: Array<{ name: string; as: string }>,
  span: Span | undefined,
  pkgId: number,
): void {
  const world = resolve.world(worldId);
  const included = resolve.world(includeWorld);
  const unmatched = names.filter(
    (n) => ![...included.imports.keys(), ...included.exports.keys()].some((k) => typeof k === "string" && rename(k, n) !== undefined),
  );
  if (unmatched.length > 0) {
    throw resolveError(
      `no import or export kebab-name \`${(unmatched[0] as { name: string }).name}\`. Note that an ID does not support renaming`,
      span,
    );
  }
  const external = world.package !== included.package;
  const cloner = new Cloner(resolve, { kind: "world", id: includeWorld }, { kind: "world", id: worldId });
  cloner.newPackage = pkgId;
  const copy = (items: Map<WorldKey, WorldItem>, into: Map<WorldKey, WorldItem>, desc: "import" | "export") => {
    for (const [key, item] of [...items]) {
      if (typeof key === "string") {
        let n = key;
        for (const name of names) {
          const renamed = rename(key, name);
          if (renamed !== undefined) {
            n = renamed;
            break;
          }
        }
        const newItem = cloner.worldItem(n, item);
        if (newItem.tag === "function") newItem.func.name = n;
        else if (newItem.tag === "type") resolve.type(newItem.id).name = n;
        if (into.has(n)) throw resolveError(`${desc} of \`${n}\` shadows previously ${desc}ed items`, span);
        into.set(n, newItem);
      } else {
        // As upstream: insert if absent, then merge stabilities (also with the inserted copy,
        // which drops a `@since` that came from another package).
        const prev = into.get(key) ?? item;
        if (prev.tag !== "interface" || item.tag !== "interface") throw new Error("mismatched include item");
        into.set(key, { ...prev, stability: mergeIncludeStability(item.stability, prev.stability, external) });
      }
    }
  };
  copy(included.imports, world.imports, "import");
  copy(included.exports, world.exports, "export");
}

function mergeIncludeStability(from: Stability, into: Stability, external: boolean): Stability {
  if (external && from.kind === "stable") return { kind: "unknown" };
  return updateStability(from, into);
}

/** Combines two stability annotations of the same item; unknown yields to known. */
export function updateStability(from: Stability, into: Stability): Stability {
  if (stabilityEquals(from, into) || from.kind === "unknown") return into;
  if (into.kind === "unknown") return from;
  throw resolveError(`mismatch in stability from '${describeStability(from)}' to '${describeStability(into)}'`);
}

function describeStability(s: Stability): string {
  switch (s.kind) {
    case "unknown":
      return "Unknown";
    case "stable":
      return `Stable { since: ${s.since}, deprecated: ${s.deprecated ? `Some(${s.deprecated})` : "None"} }`;
    case "unstable":
      return `Unstable { feature: "${s.feature}", deprecated: ${s.deprecated ? `Some(${s.deprecated})` : "None"} }`;
  }
}

/** Kebab names are case-insensitive: `foo` and `FOO` may not both be imported (or exported). */
export function validateCaseInsensitiveNames(resolve: Resolve, worldId: WorldId): void {
  const world = resolve.world(worldId);
  for (const [items, desc] of [
    [world.imports, "import"],
    [world.exports, "export"],
  ] as const) {
    const seen = new Map<string, string>();
    for (const key of items.keys()) {
      if (typeof key !== "string") continue;
      const lower = key.toLowerCase();
      const existing = seen.get(lower);
      if (existing !== undefined && existing !== key) {
        throw resolveError(
          `${desc} \`${key}\` in world \`${world.name}\` conflicts with ${desc} \`${existing}\` (kebab-case identifiers are case-insensitive)`,
        );
      }
      seen.set(lower, key);
    }
  }
}
