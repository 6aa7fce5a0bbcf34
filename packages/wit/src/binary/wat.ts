import { decodeError } from "../errors.js";
import { encodeProducers, type Producers } from "./producers.js";
import { ByteWriter } from "./writer.js";
import { PRIM_BYTES } from "./primitives.js";

/**
 * A small WebAssembly text assembler for the subset that describes WIT packages: component,
 * instance and function types, defined value types, imports, exports, aliases and custom
 * sections (`@custom`, `@producers`), with numeric or `$name` indices. Enough for
 * `deps/*.wat` and for the text wasm-tools prints for WIT packages.
 */

type Sexp = { k: "list"; items: Sexp[]; at: number } | { k: "atom"; v: string; at: number } | { k: "str"; v: Uint8Array; at: number };

function fail(message: string, at: number): never {
  throw decodeError(`failed to parse WebAssembly text: ${message} (at offset ${at})`);
}

function tokenize(text: string): Sexp {
  let i = 0;
  const n = text.length;
  const skipSpace = () => {
    for (;;) {
      while (i < n && /\s/.test(text.charAt(i))) i++;
      if (text.startsWith(";;", i)) {
        const nl = text.indexOf("\n", i);
        i = nl === -1 ? n : nl + 1;
        continue;
      }
      if (text.startsWith("(;", i)) {
        let depth = 0;
        do {
          if (text.startsWith("(;", i)) {
            depth++;
            i += 2;
          } else if (text.startsWith(";)", i)) {
            depth--;
            i += 2;
          } else if (i >= n) fail("unterminated block comment", i);
          else i++;
        } while (depth > 0);
        continue;
      }
      return;
    }
  };
  const readString = (): Uint8Array => {
    const start = i;
    i++;
    const out: number[] = [];
    const enc = new TextEncoder();
    while (i < n && text[i] !== '"') {
      const c = text[i] as string;
      if (c === "\\") {
        const e = text[i + 1] ?? "";
        const hex = /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3));
        if (hex) {
          out.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
          i += 3;
          continue;
        }
        const simple: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, "'": 39, "\\": 92 };
        if (e in simple) {
          out.push(simple[e] as number);
          i += 2;
          continue;
        }
        if (e === "u") {
          const close = text.indexOf("}", i);
          const cp = Number.parseInt(text.slice(i + 3, close), 16);
          out.push(...enc.encode(String.fromCodePoint(cp)));
          i = close + 1;
          continue;
        }
        fail("invalid string escape", i);
      }
      const cp = text.codePointAt(i) as number;
      out.push(...enc.encode(String.fromCodePoint(cp)));
      i += cp > 0xffff ? 2 : 1;
    }
    if (i >= n) fail("unterminated string", start);
    i++;
    return new Uint8Array(out);
  };
  const parse = (): Sexp => {
    skipSpace();
    const at = i;
    if (text[i] === "(") {
      i++;
      const items: Sexp[] = [];
      for (;;) {
        skipSpace();
        if (i >= n) fail("unbalanced parentheses", at);
        if (text[i] === ")") {
          i++;
          return { k: "list", items, at };
        }
        items.push(parse());
      }
    }
    if (text[i] === '"') return { k: "str", v: readString(), at };
    const m = /^[^\s()";]+/.exec(text.slice(i, i + 512));
    if (!m) fail(`unexpected character ${JSON.stringify(text[i])}`, i);
    i += m[0].length;
    return { k: "atom", v: m[0], at };
  };
  const top = parse();
  skipSpace();
  if (i < n) fail("trailing content after the component", i);
  return top;
}

class Space {
  count = 0;
  readonly names = new Map<string, number>();
  add(id?: string): number {
    if (id !== undefined) this.names.set(id, this.count);
    return this.count++;
  }
}

class Scope {
  readonly types = new Space();
  readonly instances = new Space();
  readonly funcs = new Space();
  readonly components = new Space();
  constructor(readonly parent?: Scope) {}
}

const utf8 = new TextDecoder();

function isList(s: Sexp | undefined, head?: string): s is Extract<Sexp, { k: "list" }> {
  return s?.k === "list" && (head === undefined || (s.items[0]?.k === "atom" && s.items[0].v === head));
}

function head(s: Sexp): string | undefined {
  return s.k === "list" && s.items[0]?.k === "atom" ? s.items[0].v : undefined;
}

function str(s: Sexp | undefined): string {
  if (s?.k !== "str") fail("expected a string", s?.at ?? 0);
  return utf8.decode(s.v);
}

