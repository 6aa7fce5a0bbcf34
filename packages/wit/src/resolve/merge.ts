import { resolveError, withContext } from "../errors.js";
import {
  type InterfaceId,
  type PackageId,
  packageNameString,
  type Type,
  type TypeId,
  type WitFunction,
  type WorldId,
  type WorldItem,
  type WorldKey,
} from "../model.js";
import { updateStability } from "./elaborate.js";
import { Remap } from "./remap.js";
import type { Resolve } from "./resolve.js";

/**
 * Works out which items of `from` already exist in `into` (packages with the same name
 * must agree on every interface and world they share), as wit-parser's `MergeMap`.
 */
class MergeMap {
  readonly packageMap = new Map<PackageId, PackageId>();
  readonly interfaceMap = new Map<InterfaceId, InterfaceId>();
  readonly typeMap = new Map<TypeId, TypeId>();
  readonly worldMap = new Map<WorldId, WorldId>();
  readonly interfacesToAdd: Array<[string, PackageId, InterfaceId]> = [];
  readonly worldsToAdd: Array<[string, PackageId, WorldId]> = [];

  constructor(
    private readonly from: Resolve,
    private readonly into: Resolve,
  ) {}

  build(): void {
    for (const fromId of this.from.topologicalPackages()) {
      const from = this.from.pkg(fromId);
      const name = packageNameString(from.name);
      const intoId = this.into.packageNames.get(name);
      if (intoId === undefined) continue;
      withContext(
        () => `failed to merge package \`${name}\` into existing copy`,
        () => this.buildPackage(fromId, intoId),
      );
    }
  }

  private buildPackage(fromId: PackageId, intoId: PackageId): void {
    this.packageMap.set(fromId, intoId);
    const from = this.from.pkg(fromId);
    const into = this.into.pkg(intoId);
    for (const [name, fromIface] of from.interfaces) {
      const intoIface = into.interfaces.get(name);
      if (intoIface === undefined) {
        this.interfacesToAdd.push([name, intoId, fromIface]);
        continue;
      }
      withContext(
        () => `failed to merge interface \`${name}\``,
        () => this.buildInterface(fromIface, intoIface),
      );
    }
    for (const [name, fromWorld] of from.worlds) {
      const intoWorld = into.worlds.get(name);
      if (intoWorld === undefined) {
        this.worldsToAdd.push([name, intoId, fromWorld]);
        continue;
      }
      withContext(
        () => `failed to merge world \`${name}\``,
        () => this.buildWorld(fromWorld, intoWorld),
      );
    }
  }

  buildInterface(fromId: InterfaceId, intoId: InterfaceId): void {
    this.interfaceMap.set(fromId, intoId);
    const from = this.from.iface(fromId);
    const into = this.into.iface(intoId);
    // Either side may have types or functions the other lacks (partial views of one
    // interface merge commutatively); only what both have must agree. The extra ones of
    // `from` are added to `into`'s interface when the items are moved.
    for (const [name, fromType] of from.types) {
      const intoType = into.types.get(name);
      if (intoType !== undefined) this.typeMap.set(fromType, intoType);
    }
    for (const [name, fromFunc] of from.functions) {
      const intoFunc = into.functions.get(name);
      if (intoFunc === undefined) continue;
      withContext(
        () => `mismatch in function \`${name}\``,
        () => this.buildFunction(fromFunc, intoFunc),
      );
    }
  }

  private buildType(from: Type, into: Type): void {
    if (typeof from === "number" && typeof into === "number") return;
    if (from !== into) throw resolveError("different kinds of types");
  }

  buildFunction(from: WitFunction, into: WitFunction): void {
    if (from.name !== into.name) throw resolveError(`different function names \`${from.name}\` and \`${into.name}\``);
    if (from.kind.tag !== into.kind.tag) throw resolveError("different function kind types");
    if (from.params.length !== into.params.length) throw resolveError("different number of function parameters");
    from.params.forEach(([fromName, fromTy], i) => {
      const [intoName, intoTy] = into.params[i] as [string, Type];
      if (fromName !== intoName) throw resolveError(`different function parameter names: ${fromName} != ${intoName}`);
      withContext(
        () => `different function parameter types for \`${fromName}\``,
        () => this.buildType(fromTy, intoTy),
      );
    });
    if ((from.result === undefined) !== (into.result === undefined)) throw resolveError("different number of function results");
    if (from.result !== undefined && into.result !== undefined) {
      withContext(
        () => "different function result types",
        () => this.buildType(from.result as Type, into.result as Type),
      );
    }
  }

  private mapName(key: WorldKey): WorldKey {
    return typeof key === "string" ? key : (this.interfaceMap.get(key) ?? key);
  }

  private buildWorld(fromId: WorldId, intoId: WorldId): void {
    this.worldMap.set(fromId, intoId);
    const from = this.from.world(fromId);
    const into = this.into.world(intoId);
    if (from.imports.size !== into.imports.size) throw resolveError("world contains different number of imports than expected");
    if (from.exports.size !== into.exports.size) throw resolveError("world contains different number of exports than expected");
    for (const [items, intoItems, desc] of [
      [from.imports, into.imports, "import"],
      [from.exports, into.exports, "export"],
    ] as const) {
      for (const [key, item] of items) {
        const name = this.from.nameWorldKey(key);
        const target = intoItems.get(this.mapName(key));
        if (target === undefined) throw resolveError(`${desc} \`${name}\` not found in target world`);
        withContext(
          () => `${desc} \`${name}\` didn't match target world`,
          () => this.matchWorldItem(item, target),
        );
      }
    }
  }

