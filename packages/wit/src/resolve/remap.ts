import { resolveError, type Span, WitError } from "../errors.js";
import {
  functionResource,
  type Interface,
  type InterfaceId,
  itemStability,
  type PackageId,
  packageNameString,
  type Type,
  type TypeDef,
  type TypeId,
  type WitFunction,
  type World,
  type WorldId,
  type WorldItem,
  type WorldKey,
} from "../model.js";
import type { InterfaceSpan, ItemRef, UnresolvedPackage, WorldSpan } from "../text/unresolved.js";
import { elaborateWorld, resolveInclude, validateCaseInsensitiveNames } from "./elaborate.js";
import type { Resolve } from "./resolve.js";

/**
 * Maps ids of an unresolved package (or a merged Resolve) to ids in the target Resolve;
 * `undefined` marks an item dropped by a feature gate. A port of wit-parser's `Remap`.
 */
export class Remap {
  types: Array<TypeId | undefined> = [];
  interfaces: Array<InterfaceId | undefined> = [];
  worlds: Array<WorldId | undefined> = [];
  packages: PackageId[] = [];
  /** Anonymous `own<T>` handles created for references to resource `T`, shared per resource. */
  private readonly ownHandles = new Map<TypeId, TypeId>();
  private readonly hasBorrowCache = new Map<TypeId, boolean>();

  private apply(map: Array<number | undefined>, id: number, desc: string, span: Span | undefined): number {
    if (id >= map.length) throw new Error(`request to remap a ${desc} that has not yet been registered`);
    const mapped = map[id];
    if (mapped === undefined) {
      throw resolveError(`found a reference to a ${desc} which is excluded due to its feature not being activated`, span);
    }
    return mapped;
  }

  mapType(id: TypeId, span?: Span): TypeId {
    return this.apply(this.types, id, "type", span);
  }

  mapInterface(id: InterfaceId, span?: Span): InterfaceId {
    return this.apply(this.interfaces, id, "interface", span);
  }

  mapWorld(id: WorldId, span?: Span): WorldId {
    return this.apply(this.worlds, id, "world", span);
  }

  /** Adds `unresolved` to `resolve`; its foreign dependencies must already be there. */
  append(resolve: Resolve, unresolved: UnresolvedPackage): PackageId {
    const key = packageNameString(unresolved.name);
    if (resolve.packageNames.has(key)) {
      throw resolveError(`attempting to re-add package \`${key}\` when it's already present in this \`Resolve\``);
    }
    resolve.packages.push({ name: unresolved.name, docs: unresolved.docs, interfaces: new Map(), worlds: new Map() });
    const pkgId = resolve.packages.length - 1;
    resolve.packageNames.set(key, pkgId);

    this.processForeignDeps(resolve, pkgId, unresolved);
    const foreignTypes = this.types.length;
    const foreignInterfaces = this.interfaces.length;
    const foreignWorlds = this.worlds.length;

    for (let id = foreignTypes; id < unresolved.types.length; id++) {
      const ty = unresolved.types[id] as TypeDef;
      const span = unresolved.typeSpans[id] as Span;
      if (!resolve.includeStability(ty.stability, pkgId, span)) {
        this.types.push(undefined);
        continue;
      }
      this.updateTypeDef(resolve, ty, span, unresolved.fieldSpans.get(id));
      resolve.types.push(ty);
      let newId = resolve.types.length - 1;
      if (ty.name === undefined && ty.owner.kind === "none" && ty.kind.tag === "handle" && ty.kind.handle === "own") {
        const existing = this.ownHandles.get(ty.kind.resource);
        if (existing !== undefined) newId = existing;
        else this.ownHandles.set(ty.kind.resource, newId);
      }
      this.types.push(newId);
    }

    for (let id = foreignInterfaces; id < unresolved.interfaces.length; id++) {
      const iface = unresolved.interfaces[id] as Interface;
      const spans = unresolved.interfaceSpans[id] as InterfaceSpan;
      if (!resolve.includeStability(iface.stability, pkgId, spans.span)) {
        this.interfaces.push(undefined);
        continue;
      }
      iface.package = pkgId;
      this.updateInterface(resolve, iface, spans);
      resolve.interfaces.push(iface);
      this.interfaces.push(resolve.interfaces.length - 1);
    }

    for (let i = foreignTypes; i < this.types.length; i++) {
      const id = this.types[i];
      if (id === undefined) continue;
      const ty = resolve.type(id);
      if (ty.owner.kind === "interface") {
        const span = unresolved.typeSpans[i];
        ty.owner = { kind: "interface", id: this.mapOwner(() => this.mapInterface((ty.owner as { id: number }).id, span)) };
      }
    }

    for (let id = foreignWorlds; id < unresolved.worlds.length; id++) {
      const world = unresolved.worlds[id] as World;
      const spans = unresolved.worldSpans[id] as WorldSpan;
      if (!resolve.includeStability(world.stability, pkgId, spans.span)) {
        this.worlds.push(undefined);
        continue;
      }
      this.updateWorld(world, resolve, pkgId, spans);
      resolve.worlds.push(world);
      this.worlds.push(resolve.worlds.length - 1);
    }

    for (let i = foreignTypes; i < this.types.length; i++) {
      const id = this.types[i];
      if (id === undefined) continue;
      const ty = resolve.type(id);
      if (ty.owner.kind === "world") {
        const span = unresolved.typeSpans[i];
        ty.owner = { kind: "world", id: this.mapOwner(() => this.mapWorld((ty.owner as { id: number }).id, span)) };
      }
    }

    for (let i = foreignWorlds; i < this.worlds.length; i++) {
      const id = this.worlds[i];
      if (id === undefined) continue;
      const spans = unresolved.worldSpans[i] as WorldSpan;
      this.processWorldIncludes(id, resolve, pkgId, spans);
      elaborateWorld(resolve, id, spans.span);
    }

    const pkg = resolve.pkg(pkgId);
    for (let i = foreignInterfaces; i < this.interfaces.length; i++) {
      const id = this.interfaces[i];
      if (id === undefined) continue;
      const iface = resolve.iface(id);
      iface.package = pkgId;
      if (iface.name !== undefined) pkg.interfaces.set(iface.name, id);
    }
    for (let i = foreignWorlds; i < this.worlds.length; i++) {
      const id = this.worlds[i];
      if (id === undefined) continue;
      const world = resolve.world(id);
      world.package = pkgId;
      pkg.worlds.set(world.name, id);
    }
    return pkgId;
  }