function optId(items: Sexp[], i: number): [string | undefined, number] {
  const s = items[i];
  if (s?.k === "atom" && s.v.startsWith("$")) return [s.v, i + 1];
  return [undefined, i];
}

function index(space: Space, s: Sexp | undefined): number {
  if (s?.k !== "atom") fail("expected an index", s?.at ?? 0);
  if (s.v.startsWith("$")) {
    const found = space.names.get(s.v);
    if (found === undefined) fail(`unknown name ${s.v}`, s.at);
    return found;
  }
  const v = Number(s.v);
  if (!Number.isInteger(v) || v < 0) fail(`invalid index ${s.v}`, s.at);
  return v;
}

class Assembler {
  valType(w: ByteWriter, s: Sexp | undefined, scope: Scope): void {
    if (s?.k === "atom" && s.v in PRIM_BYTES) {
      w.byte(PRIM_BYTES[s.v] as number);
      return;
    }
    w.s33(index(scope.types, s));
  }

  optVal(w: ByteWriter, s: Sexp | undefined, scope: Scope): void {
    if (s === undefined) w.byte(0);
    else {
      w.byte(1);
      this.valType(w, s, scope);
    }
  }

  /** Encodes a `deftype` body such as `(record ...)`, `(func ...)`, `(instance ...)` or `u32`. */
  defType(s: Sexp, scope: Scope): ByteWriter {
    const w = new ByteWriter();
    if (s.k === "atom" && s.v in PRIM_BYTES) return w.byte(PRIM_BYTES[s.v] as number);
    if (s.k !== "list") fail("expected a type definition", s.at);
    const items = s.items;
    const h = head(s);
    const args = items.slice(1);
    switch (h) {
      case "record":
        w.byte(0x72).u32(args.length);
        for (const f of args) {
          if (!isList(f, "field")) fail("expected (field ...)", f.at);
          w.string(str(f.items[1]));
          this.valType(w, f.items[2], scope);
        }
        return w;
      case "variant":
        w.byte(0x71).u32(args.length);
        for (const c of args) {
          if (!isList(c, "case")) fail("expected (case ...)", c.at);
          w.string(str(c.items[1]));
          this.optVal(w, c.items[2], scope);
          w.byte(0);
        }
        return w;
      case "list":
        if (args.length === 2) {
          w.byte(0x67);
          this.valType(w, args[0], scope);
          return w.u32(Number((args[1] as { v: string }).v));
        }
        w.byte(0x70);
        this.valType(w, args[0], scope);
        return w;
      case "tuple":
        w.byte(0x6f).u32(args.length);
        for (const a of args) this.valType(w, a, scope);
        return w;
      case "flags":
      case "enum":
        w.byte(h === "flags" ? 0x6e : 0x6d).u32(args.length);
        for (const a of args) w.string(str(a));
        return w;
      case "option":
        w.byte(0x6b);
        this.valType(w, args[0], scope);
        return w;
      case "result": {
        w.byte(0x6a);
        let ok: Sexp | undefined;
        let err: Sexp | undefined;
        for (const a of args) {
          if (isList(a, "error")) err = a.items[1];
          else ok = a;
        }
        this.optVal(w, ok, scope);
        this.optVal(w, err, scope);
        return w;
      }
      case "own":
      case "borrow":
        return w.byte(h === "own" ? 0x69 : 0x68).u32(index(scope.types, args[0]));
      case "stream":
      case "future":
        w.byte(h === "stream" ? 0x66 : 0x65);
        this.optVal(w, args[0], scope);
        return w;
      case "map":
        w.byte(0x63);
        this.valType(w, args[0], scope);
        this.valType(w, args[1], scope);
        return w;
      case "func": {
        const isAsync = args[0]?.k === "atom" && args[0].v === "async";
        const rest = isAsync ? args.slice(1) : args;
        const params = rest.filter((a) => isList(a, "param")) as Array<Extract<Sexp, { k: "list" }>>;
        const result = rest.find((a) => isList(a, "result")) as Extract<Sexp, { k: "list" }> | undefined;
        w.byte(isAsync ? 0x43 : 0x40).u32(params.length);
        for (const p of params) {
          w.string(str(p.items[1]));
          this.valType(w, p.items[2], scope);
        }
        if (result) {
          w.byte(0);
          this.valType(w, result.items[1], scope);
        } else w.byte(1).byte(0);
        return w;
      }
      case "component":
      case "instance":
        return this.declList(h, args, new Scope(scope));
      default:
        fail(`unsupported type definition \`${h}\``, s.at);
    }
  }

