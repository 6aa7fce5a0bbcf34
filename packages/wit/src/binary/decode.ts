import { decodeError, withContext } from "../errors.js";
import {
  externalIdField,
  type FunctionKind,
  type InterfaceId,
  type PackageId,
  type PackageName,
  packageNameString,
  type Type,
  type TypeDefKind,
  type TypeId,
  type TypeOwner,
  UNKNOWN_STABILITY,
  type WitFunction,
  type WorldId,
  type WorldItem,
  type WorldKey,
} from "../model.js";
import { Resolve } from "../resolve/resolve.js";
import { type ParsedComponent, parseComponent } from "./component.js";
import { parseComponentName } from "./names.js";
import { injectPackageDocs, PACKAGE_DOCS } from "./package-docs.js";
import type { DefinedType, Entity, TypeArena, TypeEntry, ValType } from "./types.js";

export type DecodedWasm =
  | { kind: "wit-package"; resolve: Resolve; package: PackageId }
  | { kind: "component"; resolve: Resolve; world: WorldId };

interface PackageFields {
  interfaces: Map<string, InterfaceId>;
  worlds: Map<string, WorldId>;
}

interface PendingPackage extends PackageFields {
  name: PackageName;
}

function ownerKey(owner: TypeOwner): string {
  return owner.kind === "none" ? "none" : `${owner.kind}:${owner.id}`;
}

/** Turns component-model types back into WIT, as wit-parser's `WitPackageDecoder`. */
class WitDecoder {
  readonly resolve = new Resolve();
  private readonly foreignPackages = new Map<string, PendingPackage>();
  private readonly ifaceToPackage = new Map<InterfaceId, number>();
  private readonly namedInterfaces = new Map<string, InterfaceId>();
  private readonly resources = new Map<string, Map<string, TypeId>>();
  private readonly typeMap = new Map<number, TypeId>();

  constructor(private readonly arena: TypeArena) {}

  private entry(id: number): TypeEntry {
    return this.arena.get(id);
  }

  private instanceType(id: number): Extract<TypeEntry, { k: "instance" }> {
    const e = this.entry(id);
    if (e.k !== "instance") throw decodeError("expected an instance type");
    return e;
  }

  private componentType(id: number): Extract<TypeEntry, { k: "component" }> {
    const e = this.entry(id);
    if (e.k !== "component") throw decodeError("expected a component type");
    return e;
  }

  decodeInterface(name: string, imports: Map<string, Entity>, ty: number, fields: PackageFields): PackageName {
    const cn = parseComponentName(name);
    if (cn.kind !== "interface") throw decodeError("expected world name to be fully qualified");
    for (const [importName, entity] of imports) {
      if (entity.k !== "instance") throw decodeError(`import \`${importName}\` is not an instance`);
      withContext(
        () => `failed to process import \`${importName}\``,
        () => this.registerImport(importName, this.instanceType(entity.ty)),
      );
    }
    this.registerInterface(name, this.instanceType(ty), fields);
    return cn.pkg;
  }

  decodeWorld(name: string, ty: number, fields: PackageFields): PackageName {
    const cn = parseComponentName(name);
    if (cn.kind !== "interface") throw decodeError("expected world name to be fully qualified");
    this.registerWorld(name, this.componentType(ty), fields);
    return cn.pkg;
  }

  decodeComponentImport(name: string, entity: Entity, world: WorldId, fields: PackageFields): void {
    const owner: TypeOwner = { kind: "world", id: world };
    let key: WorldKey;
    let item: WorldItem;
    switch (entity.k) {
      case "instance":
        withContext(
          () => `failed to decode WIT from import \`${name}\``,
          () => this.worldInterface(this.resolve.world(world).imports, name, entity, fields),
        );
        return;
      case "func":
        key = name;
        item = {
          tag: "function",
          func: withContext(
            () => `failed to decode function from import \`${name}\``,
            () => this.convertFunction(name, entity, owner),
          ),
        };
        break;
      case "type":
        key = name;
        item = {
          tag: "type",
          id: withContext(
            () => `failed to decode type from export \`${name}\``,
            () => this.registerTypeExport(name, owner, entity),
          ),
        };
        break;
      default:
        // Module, component and value imports have no WIT form; wit-parser's decoder passes
        // over them the same way, and the component's own validation is not ours to do.
        return;
    }
    this.resolve.world(world).imports.set(key, item);
  }

