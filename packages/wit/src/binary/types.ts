import { decodeError } from "../errors.js";
import type { PrimitiveType } from "../model.js";
import type { ByteReader } from "./reader.js";

/**
 * Component-model type tracking for decoding, modelled on wasmparser's: every type gets a
 * global id; `(eq T)` exports/imports create alias ids that point at `T`; `(sub resource)`
 * creates a fresh resource id. The WIT decoder relies on these identities to tell a `use`
 * of another interface's type apart from a new definition.
 */

export type ValType = PrimitiveType | number;

export type DefinedType =
  | { k: "prim"; p: PrimitiveType }
  | { k: "record"; fields: Array<[string, ValType]> }
  | { k: "variant"; cases: Array<[string, ValType | undefined]> }
  | { k: "list"; t: ValType }
  | { k: "fixed-list"; t: ValType; n: number }
  | { k: "tuple"; types: ValType[] }
  | { k: "flags"; names: string[] }
  | { k: "enum"; names: string[] }
  | { k: "option"; t: ValType }
  | { k: "result"; ok: ValType | undefined; err: ValType | undefined }
  | { k: "own"; r: number }
  | { k: "borrow"; r: number }
  | { k: "future"; t: ValType | undefined }
  | { k: "stream"; t: ValType | undefined }
  | { k: "map"; key: ValType; value: ValType };

export type Entity = (
  | { k: "type"; referenced: number; created: number }
  | { k: "func"; ty: number }
  | { k: "instance"; ty: number; implements?: string }
  | { k: "component"; ty: number }
  | { k: "module" }
  | { k: "value" }
) & {
  /** The `(external-id "…")` option of the name this entity was imported or exported under. */
  externalId?: string;
};

export type TypeEntry =
  | { k: "defined"; d: DefinedType }
  | { k: "resource" }
  | { k: "alias"; of: number }
  | { k: "func"; async: boolean; params: Array<[string, ValType]>; result: ValType | undefined }
  | { k: "instance"; exports: Map<string, Entity> }
  | { k: "component"; imports: Map<string, Entity>; exports: Map<string, Entity> }
  | { k: "unknown" };

const PRIMS: Record<number, PrimitiveType> = {
  127: "bool",
  126: "s8",
  125: "u8",
  124: "s16",
  123: "u16",
  122: "s32",
  121: "u32",
  120: "s64",
  119: "u64",
  118: "f32",
  117: "f64",
  116: "char",
  115: "string",
  100: "error-context",
};

export class TypeArena {
  readonly entries: TypeEntry[] = [];

  add(entry: TypeEntry): number {
    this.entries.push(entry);
    return this.entries.length - 1;
  }

  get(id: number): TypeEntry {
    const e = this.entries[id];
    if (e === undefined) {
      throw decodeError(id < 0 ? "the component uses a canonical function this decoder does not know" : `no type ${id}`);
    }
    return e;
  }

  /** The id an alias points at, or undefined when `id` is not an alias. */
  peel(id: number): number | undefined {
    const e = this.entries[id];
    return e?.k === "alias" ? e.of : undefined;
  }

  /** Follows aliases to the underlying definition. */
  resolve(id: number): number {
    let cur = id;
    for (let guard = 0; guard < 100_000; guard++) {
      const next = this.peel(cur);
      if (next === undefined) return cur;
      cur = next;
    }
    throw new Error("alias cycle");
  }
}

/** Index spaces of one component, component type or instance type. */
export class Scope {
  readonly types: number[] = [];
  readonly funcs: number[] = [];
  readonly instances: number[] = [];
  readonly components: number[] = [];
  coreCount = { modules: 0, funcs: 0, instances: 0, types: 0, tables: 0, memories: 0, globals: 0, tags: 0 };
  values = 0;
  /** Set when a canonical function could not be read: later function types are unknown (-1). */
  funcsUnknown = false;

  constructor(
    readonly arena: TypeArena,
    readonly parent: Scope | undefined,
  ) {}