  private mapOwner(f: () => number): number {
    try {
      return f();
    } catch (error) {
      if (error instanceof WitError) {
        throw resolveError(`${error.message}; this type is not gated by a feature but its interface is`, error.span);
      }
      throw error;
    }
  }

  private processForeignDeps(resolve: Resolve, pkgId: PackageId, unresolved: UnresolvedPackage): void {
    const worldToPackage = new Map<WorldId, [string, string, Span, ReturnType<typeof stabilitiesOf>]>();
    const interfaceToPackage = new Map<InterfaceId, [string, string, Span, ReturnType<typeof stabilitiesOf>]>();
    let i = 0;
    for (const [pkgKey, dep] of unresolved.foreignDeps) {
      const span = unresolved.foreignDepSpans[i] as Span;
      for (const [name, { item, stabilities }] of dep.items) {
        const target = item.kind === "interface" ? interfaceToPackage : worldToPackage;
        target.set(item.id, [pkgKey, name, span, stabilities]);
      }
      i++;
    }

    for (let id = 0; id < unresolved.interfaces.length; id++) {
      const info = interfaceToPackage.get(id);
      if (!info) break;
      const [pkgKey, name, span, stabilities] = info;
      const depId = resolve.packageNames.get(pkgKey);
      if (depId === undefined) throw packageNotFound(resolve, pkgKey, span);
      const itemSpan = (unresolved.interfaceSpans[id] as InterfaceSpan).span;
      if (!stabilities.some((s) => resolve.includeStability(s, pkgId, itemSpan))) {
        this.interfaces.push(undefined);
        continue;
      }
      const ifaceId = resolve.pkg(depId).interfaces.get(name);
      if (ifaceId === undefined) {
        throw resolveError(`interface '${name}' not found in package '${pkgKey}'`, itemSpan);
      }
      this.interfaces.push(ifaceId);
    }

    for (let id = 0; id < unresolved.worlds.length; id++) {
      const info = worldToPackage.get(id);
      if (!info) break;
      const [pkgKey, name, span, stabilities] = info;
      const depId = resolve.packageNames.get(pkgKey);
      if (depId === undefined) throw packageNotFound(resolve, pkgKey, span);
      const itemSpan = (unresolved.worldSpans[id] as WorldSpan).span;
      if (!stabilities.some((s) => resolve.includeStability(s, pkgId, itemSpan))) {
        this.worlds.push(undefined);
        continue;
      }
      const worldId = resolve.pkg(depId).worlds.get(name);
      if (worldId === undefined) throw resolveError(`world '${name}' not found in package '${pkgKey}'`, itemSpan);
      this.worlds.push(worldId);
    }

    for (let id = 0; id < unresolved.types.length; id++) {
      const ty = unresolved.types[id] as TypeDef;
      if (ty.kind.tag !== "unknown") break;
      const span = unresolved.typeSpans[id] as Span;
      if (!resolve.includeStability(ty.stability, pkgId, span)) {
        this.types.push(undefined);
        continue;
      }
      if (ty.owner.kind !== "interface") throw new Error("foreign type without an interface");
      const ifaceId = this.mapInterface(ty.owner.id);
      const name = ty.name as string;
      const found = resolve.iface(ifaceId).types.get(name);
      if (found === undefined) {
        throw resolveError(`type \`${name}\` not defined in interface`, unresolved.unknownTypeSpans[id]);
      }
      this.types.push(found);
    }

    for (const [id, span] of unresolved.requiredResourceTypes) {
      let cur: number;
      try {
        cur = this.mapType(id, span);
      } catch {
        continue;
      }
      for (;;) {
        const kind = resolve.type(cur).kind;
        if (kind.tag === "type" && typeof kind.ty === "number") cur = kind.ty;
        else if (kind.tag === "resource") break;
        else throw resolveError("type used in a handle must be a resource", span);
      }
    }
  }