  decodeComponentExport(name: string, entity: Entity, world: WorldId, fields: PackageFields): void {
    let key: WorldKey;
    let item: WorldItem;
    switch (entity.k) {
      case "func":
        key = name;
        item = {
          tag: "function",
          func: withContext(
            () => `failed to decode function from export \`${name}\``,
            () => this.convertFunction(name, entity, { kind: "world", id: world }),
          ),
        };
        break;
      case "instance":
        withContext(
          () => `failed to decode WIT from export \`${name}\``,
          () => this.worldInterface(this.resolve.world(world).exports, name, entity, fields),
        );
        return;
      default:
        throw decodeError(`component export \`${name}\` was not a function or instance`);
    }
    this.resolve.world(world).exports.set(key, item);
  }

  /** An interface imported by name: local ones must match, foreign ones are filled in lazily. */
  registerImport(name: string, ty: Extract<TypeEntry, { k: "instance" }>): InterfaceId {
    const local = this.namedInterfaces.get(name);
    const isLocal = local !== undefined;
    const iface = local ?? this.extractDepInterface(name);
    const owner: TypeOwner = { kind: "interface", id: iface };
    const model = this.resolve.iface(iface);
    for (const [exportName, entity] of ty.exports) {
      if (entity.k === "type") {
        const existing = model.types.get(exportName);
        if (existing !== undefined) {
          const referenced = this.arena.resolve(entity.referenced);
          const def = this.entry(referenced);
          if (def.k === "defined") this.registerDefined(existing, def.d);
          this.typeMap.set(entity.created, existing);
        } else {
          if (isLocal) throw decodeError(`instance type export \`${exportName}\` not defined in interface`);
          const id = this.registerTypeExport(exportName, owner, entity);
          model.types.set(exportName, id);
        }
      } else if (entity.k === "func") {
        if (model.functions.has(exportName)) continue;
        if (isLocal) throw decodeError(`instance function export \`${exportName}\` not defined in interface`);
        model.functions.set(exportName, this.convertFunction(exportName, entity, owner));
      } else {
        throw decodeError(`instance type export \`${exportName}\` is not a type`);
      }
    }
    return iface;
  }

  private findAlias(id: number): TypeId | undefined {
    let cur: number | undefined = id;
    while (cur !== undefined) {
      const found = this.typeMap.get(cur);
      if (found !== undefined) return found;
      cur = this.arena.peel(cur);
    }
    return undefined;
  }

  private extractDepInterface(nameString: string): InterfaceId {
    const cn = parseComponentName(nameString);
    if (cn.kind !== "interface") throw decodeError(`package name is not a valid id: ${nameString}`);
    const key = packageNameString(cn.pkg);
    let pkg = this.foreignPackages.get(key);
    if (!pkg) {
      pkg = { name: cn.pkg, interfaces: new Map(), worlds: new Map() };
      this.foreignPackages.set(key, pkg);
    }
    let iface = pkg.interfaces.get(cn.iface);
    if (iface === undefined) {
      this.resolve.interfaces.push({
        name: cn.iface,
        types: new Map(),
        functions: new Map(),
        docs: undefined,
        stability: UNKNOWN_STABILITY,
        package: undefined,
      });
      iface = this.resolve.interfaces.length - 1;
      pkg.interfaces.set(cn.iface, iface);
    }
    this.ifaceToPackage.set(iface, [...this.foreignPackages.keys()].indexOf(key));
    return iface;
  }

