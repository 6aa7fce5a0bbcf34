import { encodeError } from "../errors.js";
import {
  functionResource,
  interfaceIdString,
  isAsync,
  type InterfaceId,
  type PackageId,
  type Type,
  type TypeId,
  type WitFunction,
  type WorldId,
  type WorldItem,
  type WorldKey,
} from "../model.js";
import type { Resolve } from "../resolve/resolve.js";
import { encodePackageDocs, PACKAGE_DOCS } from "./package-docs.js";
import { encodeProducers, type Producers } from "./producers.js";
import { ComponentBuilder, TypeDeclBuilder } from "./type-builder.js";
import { PRIM_BYTES } from "./primitives.js";
import { ByteWriter } from "./writer.js";

/** An encoded value type: a primitive (by name) or a type index in the current scope. */
type Encoded = { prim: string } | { index: number };

function writeValType(w: ByteWriter, v: Encoded): void {
  if ("prim" in v) w.byte(PRIM_BYTES[v.prim] as number);
  else w.s33(v.index);
}

function writeOpt(w: ByteWriter, v: Encoded | undefined): void {
  if (v === undefined) w.byte(0x00);
  else {
    w.byte(0x01);
    writeValType(w, v);
  }
}

function typeKey(t: Type | undefined): string {
  return t === undefined ? "_" : typeof t === "number" ? `#${t}` : t;
}

/**
 * Encodes WIT types into an instance type or the enclosing component type, reusing
 * definitions exactly as wit-component's `ValtypeEncoder` + `InterfaceEncoder` do (which
 * is what makes the bytes identical).
 */
class InterfaceEncoder {
  readonly outer = new TypeDeclBuilder("component");
  private ty: TypeDeclBuilder | undefined;
  private typeMap = new Map<TypeId, number>();
  private funcTypeMap = new Map<string, number>();
  private saved: [Map<TypeId, number>, Map<string, number>] | undefined;
  private readonly importMap = new Map<InterfaceId, number>();
  private readonly outerTypeMap = new Map<TypeId, number>();
  private instances = 0;
  importTypes = false;
  interface: InterfaceId | undefined;

  constructor(private readonly resolve: Resolve) {}

  private get target(): TypeDeclBuilder {
    return this.ty ?? this.outer;
  }

  pushInstance(): void {
    if (this.ty || this.saved) throw new Error("nested instance encoding");
    this.saved = [this.typeMap, this.funcTypeMap];
    this.typeMap = new Map();
    this.funcTypeMap = new Map();
    this.ty = new TypeDeclBuilder("instance");
  }

  popInstance(): TypeDeclBuilder {
    const [types, funcs] = this.saved as [Map<TypeId, number>, Map<string, number>];
    this.typeMap = types;
    this.funcTypeMap = funcs;
    this.saved = undefined;
    const ty = this.ty as TypeDeclBuilder;
    this.ty = undefined;
    return ty;
  }

  /** Records a finished instance type in the outer scope; returns its type index. */
  addInstanceType(instance: TypeDeclBuilder, iface: InterfaceId): number {
    const idx = this.outer.defineType(instance.finish());
    this.importMap.set(iface, this.instances++);
    return idx;
  }

  encodeInstance(iface: InterfaceId): number {
    this.pushInstance();
    const model = this.resolve.iface(iface);
    const typeOrder = new Map<TypeId, number>();
    for (const id of model.types.values()) {
      this.encodeValType(id);
      if (!typeOrder.has(id)) typeOrder.set(id, typeOrder.size);
    }
    // Resource functions first, in the order of their resources; free functions last.
    const funcs = [...model.functions]
      .map(([name, func], i) => {
        const resource = functionResource(func.kind);
        const key = resource === undefined ? typeOrder.size : (typeOrder.get(resource) ?? typeOrder.size);
        return { name, func, key, i };
      })
      .sort((a, b) => a.key - b.key || a.i - b.i);
    for (const { name, func } of funcs) {
      const ty = this.encodeFuncType(func);
      (this.ty as TypeDeclBuilder).func(false, name, ty, func.externalId);
    }
    return this.addInstanceType(this.popInstance(), iface);
  }

  encodeFuncType(func: WitFunction): number {
    const key = `${isAsync(func.kind) ? "a" : "s"}|${func.params.map(([n, t]) => `${n}:${typeKey(t)}`).join(",")}|${typeKey(func.result)}`;
    const known = this.funcTypeMap.get(key);
    if (known !== undefined) return known;
    const params = func.params.map(([n, t]) => [n, this.encodeValType(t)] as const);
    const result = func.result === undefined ? undefined : this.encodeValType(func.result);
    const w = new ByteWriter();
    w.byte(isAsync(func.kind) ? 0x43 : 0x40).u32(params.length);
    for (const [n, v] of params) {
      w.string(n);
      writeValType(w, v);
    }
    if (result === undefined) w.byte(0x01).byte(0x00);
    else {
      w.byte(0x00);
      writeValType(w, result);
    }
    const index = this.target.defineType(w);
    this.funcTypeMap.set(key, index);
    return index;
  }