  updateTypeDef(resolve: Resolve, ty: TypeDef, span: Span | undefined, fieldSpans?: Span[]): void {
    const k = ty.kind;
    switch (k.tag) {
      case "handle":
        k.resource = this.mapType(k.resource, span);
        break;
      case "resource":
      case "flags":
      case "enum":
        break;
      case "record":
        k.fields.forEach((f, i) => {
          f.ty = this.updateTy(resolve, f.ty, fieldSpans?.[i] ?? span);
        });
        break;
      case "tuple":
        k.types = k.types.map((t) => this.updateTy(resolve, t, span));
        break;
      case "variant":
        for (const c of k.cases) if (c.ty !== undefined) c.ty = this.updateTy(resolve, c.ty, span);
        break;
      case "option":
      case "list":
      case "fixed-size-list":
        k.ty = this.updateTy(resolve, k.ty, span);
        break;
      case "future":
      case "stream":
        if (k.ty !== undefined) k.ty = this.updateTy(resolve, k.ty, span);
        break;
      case "map":
        k.key = this.updateTy(resolve, k.key, span);
        k.value = this.updateTy(resolve, k.value, span);
        break;
      case "result":
        if (k.ok !== undefined) k.ok = this.updateTy(resolve, k.ok, span);
        if (k.err !== undefined) k.err = this.updateTy(resolve, k.err, span);
        break;
      case "type":
        // `type a = r` with `r` a resource keeps `a` usable as both resource and handle.
        if (typeof k.ty === "number") k.ty = this.mapType(k.ty, span);
        break;
      case "unknown":
        throw new Error("unknown type in resolved package");
    }
  }

  /** Maps a type reference; a reference to a resource becomes the shared `own<r>` handle. */
  updateTy(resolve: Resolve, ty: Type, span: Span | undefined): Type {
    if (typeof ty !== "number") return ty;
    const id = this.mapType(ty, span);
    let cur = id;
    for (;;) {
      const kind = resolve.type(cur).kind;
      if (kind.tag === "type" && typeof kind.ty === "number") cur = kind.ty;
      else if (kind.tag === "resource") break;
      else return id;
    }
    let own = this.ownHandles.get(id);
    if (own === undefined) {
      resolve.types.push({
        name: undefined,
        owner: { kind: "none" },
        kind: { tag: "handle", handle: "own", resource: id },
        docs: undefined,
        stability: { kind: "unknown" },
      });
      own = resolve.types.length - 1;
      this.ownHandles.set(id, own);
    }
    return own;
  }

  /**
   * `gatePackage` is the package whose version `@since` gates are checked against; when
   * merging a decoded Resolve it is `-1` (the gates were checked when it was built).
   */
  updateInterface(resolve: Resolve, iface: Interface, spans: InterfaceSpan | undefined, gatePackage?: number): void {
    for (const [name, ty] of [...iface.types]) {
      if (this.types[ty] === undefined) iface.types.delete(name);
    }
    const pkgId = gatePackage ?? (iface.package as PackageId);
    for (const [name, ty] of iface.types) iface.types.set(name, this.mapType(ty, spans?.span));
    let i = 0;
    for (const func of iface.functions.values()) {
      const span = spans?.funcs[i];
      i++;
      if (!resolve.includeStability(func.stability, pkgId, span)) continue;
      this.updateFunction(resolve, func, span);
    }
    for (const [name, func] of [...iface.functions]) {
      if (!resolve.includeStability(func.stability, pkgId, undefined)) iface.functions.delete(name);
    }
  }