  registerInterface(name: string, ty: Extract<TypeEntry, { k: "instance" }>, fields: PackageFields): [WorldKey, InterfaceId] {
    if (this.namedInterfaces.has(name)) {
      const id = this.registerImport(name, ty);
      return [id, id];
    }
    const cn = parseComponentName(name);
    let ifaceName: string | undefined;
    if (cn.kind === "interface") ifaceName = cn.iface;
    else if (cn.kind !== "label") throw decodeError(`cannot extract item name from: ${name}`);
    const types = new Map<string, TypeId>();
    const functions = new Map<string, WitFunction>();
    const id = this.resolve.interfaces.length;
    const owner: TypeOwner = { kind: "interface", id };
    for (const [exportName, entity] of ty.exports) {
      if (entity.k === "type") {
        const t = withContext(
          () => `failed to register type export '${exportName}'`,
          () => this.registerTypeExport(exportName, owner, entity),
        );
        types.set(exportName, t);
      } else if (entity.k === "func") {
        const f = withContext(
          () => `failed to convert function '${exportName}'`,
          () => this.convertFunction(exportName, entity, owner),
        );
        functions.set(exportName, f);
      } else {
        throw decodeError(`instance type export \`${exportName}\` is not a type or function`);
      }
    }
    if (this.resolve.interfaces.length !== id) throw new Error("interface allocated while decoding an interface");
    this.resolve.interfaces.push({
      name: ifaceName,
      types,
      functions,
      docs: undefined,
      stability: UNKNOWN_STABILITY,
      package: undefined,
    });
    if (ifaceName !== undefined) {
      if (fields.interfaces.has(ifaceName)) throw decodeError(`duplicate interface \`${ifaceName}\``);
      fields.interfaces.set(ifaceName, id);
      this.namedInterfaces.set(name, id);
      return [id, id];
    }
    return [name, id];
  }

  private registerTypeExport(name: string, owner: TypeOwner, { referenced, created, externalId }: Extract<Entity, { k: "type" }>): TypeId {
    const prev = this.findAlias(referenced);
    let kind: TypeDefKind;
    if (prev !== undefined) {
      kind = { tag: "type", ty: prev };
    } else {
      const def = this.entry(this.arena.resolve(referenced));
      if (def.k === "defined") {
        kind = withContext(
          () => "failed to convert unaliased type",
          () => this.convertDefined(def.d),
        );
      } else if (def.k === "resource") {
        kind = { tag: "resource" };
      } else {
        throw decodeError(`type export \`${name}\` is not a value type or resource`);
      }
    }
    this.resolve.types.push({ name, kind, docs: undefined, stability: UNKNOWN_STABILITY, owner, ...externalIdField(externalId) });
    const id = this.resolve.types.length - 1;
    if (kind.tag === "resource") {
      const key = ownerKey(owner);
      let map = this.resources.get(key);
      if (!map) this.resources.set(key, (map = new Map()));
      if (map.has(name)) throw decodeError(`duplicate resource \`${name}\``);
      map.set(name, id);
    }
    this.typeMap.set(created, id);
    return id;
  }

  /**
   * One instance import or export of a world: `import label: iface;` keeps its label and points
   * at the interface it implements; `ns:pkg/iface` names a foreign or package interface; a plain
   * name is an interface defined inline in the world.
   */
  worldInterface(items: Map<WorldKey, WorldItem>, name: string, entity: Extract<Entity, { k: "instance" }>, fields: PackageFields): void {
    const inst = this.instanceType(entity.ty);
    const item = (id: InterfaceId): WorldItem => ({
      tag: "interface",
      id,
      stability: UNKNOWN_STABILITY,
      ...externalIdField(entity.externalId),
    });
    if (entity.implements !== undefined) {
      items.set(name, item(this.registerImport(entity.implements, inst)));
    } else if (name.includes("/")) {
      const iid = this.registerImport(name, inst);
      items.set(iid, item(iid));
    } else {
      const [k, iid] = this.registerInterface(name, inst, fields);
      items.set(k, item(iid));
    }
  }

  private registerWorld(name: string, ty: Extract<TypeEntry, { k: "component" }>, fields: PackageFields): WorldId {
    const cn = parseComponentName(name);
    if (cn.kind !== "interface") throw decodeError("expected world name to have an ID form");
    const worldName = cn.iface;
    const id = this.resolve.worlds.length;
    const owner: TypeOwner = { kind: "world", id };
    const imports = new Map<WorldKey, WorldItem>();
    const exports = new Map<WorldKey, WorldItem>();
    // Reserve the slot so nested allocations cannot take this world's id.
    this.resolve.worlds.push({
      name: worldName,
      imports,
      exports,
      package: undefined,
      docs: undefined,
      stability: UNKNOWN_STABILITY,
      includes: [],
      includeNames: [],
    });
    for (const [importName, entity] of ty.imports) {
      switch (entity.k) {
        case "instance":
          this.worldInterface(imports, importName, entity, fields);
          break;
        case "type":
          imports.set(importName, {
            tag: "type",
            id: this.registerTypeExport(importName, owner, entity),
          });
          break;
        case "func":
          imports.set(importName, { tag: "function", func: this.convertFunction(importName, entity, owner) });
          break;
        default:
          throw decodeError(`component import \`${importName}\` is not an instance, func, or type`);
      }
    }
    for (const [exportName, entity] of ty.exports) {
      switch (entity.k) {
        case "instance":
          this.worldInterface(exports, exportName, entity, fields);
          break;
        case "func":
          exports.set(exportName, { tag: "function", func: this.convertFunction(exportName, entity, owner) });
          break;
        default:
          throw decodeError(`component export \`${exportName}\` is not an instance or function`);
      }
    }
    if (fields.worlds.has(worldName)) throw decodeError(`duplicate world \`${worldName}\``);
    fields.worlds.set(worldName, id);
    return id;
  }