  type(r: ByteReader, idx: number): number {
    const id = this.types[idx];
    if (id === undefined) r.fail(`unknown type ${idx}: type index out of bounds`);
    return id;
  }

  instanceType(r: ByteReader, idx: number): TypeEntry & { k: "instance" } {
    const id = this.instances[idx];
    if (id === undefined) r.fail(`unknown instance ${idx}: instance index out of bounds`);
    const entry = this.arena.get(id);
    if (entry.k !== "instance") r.fail(`instance ${idx} has no known type`);
    return entry;
  }

  outer(r: ByteReader, count: number): Scope {
    let scope: Scope = this;
    for (let i = 0; i < count; i++) {
      if (!scope.parent) r.fail(`invalid outer alias count of ${count}`);
      scope = scope.parent;
    }
    return scope;
  }
}

export function readValType(r: ByteReader, scope: Scope): ValType {
  const v = r.s33();
  if (v < 0) {
    const prim = PRIMS[v + 128];
    if (prim === undefined) r.fail(`invalid leading byte (0x${(v + 128).toString(16)}) for component value type`);
    return prim;
  }
  const id = scope.type(r, v);
  const entry = scope.arena.get(scope.arena.resolve(id));
  if (entry.k !== "defined" && entry.k !== "unknown") r.fail(`type index ${v} is not a defined type`);
  return id;
}

function readOptValType(r: ByteReader, scope: Scope): ValType | undefined {
  const flag = r.byte();
  if (flag === 0) return undefined;
  if (flag !== 1) r.fail(`invalid optional value type flag 0x${flag.toString(16)}`);
  return readValType(r, scope);
}

function readResource(r: ByteReader, scope: Scope): number {
  const idx = r.u32();
  const id = scope.type(r, idx);
  if (scope.arena.get(scope.arena.resolve(id)).k !== "resource") r.fail(`type index ${idx} is not a resource type`);
  return id;
}

/** Reads a `defvaltype` whose first byte is `tag` (already consumed). */
export function readDefinedType(r: ByteReader, scope: Scope, tag: number): DefinedType {
  const prim = PRIMS[tag];
  if (prim !== undefined) return { k: "prim", p: prim };
  switch (tag) {
    case 0x72: {
      const n = r.count();
      const fields: Array<[string, ValType]> = [];
      for (let i = 0; i < n; i++) fields.push([r.string(), readValType(r, scope)]);
      return { k: "record", fields };
    }
    case 0x71: {
      const n = r.count();
      const cases: Array<[string, ValType | undefined]> = [];
      for (let i = 0; i < n; i++) {
        const name = r.string();
        const ty = readOptValType(r, scope);
        const refines = r.byte();
        if (refines === 1) r.u32();
        else if (refines !== 0) r.fail("invalid variant case refinement");
        cases.push([name, ty]);
      }
      return { k: "variant", cases };
    }
    case 0x70:
      return { k: "list", t: readValType(r, scope) };
    case 0x67: {
      const t = readValType(r, scope);
      return { k: "fixed-list", t, n: r.u32() };
    }
    case 0x6f: {
      const n = r.count();
      const types: ValType[] = [];
      for (let i = 0; i < n; i++) types.push(readValType(r, scope));
      return { k: "tuple", types };
    }
    case 0x6e:
    case 0x6d: {
      const n = r.count();
      const names: string[] = [];
      for (let i = 0; i < n; i++) names.push(r.string());
      return tag === 0x6e ? { k: "flags", names } : { k: "enum", names };
    }
    case 0x6b:
      return { k: "option", t: readValType(r, scope) };
    case 0x6a: {
      const ok = readOptValType(r, scope);
      const err = readOptValType(r, scope);
      return { k: "result", ok, err };
    }
    case 0x69:
      return { k: "own", r: readResource(r, scope) };
    case 0x68:
      return { k: "borrow", r: readResource(r, scope) };
    case 0x66:
      return { k: "stream", t: readOptValType(r, scope) };
    case 0x65:
      return { k: "future", t: readOptValType(r, scope) };
    case 0x63: {
      const key = readValType(r, scope);
      return { k: "map", key, value: readValType(r, scope) };
    }
    default:
      r.fail(`invalid leading byte (0x${tag.toString(16)}) for component defined type`);
  }
}