  updateFunction(resolve: Resolve, func: WitFunction, span: Span | undefined): void {
    const resource = functionResource(func.kind);
    if (resource !== undefined) (func.kind as { resource: number }).resource = this.mapType(resource, span);
    func.params = func.params.map(([n, t]) => [n, this.updateTy(resolve, t, span)]);
    if (func.result !== undefined) {
      func.result = this.updateTy(resolve, func.result, span);
      if (this.typeHasBorrow(resolve, func.result)) {
        throw resolveError(`function \`${func.name}\` returns a type which contains a \`borrow<T>\` which is not supported`, span);
      }
    }
  }

  private updateWorld(world: World, resolve: Resolve, pkgId: PackageId, spans: WorldSpan): void {
    const imports = [...world.imports];
    const exports = [...world.exports];
    world.imports = new Map();
    world.exports = new Map();
    const all: Array<[WorldKey, WorldItem, Span | undefined, boolean]> = [
      ...imports.map(([k, v], i) => [k, v, spans.imports[i], true] as [WorldKey, WorldItem, Span | undefined, boolean]),
      ...exports.map(([k, v], i) => [k, v, spans.exports[i], false] as [WorldKey, WorldItem, Span | undefined, boolean]),
    ];
    for (const [name, item0, span, isImport] of all) {
      let item = item0;
      if (item.tag === "type") item = { tag: "type", id: this.mapType(item.id, span) };
      const stability = itemStability(item, resolve.types);
      if (!resolve.includeStability(stability, pkgId, span)) continue;
      const key = typeof name === "number" ? this.mapInterface(name, span) : name;
      if (item.tag === "interface") item = { ...item, id: this.mapInterface(item.id, span) };
      else if (item.tag === "function") this.updateFunction(resolve, item.func, span);
      (isImport ? world.imports : world.exports).set(key, item);
    }
  }

  private processWorldIncludes(id: WorldId, resolve: Resolve, pkgId: PackageId, spans: WorldSpan): void {
    const world = resolve.world(id);
    const includes = world.includes;
    const includeNames = world.includeNames;
    world.includes = [];
    world.includeNames = [];
    includes.forEach(({ stability, world: included }, i) => {
      const span = spans.includes[i];
      if (!resolve.includeStability(stability, pkgId, span)) return;
      const includeId = this.mapWorld(included, span);
      resolveInclude(resolve, id, includeId, includeNames[i] ?? [], span, pkgId);
    });
    validateCaseInsensitiveNames(resolve, id);
  }

  private typeHasBorrow(resolve: Resolve, ty: Type): boolean {
    if (typeof ty !== "number") return false;
    const cached = this.hasBorrowCache.get(ty);
    if (cached !== undefined) return cached;
    const kind = resolve.type(ty).kind;
    let result: boolean;
    switch (kind.tag) {
      case "type":
        result = this.typeHasBorrow(resolve, kind.ty);
        break;
      case "variant":
        result = kind.cases.some((c) => c.ty !== undefined && this.typeHasBorrow(resolve, c.ty));
        break;
      case "handle":
        result = kind.handle === "borrow";
        break;
      case "record":
        result = kind.fields.some((f) => this.typeHasBorrow(resolve, f.ty));
        break;
      case "tuple":
        result = kind.types.some((t) => this.typeHasBorrow(resolve, t));
        break;
      case "list":
      case "fixed-size-list":
      case "option":
        result = this.typeHasBorrow(resolve, kind.ty);
        break;
      case "future":
      case "stream":
        result = kind.ty !== undefined && this.typeHasBorrow(resolve, kind.ty);
        break;
      case "map":
        result = this.typeHasBorrow(resolve, kind.key) || this.typeHasBorrow(resolve, kind.value);
        break;
      case "result":
        result =
          (kind.ok !== undefined && this.typeHasBorrow(resolve, kind.ok)) ||
          (kind.err !== undefined && this.typeHasBorrow(resolve, kind.err));
        break;
      default:
        result = false;
    }
    this.hasBorrowCache.set(ty, result);
    return result;
  }
}

function stabilitiesOf(x: { stabilities: import("../model.js").Stability[] }) {
  return x.stabilities;
}

export function packageNotFound(resolve: Resolve, requested: string, span: Span | undefined): WitError {
  const known = resolve.knownPackageNames();
  const message =
    known.length === 0
      ? `package '${requested}' not found`
      : `package '${requested}' not found. known packages:${known.map((k) => `\n    ${k}`).join("")}`;
  return resolveError(message, span);
}

export type { ItemRef };