  private resource(owner: TypeOwner, name: string): TypeId {
    const id = this.resources.get(ownerKey(owner))?.get(name);
    if (id === undefined) throw decodeError(`resource \`${name}\` is not defined in this scope`);
    return id;
  }

  private convertFunction(name: string, entity: Extract<Entity, { k: "func" }>, owner: TypeOwner): WitFunction {
    const ty = this.entry(entity.ty);
    if (ty.k !== "func") throw decodeError(`\`${name}\` is not a function type`);
    const params = withContext(
      () => "failed to convert params",
      () => ty.params.map(([n, t]): [string, Type] => [n, this.convertValType(t)]),
    );
    const result =
      ty.result === undefined
        ? undefined
        : withContext(
            () => "failed to convert anonymous result type",
            () => this.convertValType(ty.result as ValType),
          );
    const cn = parseComponentName(name);
    let kind: FunctionKind;
    switch (cn.kind) {
      case "label":
        kind = ty.async ? { tag: "async-freestanding" } : { tag: "freestanding" };
        break;
      case "constructor":
        kind = { tag: "constructor", resource: this.resource(owner, cn.resource) };
        break;
      case "method":
        kind = ty.async
          ? { tag: "async-method", resource: this.resource(owner, cn.resource) }
          : { tag: "method", resource: this.resource(owner, cn.resource) };
        break;
      case "static":
        kind = ty.async
          ? { tag: "async-static", resource: this.resource(owner, cn.resource) }
          : { tag: "static", resource: this.resource(owner, cn.resource) };
        break;
      default:
        throw decodeError(`invalid function name \`${name}\``);
    }
    return { name, kind, params, result, docs: undefined, stability: UNKNOWN_STABILITY, ...externalIdField(entity.externalId) };
  }

  private convertValType(ty: ValType): Type {
    if (typeof ty === "string") return ty;
    const known = this.typeMap.get(ty);
    if (known !== undefined) return known;
    const def = this.entry(this.arena.resolve(ty));
    if (def.k !== "defined") throw decodeError("value type refers to a non-value type");
    const kind = this.convertDefined(def.d);
    switch (kind.tag) {
      case "record":
      case "enum":
      case "variant":
      case "flags":
      case "resource":
        throw decodeError(`unexpected unnamed type of kind '${kind.tag}'`);
      default:
        break;
    }
    this.resolve.types.push({ name: undefined, kind, docs: undefined, stability: UNKNOWN_STABILITY, owner: { kind: "none" } });
    const id = this.resolve.types.length - 1;
    this.typeMap.set(ty, id);
    return id;
  }

  private handleTarget(id: number): TypeId {
    const mapped = this.typeMap.get(id) ?? this.findAlias(id);
    if (mapped === undefined) throw decodeError("handle refers to an unknown resource");
    return mapped;
  }