function readFuncType(r: ByteReader, scope: Scope, async: boolean): TypeEntry {
  const n = r.count();
  const params: Array<[string, ValType]> = [];
  for (let i = 0; i < n; i++) params.push([r.string(), readValType(r, scope)]);
  const kind = r.byte();
  let result: ValType | undefined;
  if (kind === 0x00) result = readValType(r, scope);
  else if (kind === 0x01) {
    const count = r.u32();
    if (count !== 0) r.fail("named function results are not supported");
  } else r.fail(`invalid function result encoding 0x${kind.toString(16)}`);
  return { k: "func", async, params, result };
}

/** An import/export name with the name options WIT carries. */
export interface ExternName {
  name: string;
  /** `(implements "ns:pkg/iface")`. */
  implements?: string;
  /** `(external-id "…")`, WIT's `@external-id`. */
  externalId?: string;
}

/**
 * Reads an extern name (`importname'`/`exportname'`). An option this decoder does not carry
 * into WIT (`versionsuffix`, an unknown tag) is an error naming its offset, never dropped.
 */
export function readExternName(r: ByteReader): ExternName {
  const tag = r.byte();
  if (tag === 0x00 || tag === 0x01) return { name: r.string() };
  if (tag === 0x02) {
    const name = r.string();
    const n = r.count();
    const out: ExternName = { name };
    for (let i = 0; i < n; i++) {
      const at = r.offset;
      const attr = r.byte();
      if (attr === 0x00) out.implements = r.string();
      else if (attr === 0x01) failAt(r, at, `the \`versionsuffix\` option of name \`${name}\` is not supported`);
      else if (attr === 0x02) out.externalId = r.string();
      else failAt(r, at, `invalid name option 0x${attr.toString(16)} of name \`${name}\``);
    }
    return out;
  }
  r.fail(`invalid leading byte (0x${tag.toString(16)}) for component external name`);
}

function failAt(r: ByteReader, offset: number, message: string): never {
  r.pos = offset - r.base;
  r.fail(message);
}

/** Attaches an extern name's options to the entity it names. */
export function namedEntity(r: ByteReader, name: ExternName, entity: Entity): Entity {
  if (name.implements !== undefined) {
    if (entity.k !== "instance") r.fail(`\`${name.name}\` has an \`implements\` option but is not an instance`);
    entity.implements = name.implements;
  }
  if (name.externalId !== undefined) entity.externalId = name.externalId;
  return entity;
}

/** Reads an `externdesc` and adds the item it describes to `scope`'s index spaces. */
export function readExternDesc(r: ByteReader, scope: Scope): Entity {
  const kind = r.byte();
  switch (kind) {
    case 0x00: {
      const core = r.byte();
      if (core !== 0x11) r.fail("invalid core module type reference");
      r.u32();
      scope.coreCount.modules++;
      return { k: "module" };
    }
    case 0x01: {
      const idx = r.u32();
      const ty = scope.type(r, idx);
      if (scope.arena.get(ty).k !== "func") r.fail(`type index ${idx} is not a function type`);
      scope.funcs.push(ty);
      return { k: "func", ty };
    }
    case 0x02: {
      const flag = r.byte();
      if (flag === 0x00) r.u32();
      else if (flag === 0x01) readValType(r, scope);
      else r.fail("invalid value bound");
      scope.values++;
      return { k: "value" };
    }
    case 0x03: {
      const bound = r.byte();
      if (bound === 0x00) {
        const referenced = scope.type(r, r.u32());
        const created = scope.arena.add({ k: "alias", of: referenced });
        scope.types.push(created);
        return { k: "type", referenced, created };
      }
      if (bound === 0x01) {
        const created = scope.arena.add({ k: "resource" });
        scope.types.push(created);
        return { k: "type", referenced: created, created };
      }
      r.fail(`invalid type bound 0x${bound.toString(16)}`);
      break;
    }
    case 0x04: {
      const idx = r.u32();
      const ty = scope.type(r, idx);
      if (scope.arena.get(ty).k !== "component") r.fail(`type index ${idx} is not a component type`);
      scope.components.push(ty);
      return { k: "component", ty };
    }
    case 0x05: {
      const idx = r.u32();
      const ty = scope.type(r, idx);
      if (scope.arena.get(ty).k !== "instance") r.fail(`type index ${idx} is not an instance type`);
      scope.instances.push(ty);
      return { k: "instance", ty };
    }
  }
  r.fail(`invalid leading byte (0x${kind.toString(16)}) for component external kind`);
}