  private defined(build: (w: ByteWriter) => void): Encoded {
    const w = new ByteWriter();
    build(w);
    return { index: this.target.defineType(w) };
  }

  private importType(owner: InterfaceId, id: TypeId): number {
    const instance = this.importMap.get(owner);
    if (instance === undefined) throw encodeError(`interface of type \`${this.resolve.type(id).name}\` was not encoded first`);
    let outerIdx = this.outerTypeMap.get(id);
    if (outerIdx === undefined) {
      outerIdx = this.outer.aliasInstanceExportType(instance, this.resolve.type(id).name as string);
      this.outerTypeMap.set(id, outerIdx);
    }
    if (this.ty) return this.ty.aliasOuterType(1, outerIdx);
    return outerIdx;
  }

  encodeValType(ty: Type): Encoded {
    if (typeof ty === "string") return { prim: ty };
    const known = this.typeMap.get(ty);
    if (known !== undefined) return { index: known };
    const def = this.resolve.type(ty);
    if (def.owner.kind === "interface" && def.owner.id !== this.interface) {
      const index = this.importType(def.owner.id, ty);
      this.typeMap.set(ty, index);
      return { index };
    }
    const k = def.kind;
    let encoded: Encoded;
    switch (k.tag) {
      case "record": {
        const fields = k.fields.map((f) => [f.name, this.encodeValType(f.ty)] as const);
        encoded = this.defined((w) => {
          w.byte(0x72).u32(fields.length);
          for (const [n, v] of fields) {
            w.string(n);
            writeValType(w, v);
          }
        });
        break;
      }
      case "tuple": {
        const types = k.types.map((t) => this.encodeValType(t));
        encoded = this.defined((w) => {
          w.byte(0x6f).u32(types.length);
          for (const v of types) writeValType(w, v);
        });
        break;
      }
      case "flags":
        encoded = this.defined((w) => {
          w.byte(0x6e).u32(k.flags.length);
          for (const f of k.flags) w.string(f.name);
        });
        break;
      case "variant": {
        const cases = k.cases.map((c) => [c.name, c.ty === undefined ? undefined : this.encodeValType(c.ty)] as const);
        encoded = this.defined((w) => {
          w.byte(0x71).u32(cases.length);
          for (const [n, v] of cases) {
            w.string(n);
            writeOpt(w, v);
            w.byte(0x00);
          }
        });
        break;
      }
      case "option": {
        const v = this.encodeValType(k.ty);
        encoded = this.defined((w) => {
          w.byte(0x6b);
          writeValType(w, v);
        });
        break;
      }
      case "result": {
        const ok = k.ok === undefined ? undefined : this.encodeValType(k.ok);
        const err = k.err === undefined ? undefined : this.encodeValType(k.err);
        encoded = this.defined((w) => {
          w.byte(0x6a);
          writeOpt(w, ok);
          writeOpt(w, err);
        });
        break;
      }
      case "enum":
        encoded = this.defined((w) => {
          w.byte(0x6d).u32(k.cases.length);
          for (const c of k.cases) w.string(c.name);
        });
        break;
      case "list": {
        const v = this.encodeValType(k.ty);
        encoded = this.defined((w) => {
          w.byte(0x70);
          writeValType(w, v);
        });
        break;
      }
      case "fixed-size-list": {
        const v = this.encodeValType(k.ty);
        encoded = this.defined((w) => {
          w.byte(0x67);
          writeValType(w, v);
          w.u32(k.size);
        });
        break;
      }
      case "map": {
        const key = this.encodeValType(k.key);
        const value = this.encodeValType(k.value);
        encoded = this.defined((w) => {
          w.byte(0x63);
          writeValType(w, key);
          writeValType(w, value);
        });
        break;
      }
      case "future":
      case "stream": {
        const v = k.ty === undefined ? undefined : this.encodeValType(k.ty);
        encoded = this.defined((w) => {
          w.byte(k.tag === "future" ? 0x65 : 0x66);
          writeOpt(w, v);
        });
        break;
      }
      case "type":
        encoded = this.encodeValType(k.ty);
        break;
      case "resource": {
        const name = def.name;
        if (name === undefined) throw encodeError("resources must be named");
        const index = this.ty
          ? this.ty.typeSubResource(false, name, def.externalId)
          : this.outer.typeSubResource(this.importTypes, name, def.externalId);
        this.typeMap.set(ty, index);
        return { index };
      }
      case "handle": {
        const target = this.encodeValType(k.resource);
        if (!("index" in target)) throw encodeError("handles must refer to a resource");
        encoded = this.defined((w) => {
          w.byte(k.handle === "own" ? 0x69 : 0x68).u32(target.index);
        });
        break;
      }
      case "unknown":
        throw encodeError("cannot encode a type that was never resolved");
    }
    if (def.name !== undefined) {
      let index: number;
      if ("index" in encoded) index = encoded.index;
      else {
        const prim = encoded.prim;
        index = this.target.defineType(new Uint8Array([PRIM_BYTES[prim] as number]));
      }
      index = this.ty
        ? this.ty.typeEq(false, def.name, index, def.externalId)
        : this.outer.typeEq(this.importTypes, def.name, index, def.externalId);
      encoded = { index };
    }
    if ("index" in encoded) this.typeMap.set(ty, encoded.index);
    return encoded;
  }
}