  private convertDefined(d: DefinedType): TypeDefKind {
    const v = (t: ValType) => this.convertValType(t);
    const ov = (t: ValType | undefined) => (t === undefined ? undefined : this.convertValType(t));
    switch (d.k) {
      case "prim":
        return { tag: "type", ty: d.p };
      case "list":
        return { tag: "list", ty: v(d.t) };
      case "fixed-list":
        return { tag: "fixed-size-list", ty: v(d.t), size: d.n };
      case "tuple":
        return { tag: "tuple", types: d.types.map(v) };
      case "option":
        return { tag: "option", ty: v(d.t) };
      case "result":
        return { tag: "result", ok: ov(d.ok), err: ov(d.err) };
      case "record":
        return {
          tag: "record",
          fields: d.fields.map(([name, t]) => ({
            name,
            ty: withContext(
              () => `failed to convert record field '${name}'`,
              () => v(t),
            ),
            docs: undefined,
          })),
        };
      case "variant":
        return { tag: "variant", cases: d.cases.map(([name, t]) => ({ name, ty: ov(t), docs: undefined })) };
      case "flags":
        return { tag: "flags", flags: d.names.map((name) => ({ name, docs: undefined })) };
      case "enum":
        return { tag: "enum", cases: d.names.map((name) => ({ name, docs: undefined })) };
      case "own":
        return { tag: "handle", handle: "own", resource: this.handleTarget(d.r) };
      case "borrow":
        return { tag: "handle", handle: "borrow", resource: this.handleTarget(d.r) };
      case "future":
        return { tag: "future", ty: ov(d.t) };
      case "stream":
        return { tag: "stream", ty: ov(d.t) };
      case "map":
        return { tag: "map", key: v(d.key), value: v(d.value) };
    }
  }

  /** Unifies anonymous wasm types inside `def` with the WIT types of an existing definition. */
  private registerDefined(id: TypeId, def: DefinedType): void {
    const kind = this.resolve.type(id).kind;
    if (kind.tag === "type" && typeof kind.ty === "number") return;
    const pair = (wasm: ValType | undefined, wit: Type | undefined) => {
      if (wasm === undefined || typeof wasm === "string") return;
      if (typeof wit !== "number") throw decodeError("expected id-based type");
      if (this.typeMap.has(wasm)) return;
      this.typeMap.set(wasm, wit);
      const inner = this.entry(this.arena.resolve(wasm));
      if (inner.k === "defined") this.registerDefined(wit, inner.d);
    };
    switch (def.k) {
      case "list":
        if (kind.tag === "list") pair(def.t, kind.ty);
        return;
      case "option":
        if (kind.tag === "option") pair(def.t, kind.ty);
        return;
      case "fixed-list":
        if (kind.tag === "fixed-size-list") pair(def.t, kind.ty);
        return;
      case "tuple":
        if (kind.tag === "tuple") for (let i = 0; i < def.types.length; i++) pair(def.types[i], kind.types[i]);
        return;
      case "result":
        if (kind.tag === "result") {
          pair(def.ok, kind.ok);
          pair(def.err, kind.err);
        }
        return;
      case "record":
        if (kind.tag === "record") for (let i = 0; i < def.fields.length; i++) pair(def.fields[i]?.[1], kind.fields[i]?.ty);
        return;
      case "variant":
        if (kind.tag === "variant") for (let i = 0; i < def.cases.length; i++) pair(def.cases[i]?.[1], kind.cases[i]?.ty);
        return;
      case "future":
      case "stream":
        if (kind.tag === def.k) pair(def.t, kind.ty);
        return;
      case "map":
        if (kind.tag === "map") {
          pair(def.key, kind.key);
          pair(def.value, kind.value);
        }
        return;
      default:
        return;
    }
  }

  /** Adds the foreign packages (dependencies first) and then `main`; returns main's id. */
  finish(main: PendingPackage): PackageId {
    const pkgs = [...this.foreignPackages.values()];
    const order: number[] = [];
    const seen = new Set<number>();
    const visit = (idx: number, depth: number) => {
      if (seen.has(idx) || depth > pkgs.length) return;
      const pkg = pkgs[idx] as PendingPackage;
      const ifaces: InterfaceId[] = [...pkg.interfaces.values()];
      for (const w of pkg.worlds.values()) {
        const world = this.resolve.world(w);
        for (const item of [...world.imports.values(), ...world.exports.values()]) {
          if (item.tag === "interface") ifaces.push(item.id);
        }
      }
      for (const iface of ifaces) {
        for (const dep of this.resolve.interfaceDirectDeps(iface)) {
          const depIdx = this.ifaceToPackage.get(dep);
          if (depIdx !== undefined && depIdx !== idx) visit(depIdx, depth + 1);
        }
      }
      if (!seen.has(idx)) {
        seen.add(idx);
        order.push(idx);
      }
    };
    for (let i = 0; i < pkgs.length; i++) visit(i, 0);
    for (const idx of order) this.insertPackage(pkgs[idx] as PendingPackage);
    return this.insertPackage(main);
  }