/** Skips a core type (function or module type) in a type declaration. */
export function skipCoreType(r: ByteReader): void {
  const tag = r.byte();
  if (tag === 0x60) {
    for (let i = r.count(); i > 0; i--) skipCoreValType(r);
    for (let i = r.count(); i > 0; i--) skipCoreValType(r);
    return;
  }
  if (tag === 0x50) {
    for (let i = r.count(); i > 0; i--) {
      const decl = r.byte();
      if (decl === 0x00) {
        r.string();
        r.string();
        skipCoreImportDesc(r);
      } else if (decl === 0x01) skipCoreType(r);
      else if (decl === 0x02) {
        r.byte();
        r.byte();
        r.u32();
        r.u32();
      } else if (decl === 0x03) {
        r.string();
        skipCoreImportDesc(r);
      } else r.fail("invalid module type declaration");
    }
    return;
  }
  // GC proposal types (rec groups, structs, arrays) are not used by WIT tooling.
  r.fail(`unsupported core type 0x${tag.toString(16)}`);
}

function skipCoreValType(r: ByteReader): void {
  const b = r.byte();
  if (b === 0x64 || b === 0x63) r.s33();
}

function skipLimits(r: ByteReader): void {
  const flags = r.byte();
  r.u32();
  if (flags & 1) r.u32();
}

export function skipCoreImportDesc(r: ByteReader): void {
  const kind = r.byte();
  switch (kind) {
    case 0x00:
      r.u32();
      return;
    case 0x01:
      skipCoreValType(r);
      skipLimits(r);
      return;
    case 0x02:
      skipLimits(r);
      return;
    case 0x03:
      skipCoreValType(r);
      r.byte();
      return;
    case 0x04:
      r.byte();
      r.u32();
      return;
    default:
      r.fail("invalid core import description");
  }
}

/**
 * Reads an alias and adds the aliased item to `scope`. Only what the WIT decoder needs is
 * tracked precisely (types, instances, functions, components); core items are counted.
 */
export function readAlias(r: ByteReader, scope: Scope): void {
  const sort = r.byte();
  let coreSort: number | undefined;
  if (sort === 0x00) coreSort = r.byte();
  const target = r.byte();
  if (target === 0x00) {
    const instance = scope.instanceType(r, r.u32());
    const name = r.string();
    const entity = instance.exports.get(name);
    if (!entity) r.fail(`instance has no export named \`${name}\``);
    switch (sort) {
      case 0x01:
        if (entity.k !== "func") r.fail(`export \`${name}\` is not a function`);
        scope.funcs.push(entity.ty);
        return;
      case 0x02:
        scope.values++;
        return;
      case 0x03:
        if (entity.k !== "type") r.fail(`export \`${name}\` is not a type`);
        scope.types.push(entity.created);
        return;
      case 0x04:
        if (entity.k !== "component") r.fail(`export \`${name}\` is not a component`);
        scope.components.push(entity.ty);
        return;
      case 0x05:
        if (entity.k !== "instance") r.fail(`export \`${name}\` is not an instance`);
        scope.instances.push(entity.ty);
        return;
      case 0x00:
        if (coreSort === 0x11) scope.coreCount.modules++;
        return;
    }
    r.fail(`invalid alias sort 0x${sort.toString(16)}`);
  }
  if (target === 0x01) {
    r.u32();
    r.string();
    countCore(scope, coreSort);
    return;
  }
  if (target === 0x02) {
    const count = r.u32();
    const idx = r.u32();
    const outer = scope.outer(r, count);
    switch (sort) {
      case 0x03:
        scope.types.push(outer.type(r, idx));
        return;
      case 0x04: {
        const c = outer.components[idx];
        if (c === undefined) r.fail(`unknown component ${idx}`);
        scope.components.push(c);
        return;
      }
      case 0x00:
        countCore(scope, coreSort);
        return;
    }
    r.fail("invalid outer alias sort");
  }
  r.fail(`invalid leading byte (0x${target.toString(16)}) for component alias`);
}

