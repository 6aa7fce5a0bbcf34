import { ByteReader } from "./reader.js";
import {
  type Entity,
  readAlias,
  readExternDesc,
  readExternName,
  namedEntity,
  readTypeDef,
  Scope,
  skipCoreType,
  TypeArena,
  type TypeEntry,
  type ValType,
} from "./types.js";

export interface CustomSection {
  name: string;
  data: Uint8Array;
  /** Byte range of the whole section (id, size and payload) in the file. */
  start: number;
  end: number;
}

export interface ParsedComponent {
  arena: TypeArena;
  scope: Scope;
  imports: Array<{ name: string; entity: Entity }>;
  exports: Array<{ name: string; entity: Entity; sort: number; index: number }>;
  customs: CustomSection[];
}

export const MAGIC = [0x00, 0x61, 0x73, 0x6d];

/** "module", "component" or undefined for anything that is not a wasm binary. */
export function binaryKind(bytes: Uint8Array): "module" | "component" | undefined {
  if (bytes.length < 8) return undefined;
  for (let i = 0; i < 4; i++) if (bytes[i] !== MAGIC[i]) return undefined;
  if (bytes[6] === 0x01 && bytes[7] === 0x00) return "component";
  if (bytes[4] === 0x01 && bytes[5] === 0x00 && bytes[6] === 0x00 && bytes[7] === 0x00) return "module";
  return undefined;
}

/** Iterates the sections of a module or component: `(id, reader over the payload, start, end)`. */
export function* sections(bytes: Uint8Array, start = 8, end = bytes.length): Generator<[number, ByteReader, number, number]> {
  const r = new ByteReader(bytes, start, end);
  while (!r.eof) {
    const sectionStart = r.pos;
    const id = r.byte();
    const size = r.u32();
    const payload = r.sub(size);
    yield [id, payload, sectionStart, r.pos];
  }
}

/**
 * Parses a component binary far enough to know its imports, exports and the types they
 * use. Nested modules are skipped; nested components are parsed for their types so
 * instances created from them have known exports.
 */
export function parseComponent(bytes: Uint8Array): ParsedComponent {
  const r = new ByteReader(bytes);
  const head = r.bytes(8);
  if (head[0] !== 0 || head[1] !== 0x61 || head[2] !== 0x73 || head[3] !== 0x6d) r.fail("magic header not detected: bad magic number");
  if (head[6] !== 0x01 || head[7] !== 0x00) {
    if (head[4] === 0x01 && head[6] === 0x00) r.fail("expected a component, found a core module");
    r.fail(`unknown binary version and encoding: 0x${[...head.subarray(4)].map((b) => b.toString(16)).join("")}`);
  }
  const arena = new TypeArena();
  const scope = new Scope(arena, undefined);
  const out: ParsedComponent = { arena, scope, imports: [], exports: [], customs: [] };
  readComponentBody(bytes, 8, bytes.length, scope, out, 0);
  return out;
}