  private insertPackage(pkg: PendingPackage): PackageId {
    const key = packageNameString(pkg.name);
    let id = this.resolve.packageNames.get(key);
    if (id === undefined) {
      this.resolve.packages.push({ name: pkg.name, docs: undefined, interfaces: new Map(), worlds: new Map() });
      id = this.resolve.packages.length - 1;
      this.resolve.packageNames.set(key, id);
    }
    const target = this.resolve.pkg(id);
    for (const [name, iface] of pkg.interfaces) {
      target.interfaces.set(name, iface);
      this.resolve.iface(iface).package = id;
    }
    for (const [name, wid] of pkg.worlds) {
      target.worlds.set(name, wid);
      const world = this.resolve.world(wid);
      world.package = id;
      for (const [key2, item] of [...world.imports, ...world.exports]) {
        // Only inline interfaces belong to the world's package; a named item that implements
        // an interface (`import b: a:b/i;`) points at that interface's own package.
        if (typeof key2 === "string" && item.tag === "interface") {
          const iface = this.resolve.iface(item.id);
          if (iface.name === undefined) iface.package = id;
        }
      }
    }
    return id;
  }
}

/** Whether a parsed component is a WIT package ("v1" or "v2" encoding) or a real component. */
function witEncoding(parsed: ParsedComponent): "v1" | "v2" | undefined {
  if (parsed.imports.length > 0 || parsed.exports.length === 0) return undefined;
  for (const e of parsed.exports) {
    if (e.entity.k !== "type") return undefined;
    if (parsed.arena.get(parsed.arena.resolve(e.entity.referenced)).k !== "component") return undefined;
  }
  const first = parseComponentName((parsed.exports[0] as { name: string }).name);
  if (first.kind === "interface" && first.iface === "wit") return "v1";
  if (first.kind === "label") return "v2";
  return undefined;
}

function decodeV2(parsed: ParsedComponent): DecodedWasm {
  const decoder = new WitDecoder(parsed.arena);
  let name: PackageName | undefined;
  const fields: PackageFields = { interfaces: new Map(), worlds: new Map() };
  for (const e of parsed.exports) {
    const component = parsed.arena.get(parsed.arena.resolve((e.entity as { referenced: number }).referenced));
    if (component.k !== "component") throw decodeError("expected a component type");
    if (component.exports.size !== 1) {
      throw decodeError(`Expected a single export, but found ${component.exports.size} instead`);
    }
    const [innerName, entity] = [...component.exports][0] as [string, Entity];
    let pkgName: PackageName;
    if (entity.k === "component") pkgName = decoder.decodeWorld(innerName, entity.ty, fields);
    else if (entity.k === "instance") pkgName = decoder.decodeInterface(innerName, component.imports, entity.ty, fields);
    else throw decodeError(`export \`${innerName}\` is not an interface or world`);
    if (name === undefined) name = pkgName;
    else if (packageNameString(name) !== packageNameString(pkgName)) throw decodeError("item defined with mismatched package name");
  }
  if (name === undefined) throw decodeError("no exported component type found");
  const pkg = decoder.finish({ name, ...fields });
  injectDocs(parsed, decoder.resolve, pkg);
  return { kind: "wit-package", resolve: decoder.resolve, package: pkg };
}