function countCore(scope: Scope, coreSort: number | undefined): void {
  const c = scope.coreCount;
  switch (coreSort) {
    case 0x00:
      c.funcs++;
      break;
    case 0x01:
      c.tables++;
      break;
    case 0x02:
      c.memories++;
      break;
    case 0x03:
      c.globals++;
      break;
    case 0x04:
      c.tags++;
      break;
    case 0x10:
      c.types++;
      break;
    case 0x11:
      c.modules++;
      break;
    case 0x12:
      c.instances++;
      break;
  }
}

/** Reads a `type` definition (defined value type, function, component or instance type). */
export function readTypeDef(r: ByteReader, scope: Scope, depth = 0): number {
  if (depth > 100) r.fail("type nesting too deep");
  const tag = r.byte();
  const arena = scope.arena;
  switch (tag) {
    case 0x40:
    case 0x43:
      return arena.add(readFuncType(r, scope, tag === 0x43));
    case 0x41: {
      const inner = new Scope(arena, scope);
      const imports = new Map<string, Entity>();
      const exports = new Map<string, Entity>();
      for (let n = r.count(); n > 0; n--) readDecl(r, inner, imports, exports, true, depth);
      return arena.add({ k: "component", imports, exports });
    }
    case 0x42: {
      const inner = new Scope(arena, scope);
      const exports = new Map<string, Entity>();
      for (let n = r.count(); n > 0; n--) readDecl(r, inner, undefined, exports, false, depth);
      return arena.add({ k: "instance", exports });
    }
    case 0x3f: {
      // A resource type definition in a real component: `rep i32` and an optional destructor.
      if (r.byte() !== 0x7f) r.fail("resources must be represented by i32");
      if (r.byte() === 0x01) r.u32();
      return arena.add({ k: "resource" });
    }
    default:
      return arena.add({ k: "defined", d: readDefinedType(r, scope, tag) });
  }
}

function readDecl(
  r: ByteReader,
  scope: Scope,
  imports: Map<string, Entity> | undefined,
  exports: Map<string, Entity>,
  component: boolean,
  depth: number,
): void {
  const tag = r.byte();
  switch (tag) {
    case 0x00:
      skipCoreType(r);
      scope.coreCount.types++;
      return;
    case 0x01:
      scope.types.push(readTypeDef(r, scope, depth + 1));
      return;
    case 0x02:
      readAlias(r, scope);
      return;
    case 0x03: {
      if (!component || !imports) r.fail("imports are not allowed in instance types");
      const extern = readExternName(r);
      const name = extern.name;
      const entity = namedEntity(r, extern, readExternDesc(r, scope));
      if (imports.has(name)) r.fail(`import name \`${name}\` conflicts with previous name`);
      imports.set(name, entity);
      return;
    }
    case 0x04: {
      const extern = readExternName(r);
      const name = extern.name;
      const entity = namedEntity(r, extern, readExternDesc(r, scope));
      if (exports.has(name)) r.fail(`export name \`${name}\` conflicts with previous name`);
      exports.set(name, entity);
      return;
    }
  }
  r.fail(`invalid leading byte (0x${tag.toString(16)}) for ${component ? "component" : "instance"} type declaration`);
}