  private declList(kind: "component" | "instance", decls: Sexp[], scope: Scope): ByteWriter {
    const body = new ByteWriter();
    let count = 0;
    for (const d of decls) {
      const h = head(d);
      if (!isList(d)) fail("expected a declaration", d.at);
      switch (h) {
        case "type": {
          const [id, i] = optId(d.items, 1);
          const def = this.defType(d.items[i] as Sexp, scope);
          body.byte(0x01).append(def);
          scope.types.add(id);
          count++;
          break;
        }
        case "alias":
          body.byte(0x02);
          this.alias(body, d, scope);
          count++;
          break;
        case "import":
        case "export": {
          let i = 1;
          let exportId: string | undefined;
          if (h === "export") [exportId, i] = optId(d.items, 1);
          const name = new ByteWriter();
          i = externName(name, d.items, i);
          const desc = d.items[i] as Sexp;
          // An inline type in the description becomes its own declaration first.
          const inline = this.inlineType(desc, scope);
          if (inline) {
            body.byte(0x01).append(inline.def);
            scope.types.add();
            count++;
          }
          body.byte(h === "import" ? 0x03 : 0x04).append(name);
          this.externDesc(body, desc, scope, inline?.index, exportId);
          count++;
          break;
        }
        default:
          fail(`unsupported declaration \`${h}\` in ${kind} type`, d.at);
      }
    }
    const w = new ByteWriter();
    return w
      .byte(kind === "component" ? 0x41 : 0x42)
      .u32(count)
      .append(body);
  }

  /** For `(instance ...)`, `(component ...)` or `(func ...)` descriptions with an inline type. */
  private inlineType(desc: Sexp, scope: Scope): { def: ByteWriter; index: number } | undefined {
    const h = head(desc);
    if (h !== "instance" && h !== "component" && h !== "func") return undefined;
    const items = (desc as Extract<Sexp, { k: "list" }>).items;
    const [, i] = optId(items, 1);
    if (isList(items[i], "type")) return undefined;
    const inner = h === "func" ? { k: "list" as const, items: [items[0] as Sexp, ...items.slice(i)], at: desc.at } : desc;
    const def = h === "func" ? this.defType(inner, scope) : this.declList(h, items.slice(i), new Scope(scope));
    return { def, index: scope.types.count };
  }

  externDesc(w: ByteWriter, desc: Sexp, scope: Scope, inlineIndex: number | undefined, exportId?: string): void {
    if (!isList(desc)) fail("expected an extern description", desc.at);
    const h = head(desc);
    const [id, i] = optId(desc.items, 1);
    const name = id ?? exportId;
    const typeRef = () => inlineIndex ?? index(scope.types, (desc.items[i] as Extract<Sexp, { k: "list" }>).items[1]);
    switch (h) {
      case "instance":
        w.byte(0x05).u32(typeRef());
        scope.instances.add(name);
        return;
      case "component":
        w.byte(0x04).u32(typeRef());
        scope.components.add(name);
        return;
      case "func":
        w.byte(0x01).u32(typeRef());
        scope.funcs.add(name);
        return;
      case "type": {
        const bound = desc.items[i];
        if (isList(bound, "eq")) w.byte(0x03).byte(0x00).u32(index(scope.types, bound.items[1]));
        else if (isList(bound, "sub")) w.byte(0x03).byte(0x01);
        else fail("expected (eq ...) or (sub resource)", desc.at);
        scope.types.add(name);
        return;
      }
      default:
        fail(`unsupported extern description \`${h}\``, desc.at);
    }
  }

  alias(w: ByteWriter, d: Extract<Sexp, { k: "list" }>, scope: Scope): void {
    const kind = (d.items[1] as { v: string }).v;
    const target = d.items[d.items.length - 1] as Sexp;
    if (!isList(target, "type")) fail("only type aliases are supported", d.at);
    const [id] = optId(target.items, 1);
    w.byte(0x03);
    if (kind === "export") {
      w.byte(0x00).u32(index(scope.instances, d.items[2])).string(str(d.items[3]));
    } else if (kind === "outer") {
      const count = Number((d.items[2] as { v: string }).v);
      let outer: Scope = scope;
      for (let k = 0; k < count; k++) outer = outer.parent ?? fail("invalid outer alias count", d.at);
      w.byte(0x02).u32(count).u32(index(outer.types, d.items[3]));
    } else fail(`unsupported alias \`${kind}\``, d.at);
    scope.types.add(id);
  }
}