/** The legacy encoding: one export `ns:pkg/wit` whose component type holds everything. */
function decodeV1(parsed: ParsedComponent): DecodedWasm {
  if (parsed.exports.length !== 1) throw decodeError("more than one top-level exported component type found");
  const e = parsed.exports[0] as ParsedComponent["exports"][number];
  const cn = parseComponentName(e.name);
  if (cn.kind !== "interface") throw decodeError(`package name is not a valid id: ${e.name}`);
  const ty = parsed.arena.get(parsed.arena.resolve((e.entity as { referenced: number }).referenced));
  if (ty.k !== "component") throw decodeError("expected a component type");
  const decoder = new WitDecoder(parsed.arena);
  const fields: PackageFields = { interfaces: new Map(), worlds: new Map() };
  withContext(
    () => `failed to decode document \`${e.name}\``,
    () => {
      for (const [name, entity] of ty.imports) {
        if (entity.k !== "instance") throw decodeError(`import \`${name}\` is not an instance`);
        decoder.registerImport(name, instanceEntry(parsed, entity.ty));
      }
      for (const [name, entity] of ty.exports) {
        if (entity.k === "instance") {
          decoder.registerInterface(name, instanceEntry(parsed, entity.ty), fields);
        } else if (entity.k === "component") {
          decoder.decodeWorld(name, entity.ty, fields);
        } else {
          throw decodeError(`component export \`${name}\` is not an instance or component`);
        }
      }
    },
  );
  const pkg = decoder.finish({ name: cn.pkg, ...fields });
  injectDocs(parsed, decoder.resolve, pkg);
  return { kind: "wit-package", resolve: decoder.resolve, package: pkg };
}

function instanceEntry(parsed: ParsedComponent, id: number): Extract<TypeEntry, { k: "instance" }> {
  const e = parsed.arena.get(id);
  if (e.k !== "instance") throw decodeError("expected an instance type");
  return e;
}

function injectDocs(parsed: ParsedComponent, resolve: Resolve, pkg: PackageId): void {
  const sections = parsed.customs.filter((c) => c.name === PACKAGE_DOCS);
  if (sections.length > 1) throw decodeError(`multiple "${PACKAGE_DOCS}" sections`);
  if (sections[0]) injectPackageDocs(resolve, pkg, sections[0].data);
}

function decodeComponent(parsed: ParsedComponent): DecodedWasm {
  const decoder = new WitDecoder(parsed.arena);
  const resolve = decoder.resolve;
  resolve.worlds.push({
    name: "root",
    imports: new Map(),
    exports: new Map(),
    package: undefined,
    docs: undefined,
    stability: UNKNOWN_STABILITY,
    includes: [],
    includeNames: [],
  });
  const world = 0;
  const fields: PackageFields = { interfaces: new Map(), worlds: new Map([["root", world]]) };
  for (const i of parsed.imports) decoder.decodeComponentImport(i.name, i.entity, world, fields);
  for (const e of parsed.exports) decoder.decodeComponentExport(e.name, e.entity, world, fields);
  decoder.finish({ name: { namespace: "root", name: "component", version: undefined }, ...fields });
  return { kind: "component", resolve, world };
}

/**
 * Decodes a WebAssembly component: a WIT package (with its foreign dependencies as partial
 * packages) or a real component (as the world `root:component/root`).
 */
export function decodeParsed(parsed: ParsedComponent): DecodedWasm {
  const encoding = witEncoding(parsed);
  if (encoding === "v2") return decodeV2(parsed);
  if (encoding === "v1") return decodeV1(parsed);
  return decodeComponent(parsed);
}

export function decodeBytes(bytes: Uint8Array): DecodedWasm {
  return decodeParsed(parseComponent(bytes));
}

/**
 * Decodes a component whose one export is a component type wrapping a single world — the
 * `component-type` custom section of a core module (wit-parser's `decode_world`). Returns the
 * world and the packages it uses.
 */
export function decodeWorldComponent(parsed: ParsedComponent): { resolve: Resolve; world: WorldId } {
  const [e, ...rest] = parsed.exports;
  if (e === undefined || rest.length > 0) throw decodeError("expected one export in component");
  if (e.entity.k !== "type") throw decodeError("expected an export of a type");
  const outer = parsed.arena.get(parsed.arena.resolve(e.entity.referenced));
  if (outer.k !== "component") throw decodeError("expected an exported component type");
  const [inner, ...more] = [...outer.exports];
  if (inner === undefined || more.length > 0 || outer.imports.size > 0 || inner[1].k !== "component") {
    throw decodeError("expected an exported component type holding one world");
  }
  const decoder = new WitDecoder(parsed.arena);
  const fields: PackageFields = { interfaces: new Map(), worlds: new Map() };
  const name = decoder.decodeWorld(inner[0], inner[1].ty, fields);
  const pkg = decoder.finish({ name, ...fields });
  const world = decoder.resolve.pkg(pkg).worlds.values().next().value as WorldId;
  return { resolve: decoder.resolve, world };
}