  private matchWorldItem(from: WorldItem, into: WorldItem): void {
    if (from.tag === "interface" && into.tag === "interface") {
      const fromNamed = this.from.iface(from.id).name !== undefined;
      const intoNamed = this.into.iface(into.id).name !== undefined;
      if (!fromNamed && !intoNamed) this.buildInterface(from.id, into.id);
      else if (this.interfaceMap.get(from.id) !== into.id) throw resolveError("interfaces are not the same");
      return;
    }
    if (from.tag === "function" && into.tag === "function") return;
    if (from.tag === "type" && into.tag === "type") {
      this.typeMap.set(from.id, into.id);
      return;
    }
    throw resolveError("world items do not have the same type");
  }
}

/**
 * Moves everything from `from` into `into`, unifying packages that exist in both (wit-parser's
 * `Resolve::merge`). `from` must not be used afterwards. Returns the id mapping.
 */
export function mergeResolve(into: Resolve, from: Resolve): Remap {
  const map = new MergeMap(from, into);
  map.build();
  const remap = new Remap();

  const movedTypes: TypeId[] = [];
  from.types.forEach((ty, id) => {
    const existing = map.typeMap.get(id);
    if (existing !== undefined) {
      into.type(existing).stability = updateStability(ty.stability, into.type(existing).stability);
      remap.types.push(existing);
      return;
    }
    movedTypes.push(id);
    remap.updateTypeDef(into, ty, undefined);
    into.types.push(ty);
    remap.types.push(into.types.length - 1);
  });

  const movedInterfaces: InterfaceId[] = [];
  from.interfaces.forEach((iface, id) => {
    const existing = map.interfaceMap.get(id);
    if (existing !== undefined) {
      const target = into.iface(existing);
      target.stability = updateStability(iface.stability, target.stability);
      // Types and functions only `from` has join the existing interface (types were moved above).
      for (const [name, ty] of iface.types) if (!target.types.has(name)) target.types.set(name, remap.mapType(ty));
      for (const [name, func] of iface.functions) {
        if (target.functions.has(name)) continue;
        remap.updateFunction(into, func, undefined);
        target.functions.set(name, func);
      }
      remap.interfaces.push(existing);
      return;
    }
    movedInterfaces.push(id);
    remap.updateInterface(into, iface, undefined, -1);
    into.interfaces.push(iface);
    remap.interfaces.push(into.interfaces.length - 1);
  });

  const movedWorlds: WorldId[] = [];
  from.worlds.forEach((world, id) => {
    const existing = map.worldMap.get(id);
    if (existing !== undefined) {
      const target = into.world(existing);
      target.stability = updateStability(world.stability, target.stability);
      for (const [items, intoItems] of [
        [world.imports, target.imports],
        [world.exports, target.exports],
      ] as const) {
        for (const [key, item] of items) {
          if (typeof key === "string" || item.tag !== "interface") continue;
          const other = intoItems.get(map.interfaceMap.get(key) ?? key);
          if (other?.tag === "interface") other.stability = updateStability(item.stability, other.stability);
        }
      }
      remap.worlds.push(existing);
      return;
    }
    movedWorlds.push(id);
    const update = (items: Map<WorldKey, WorldItem>) => {
      const out = new Map<WorldKey, WorldItem>();
      for (const [key, item] of items) {
        const newKey = typeof key === "string" ? key : remap.mapInterface(key);
        let newItem = item;
        if (item.tag === "function") remap.updateFunction(into, item.func, undefined);
        else if (item.tag === "interface") newItem = { ...item, id: remap.mapInterface(item.id) };
        else newItem = { tag: "type", id: remap.mapType(item.id) };
        out.set(newKey, newItem);
      }
      return out;
    };
    world.imports = update(world.imports);
    world.exports = update(world.exports);
    into.worlds.push(world);
    remap.worlds.push(into.worlds.length - 1);
  });

  from.packages.forEach((pkg, id) => {
    const existing = map.packageMap.get(id);
    if (existing !== undefined) {
      remap.packages.push(existing);
      return;
    }
    for (const [name, iid] of pkg.interfaces) pkg.interfaces.set(name, remap.mapInterface(iid));
    for (const [name, wid] of pkg.worlds) pkg.worlds.set(name, remap.mapWorld(wid));
    into.packages.push(pkg);
    remap.packages.push(into.packages.length - 1);
  });

  for (const [name, id] of from.packageNames) {
    const mapped = remap.packages[id] as PackageId;
    if (!into.packageNames.has(name)) into.packageNames.set(name, mapped);
  }

  for (const id of movedWorlds) {
    const world = into.world(remap.mapWorld(id));
    if (world.package !== undefined) world.package = remap.packages[world.package];
  }
  for (const id of movedInterfaces) {
    const iface = into.iface(remap.mapInterface(id));
    if (iface.package !== undefined) iface.package = remap.packages[iface.package];
  }
  for (const id of movedTypes) {
    const ty = into.type(remap.mapType(id));
    if (ty.owner.kind === "interface") ty.owner = { kind: "interface", id: remap.mapInterface(ty.owner.id) };
    else if (ty.owner.kind === "world") ty.owner = { kind: "world", id: remap.mapWorld(ty.owner.id) };
  }
  for (const [name, pkg, iface] of map.interfacesToAdd) into.pkg(pkg).interfaces.set(name, remap.mapInterface(iface));
  for (const [name, pkg, world] of map.worldsToAdd) into.pkg(pkg).worlds.set(name, remap.mapWorld(world));
  return remap;
}