function readComponentBody(
  bytes: Uint8Array,
  start: number,
  end: number,
  scope: Scope,
  out: ParsedComponent | undefined,
  depth: number,
): {
  imports: Map<string, Entity>;
  exports: Map<string, Entity>;
} {
  if (depth > 50) throw new ByteReader(bytes, start, end).fail("components nest too deeply");
  const imports = new Map<string, Entity>();
  const exports = new Map<string, Entity>();
  for (const [id, r, sectionStart, sectionEnd] of sections(bytes, start, end)) {
    switch (id) {
      case 0: {
        const name = r.string();
        out?.customs.push({ name, data: r.bytes(r.end - r.pos), start: sectionStart, end: sectionEnd });
        break;
      }
      case 1:
        scope.coreCount.modules++;
        break;
      case 2:
        scope.coreCount.instances += r.u32();
        break;
      case 3:
        for (let n = r.count(); n > 0; n--) skipCoreType(r);
        break;
      case 4: {
        const inner = new Scope(scope.arena, scope);
        const head = r.bytes(8);
        if (head[0] !== 0 || head[1] !== 0x61 || head[6] !== 0x01) r.fail("invalid nested component header");
        const ty = readComponentBody(bytes, r.pos, r.end, inner, undefined, depth + 1);
        scope.components.push(scope.arena.add({ k: "component", imports: ty.imports, exports: ty.exports }));
        break;
      }
      case 5:
        for (let n = r.count(); n > 0; n--) readInstance(r, scope);
        break;
      case 6:
        for (let n = r.count(); n > 0; n--) readAlias(r, scope);
        break;
      case 7:
        for (let n = r.count(); n > 0; n--) scope.types.push(readTypeDef(r, scope));
        break;
      case 8:
        readCanonSection(r, scope);
        break;
      case 9:
        break;
      case 10:
        for (let n = r.count(); n > 0; n--) {
          const name = readExternName(r);
          const entity = namedEntity(r, name, readExternDesc(r, scope));
          imports.set(name.name, entity);
          out?.imports.push({ name: name.name, entity });
        }
        break;
      case 11:
        for (let n = r.count(); n > 0; n--) {
          const extern = readExternName(r);
          const name = extern.name;
          const sort = r.byte();
          if (sort === 0x00) r.byte();
          const index = r.u32();
          const hasType = r.byte();
          let entity: Entity;
          if (hasType === 0x01) entity = readExternDesc(r, scope);
          else if (hasType === 0x00) entity = exportEntity(r, scope, sort, index);
          else throw r.fail("invalid export type ascription flag");
          entity = namedEntity(r, extern, entity);
          exports.set(name, entity);
          out?.exports.push({ name, entity, sort, index });
        }
        break;
      case 12:
        scope.values += r.u32();
        break;
      default:
        // A section this reader does not know could hold imports, exports or types; skipping
        // it would decode a partial world without a word.
        throw new ByteReader(bytes, sectionStart, sectionEnd).fail(`unknown component section id ${id}`);
    }
  }
  return { imports, exports };
}

/** The entity an un-ascribed export refers to; exporting also adds a new index. */
function exportEntity(r: ByteReader, scope: Scope, sort: number, index: number): Entity {
  switch (sort) {
    case 0x01: {
      const ty = scope.funcs[index] ?? (scope.funcsUnknown ? -1 : undefined);
      if (ty === undefined) r.fail(`unknown function ${index}`);
      scope.funcs.push(ty);
      return { k: "func", ty };
    }
    case 0x03: {
      const referenced = scope.type(r, index);
      const created = scope.arena.add({ k: "alias", of: referenced });
      scope.types.push(created);
      return { k: "type", referenced, created };
    }
    case 0x04: {
      const ty = scope.components[index];
      if (ty === undefined) r.fail(`unknown component ${index}`);
      scope.components.push(ty);
      return { k: "component", ty };
    }
    case 0x05: {
      const ty = scope.instances[index];
      if (ty === undefined) r.fail(`unknown instance ${index}`);
      scope.instances.push(ty);
      return { k: "instance", ty };
    }
    case 0x00:
      scope.coreCount.modules++;
      return { k: "module" };
    case 0x02:
      scope.values++;
      return { k: "value" };
  }
  r.fail(`invalid export sort 0x${sort.toString(16)}`);
}

function readSortIdx(r: ByteReader): [number, number] {
  const sort = r.byte();
  if (sort === 0x00) r.byte();
  return [sort, r.u32()];
}

function entityOf(r: ByteReader, scope: Scope, sort: number, index: number): Entity | undefined {
  switch (sort) {
    case 0x01: {
      const ty = scope.funcs[index] ?? (scope.funcsUnknown ? -1 : undefined);
      return ty === undefined ? undefined : { k: "func", ty };
    }
    case 0x03: {
      const ty = scope.type(r, index);
      return { k: "type", referenced: ty, created: ty };
    }
    case 0x04: {
      const ty = scope.components[index];
      return ty === undefined ? undefined : { k: "component", ty };
    }
    case 0x05: {
      const ty = scope.instances[index];
      return ty === undefined ? undefined : { k: "instance", ty };
    }
    default:
      return undefined;
  }
}