/** Assembles component text into a binary (WIT-package subset; see the module comment). */
/** Name options of an `importname'`/`exportname'`, by their binary tag. */
const NAME_OPTIONS: Record<string, number> = { implements: 0x00, versionsuffix: 0x01, "external-id": 0x02 };

/**
 * Writes the extern name at `items[i]` and the `(implements "…")`, `(versionsuffix "…")` and
 * `(external-id "…")` options after it; returns the index of the item after them.
 */
function externName(w: ByteWriter, items: Sexp[], i: number): number {
  const name = str(items[i]);
  const options: Array<[number, string]> = [];
  let j = i + 1;
  for (; j < items.length; j++) {
    const opt = items[j] as Sexp;
    const tag = isList(opt) ? NAME_OPTIONS[head(opt) as string] : undefined;
    if (tag === undefined) break;
    options.push([tag, str((opt as Extract<Sexp, { k: "list" }>).items[1])]);
  }
  if (options.length === 0) w.byte(0x00).string(name);
  else {
    w.byte(0x02).string(name).u32(options.length);
    for (const [tag, value] of options) w.byte(tag).string(value);
  }
  return j;
}

export function assembleWat(text: string): Uint8Array {
  const top = tokenize(text);
  if (!isList(top, "component")) fail("expected (component ...)", top.at);
  const asm = new Assembler();
  const scope = new Scope();
  const out = new ByteWriter();
  out.bytes(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]));
  let section: { id: number; count: number; body: ByteWriter } | undefined;
  const flush = () => {
    if (!section) return;
    out.byte(section.id).sized(new ByteWriter().u32(section.count).append(section.body));
    section = undefined;
  };
  const item = (id: number) => {
    if (section?.id !== id) {
      flush();
      section = { id, count: 0, body: new ByteWriter() };
    }
    section.count++;
    return section.body;
  };
  const custom = (name: string, data: Uint8Array) => {
    flush();
    out.byte(0).sized(new ByteWriter().string(name).bytes(data));
  };
  const [, start] = optId(top.items, 1);
  for (const field of top.items.slice(start)) {
    if (!isList(field)) fail("expected a component field", field.at);
    switch (head(field)) {
      case "type": {
        const [id, i] = optId(field.items, 1);
        item(7).append(asm.defType(field.items[i] as Sexp, scope));
        scope.types.add(id);
        break;
      }
      case "import": {
        const w = item(10);
        const desc = field.items[externName(w, field.items, 1)] as Sexp;
        // Inline types are not supported at the top level; they need a type section first.
        asm.externDesc(w, desc, scope, undefined);
        break;
      }
      case "export": {
        const [id, i] = optId(field.items, 1);
        const w = item(11);
        const ref = field.items[externName(w, field.items, i)];
        if (!isList(ref)) fail("expected a sort and index", field.at);
        const sorts: Record<string, [number, Space]> = {
          func: [0x01, scope.funcs],
          type: [0x03, scope.types],
          component: [0x04, scope.components],
          instance: [0x05, scope.instances],
        };
        const sort = sorts[head(ref) as string];
        if (!sort) fail(`unsupported export sort \`${head(ref)}\``, ref.at);
        w.byte(sort[0]).u32(index(sort[1], ref.items[1])).byte(0x00);
        sort[1].add(id);
        break;
      }
      case "alias":
        asm.alias(item(6), field, scope);
        break;
      case "@custom": {
        const name = str(field.items[1]);
        const parts = field.items.slice(2).filter((p) => p.k === "str") as Array<Extract<Sexp, { k: "str" }>>;
        const total = parts.reduce((n, p) => n + p.v.length, 0);
        const data = new Uint8Array(total);
        let off = 0;
        for (const p of parts) {
          data.set(p.v, off);
          off += p.v.length;
        }
        custom(name, data);
        break;
      }
      case "@producers": {
        const producers: Producers = {};
        for (const f of field.items.slice(1)) {
          if (!isList(f)) continue;
          const fieldName = head(f) as string;
          const list = producers[fieldName] ?? (producers[fieldName] = []);
          list.push([str(f.items[1]), str(f.items[2])]);
        }
        custom("producers", encodeProducers(producers));
        break;
      }
      default:
        fail(`unsupported component field \`${head(field)}\``, field.at);
    }
  }
  flush();
  return out.finish();
}