function addLiveInterfaces(resolve: Resolve, set: Set<InterfaceId>, id: InterfaceId): void {
  if (set.has(id)) return;
  for (const dep of resolve.interfaceDirectDeps(id)) addLiveInterfaces(resolve, set, dep);
  set.add(id);
}

/** One interface of the package as a component type: its dependencies imported, itself exported. */
function encodeInterface(resolve: Resolve, id: InterfaceId): TypeDeclBuilder {
  const live = new Set<InterfaceId>();
  addLiveInterfaces(resolve, live, id);
  const encoder = new InterfaceEncoder(resolve);
  for (const iface of live) {
    encoder.interface = iface;
    const name = resolve.idOf(iface) as string;
    if (iface === id) {
      const idx = encoder.encodeInstance(iface);
      encoder.outer.instance(false, name, idx);
    } else {
      encoder.pushInstance();
      for (const t of resolve.iface(iface).types.values()) encoder.encodeValType(t);
      const idx = encoder.addInstanceType(encoder.popInstance(), iface);
      encoder.outer.instance(true, name, idx);
    }
  }
  return encoder.outer;
}

/** A world as a component type (its elaborated imports, then exports). */
export function encodeWorld(resolve: Resolve, worldId: WorldId): TypeDeclBuilder {
  const encoder = new InterfaceEncoder(resolve);
  const world = resolve.world(worldId);
  const imports = [...world.imports]
    .map(([k, v], i) => ({ k, v, i, key: v.tag === "function" && functionResource(v.func.kind) !== undefined ? 1 : 0 }))
    .sort((a, b) => a.key - b.key || a.i - b.i);
  const encodeItem = (key: WorldKey, item: WorldItem, isImport: boolean) => {
    const name = resolve.nameWorldKey(key);
    switch (item.tag) {
      case "interface": {
        encoder.interface = item.id;
        const idx = encoder.encodeInstance(item.id);
        // A label naming a named interface is an `implements` import/export.
        const implementsId = typeof key === "string" ? resolve.idOf(item.id) : undefined;
        encoder.outer.instance(isImport, name, idx, { implements: implementsId, externalId: item.externalId });
        return;
      }
      case "function": {
        encoder.interface = undefined;
        const idx = encoder.encodeFuncType(item.func);
        encoder.outer.func(isImport, name, idx, item.func.externalId);
        return;
      }
      case "type":
        if (!isImport) throw encodeError("worlds cannot export types");
        encoder.interface = undefined;
        encoder.importTypes = true;
        encoder.encodeValType(item.id);
        encoder.importTypes = false;
        return;
    }
  };
  for (const { k, v } of imports) encodeItem(k, v, true);
  for (const [k, v] of world.exports) encodeItem(k, v, false);
  return encoder.outer;
}

export interface EncodeOptions {
  /**
   * The `producers` section to write; `null` writes none. Defaults to
   * `processed-by: @wasm-pkg/wit <version>`.
   */
  producers?: Producers | null;
}

export const DEFAULT_PRODUCERS: Producers = { "processed-by": [["@wasm-pkg/wit", "0.1.0"]] };

/**
 * Encodes a WIT package as a component binary, byte for byte as `wit_component::encode`
 * writes it (given the same `producers`): one exported component type per interface and
 * per world, then `package-docs`, then `producers`. With neither, no exports: the binary then
 * decodes, as upstream's does, as a component with an empty world, not as a package.
 */
export function encodePackage(resolve: Resolve, pkgId: PackageId, options: EncodeOptions = {}): Uint8Array {
  // A package with no interfaces or worlds (a WASI 0.3 `package.wit` holding only
  // `package x:y;`) encodes, as upstream, to a component with no exports.
  const pkg = resolve.pkg(pkgId);
  const builder = new ComponentBuilder();
  for (const [name, id] of pkg.interfaces) {
    const ty = builder.type(encodeInterface(resolve, id).finish());
    builder.exportType(name, ty);
  }
  for (const [name, id] of pkg.worlds) {
    const worldTy = encodeWorld(resolve, id);
    const wrapper = new TypeDeclBuilder("component");
    wrapper.defineType(worldTy.finish());
    wrapper.component(false, interfaceIdString(pkg.name, name), 0);
    const ty = builder.type(wrapper.finish());
    builder.exportType(name, ty);
  }
  builder.custom(PACKAGE_DOCS, encodePackageDocs(resolve, pkgId));
  const producers = options.producers === undefined ? DEFAULT_PRODUCERS : options.producers;
  if (producers !== null) builder.custom("producers", encodeProducers(producers));
  return builder.finish();
}