/** A component instance: `(instantiate c (with ...))` or a bag of exports. */
function readInstance(r: ByteReader, scope: Scope): void {
  const tag = r.byte();
  if (tag === 0x00) {
    const componentIdx = r.u32();
    const args = new Map<string, Entity>();
    for (let n = r.count(); n > 0; n--) {
      const name = r.string();
      const [sort, index] = readSortIdx(r);
      const entity = entityOf(r, scope, sort, index);
      if (entity) args.set(name, entity);
    }
    const cty = scope.components[componentIdx];
    if (cty === undefined) r.fail(`unknown component ${componentIdx}`);
    const component = scope.arena.get(cty);
    if (component.k !== "component") r.fail(`component ${componentIdx} has no known type`);
    const subst = new Substitution(scope.arena);
    for (const [name, imported] of component.imports) {
      const arg = args.get(name);
      if (arg) subst.bind(imported, arg);
    }
    const exports = new Map<string, Entity>();
    for (const [name, entity] of component.exports) exports.set(name, subst.entity(entity));
    scope.instances.push(scope.arena.add({ k: "instance", exports }));
    return;
  }
  if (tag === 0x01) {
    const exports = new Map<string, Entity>();
    for (let n = r.count(); n > 0; n--) {
      const name = r.string();
      const [sort, index] = readSortIdx(r);
      const entity = entityOf(r, scope, sort, index);
      if (entity) exports.set(name, entity);
    }
    scope.instances.push(scope.arena.add({ k: "instance", exports }));
    return;
  }
  r.fail(`invalid leading byte (0x${tag.toString(16)}) for component instance`);
}

/**
 * Replaces a nested component's imported types with the types it was instantiated with,
 * cloning (once) every type that mentions them, so identities survive instantiation.
 */
class Substitution {
  private readonly map = new Map<number, number>();

  constructor(private readonly arena: TypeArena) {}

  bind(imported: Entity, arg: Entity): void {
    if (imported.k === "type" && arg.k === "type") {
      this.map.set(imported.created, arg.created);
    } else if (imported.k === "instance" && arg.k === "instance") {
      const a = this.arena.get(imported.ty);
      const b = this.arena.get(arg.ty);
      if (a.k === "instance" && b.k === "instance") {
        for (const [name, e] of a.exports) {
          const other = b.exports.get(name);
          if (other) this.bind(e, other);
        }
      }
    }
  }

  entity(e: Entity): Entity {
    switch (e.k) {
      case "type": {
        const referenced = this.id(e.referenced);
        const created = this.id(e.created);
        return { k: "type", referenced, created };
      }
      case "func":
      case "instance":
      case "component":
        return { k: e.k, ty: this.id(e.ty) };
      default:
        return e;
    }
  }

  private val(t: ValType | undefined): ValType | undefined {
    return typeof t === "number" ? this.id(t) : t;
  }

  id(id: number): number {
    const mapped = this.map.get(id);
    if (mapped !== undefined) return mapped;
    const entry = this.arena.get(id);
    const next = this.clone(entry);
    if (next === undefined) {
      this.map.set(id, id);
      return id;
    }
    const newId = this.arena.add(next);
    this.map.set(id, newId);
    return newId;
  }

  /** A substituted copy of `entry`, or undefined when nothing in it changes. */
  private clone(entry: TypeEntry): TypeEntry | undefined {
    switch (entry.k) {
      case "alias": {
        const of = this.id(entry.of);
        return of === entry.of ? undefined : { k: "alias", of };
      }
      case "defined": {
        const d = entry.d;
        let changed = false;
        const v = (t: ValType | undefined) => {
          const n = this.val(t);
          if (n !== t) changed = true;
          return n;
        };
        let next: typeof d;
        switch (d.k) {
          case "record":
            next = { k: "record", fields: d.fields.map(([n, t]) => [n, v(t) as ValType]) };
            break;
          case "variant":
            next = { k: "variant", cases: d.cases.map(([n, t]) => [n, v(t)]) };
            break;
          case "list":
          case "option":
            next = { k: d.k, t: v(d.t) as ValType };
            break;
          case "fixed-list":
            next = { k: "fixed-list", t: v(d.t) as ValType, n: d.n };
            break;
          case "tuple":
            next = { k: "tuple", types: d.types.map((t) => v(t) as ValType) };
            break;
          case "result":
            next = { k: "result", ok: v(d.ok), err: v(d.err) };
            break;
          case "own":
          case "borrow":
            next = { k: d.k, r: v(d.r) as number };
            break;
          case "future":
          case "stream":
            next = { k: d.k, t: v(d.t) };
            break;
          case "map":
            next = { k: "map", key: v(d.key) as ValType, value: v(d.value) as ValType };
            break;
          default:
            return undefined;
        }
        return changed ? { k: "defined", d: next } : undefined;
      }
      case "func": {
        let changed = false;
        const params = entry.params.map(([n, t]): [string, ValType] => {
          const m = this.val(t) as ValType;
          if (m !== t) changed = true;
          return [n, m];
        });
        const result = this.val(entry.result);
        if (result !== entry.result) changed = true;
        return changed ? { k: "func", async: entry.async, params, result } : undefined;
      }
      case "instance": {
        let changed = false;
        const exports = new Map<string, Entity>();
        for (const [name, e] of entry.exports) {
          const m = this.entity(e);
          if (JSON.stringify(m) !== JSON.stringify(e)) changed = true;
          exports.set(name, m);
        }
        return changed ? { k: "instance", exports } : undefined;
      }
      default:
        return undefined;
    }
  }
}

/**
 * Canonical function definitions. Only `lift` produces a component function (whose type the
 * decoder needs); everything else produces a core function. Should a future built-in not be
 * understood, the rest of the section is skipped and functions lifted after it get an
 * unknown type (`-1`): their names still list, decoding their signatures fails clearly.
 */
function readCanonSection(r: ByteReader, scope: Scope): void {
  let n = r.count();
  try {
    for (; n > 0; n--) readCanon(r, scope);
  } catch (error) {
    if (!(error instanceof Error) || !("code" in error)) throw error;
    r.pos = r.end;
    scope.funcsUnknown = true;
  }
}

function readCanon(r: ByteReader, scope: Scope): void {
  const op = r.byte();
  const core = () => scope.coreCount.funcs++;
  const flag = () => {
    if (r.byte() > 1) r.fail("invalid flag in canonical function");
  };
  switch (op) {
    case 0x00: {
      if (r.byte() !== 0x00) r.fail("invalid canon lift encoding");
      r.u32();
      skipCanonOpts(r);
      const ty = scope.type(r, r.u32());
      scope.funcs.push(ty);
      return;
    }
    case 0x01:
      if (r.byte() !== 0x00) r.fail("invalid canon lower encoding");
      r.u32();
      skipCanonOpts(r);
      core();
      return;
    case 0x02:
    case 0x03:
    case 0x04:
    case 0x07:
    case 0x0e:
    case 0x13:
    case 0x14:
    case 0x15:
    case 0x1a:
    case 0x1b:
    case 0x40:
      r.u32();
      core();
      return;
    case 0x05:
    case 0x08:
    case 0x0d:
    case 0x1e:
    case 0x1f:
    case 0x22:
    case 0x23:
    case 0x24:
    case 0x25:
    case 0x42:
      core();
      return;
    case 0x06:
    case 0x0c:
      flag();
      core();
      return;
    case 0x09: {
      const kind = r.byte();
      if (kind === 0x00) r.s33();
      else if (kind !== 0x01 || r.byte() !== 0x00) r.fail("invalid task.return result");
      skipCanonOpts(r);
      core();
      return;
    }
    case 0x0a:
    case 0x0b:
      if (r.byte() !== 0x7f) r.fail("invalid context type");
      r.u32();
      core();
      return;
    case 0x0f:
    case 0x10:
    case 0x16:
    case 0x17:
      r.u32();
      skipCanonOpts(r);
      core();
      return;
    case 0x11:
    case 0x12:
    case 0x18:
    case 0x19:
      r.u32();
      flag();
      core();
      return;
    case 0x1c:
    case 0x1d:
      skipCanonOpts(r);
      core();
      return;
    case 0x20:
    case 0x21:
      flag();
      r.u32();
      core();
      return;
    case 0x41:
      r.u32();
      r.u32();
      core();
      return;
    default:
      r.fail(`unknown canonical function 0x${op.toString(16)}`);
  }
}

function skipCanonOpts(r: ByteReader): void {
  for (let n = r.count(); n > 0; n--) {
    const opt = r.byte();
    switch (opt) {
      case 0x00:
      case 0x01:
      case 0x02:
      case 0x06:
        break;
      case 0x03:
      case 0x04:
      case 0x05:
      case 0x07:
      case 0x08:
        r.u32();
        break;
      default:
        r.fail(`unknown canonical option 0x${opt.toString(16)}`);
    }
  }
}
