import { type Span, syntaxError, type WitError } from "../errors.js";
import type { PrimitiveType } from "../model.js";
import { SemVer } from "../semver.js";
import type {
  AstItem,
  Attribute,
  DocsAst,
  ExternKind,
  FuncAst,
  Id,
  IncludeAst,
  InterfaceAst,
  InterfaceItem,
  NamedFunc,
  PackageFile,
  PackageNameAst,
  ResourceFunc,
  ToplevelUse,
  TypeAst,
  TypeDefAst,
  UseAst,
  UsePath,
  WorldAst,
  WorldItemAst,
} from "./ast.js";
import { describe, T, type Token, Tokenizer } from "./lexer.js";

/** Deeper nesting is rejected (as wit-parser does) so hostile input cannot exhaust the stack. */
const MAX_DEPTH = 100;

const PRIMITIVES: Partial<Record<T, PrimitiveType>> = {
  [T.U8]: "u8",
  [T.U16]: "u16",
  [T.U32]: "u32",
  [T.U64]: "u64",
  [T.S8]: "s8",
  [T.S16]: "s16",
  [T.S32]: "s32",
  [T.S64]: "s64",
  [T.F32]: "f32",
  [T.F64]: "f64",
  [T.Char]: "char",
  [T.Bool]: "bool",
  [T.String_]: "string",
  [T.ErrorContext]: "error-context",
};

function span(start: number, end: number): Span {
  return { start, end };
}

function errExpected(tokens: Tokenizer, expected: string, found: Token | undefined): WitError {
  if (found === undefined) return syntaxError(`expected ${expected}, found eof`, tokens.eofSpan());
  return syntaxError(`expected ${expected}, found ${describe(found.kind)}`, found.span);
}

function emptyDocs(): DocsAst {
  return { docs: [], span: { start: -1, end: -1 } };
}

/** Parses one WIT source text (a file's contents) starting at `offset` in its source map. */
export function parsePackageFile(text: string, offset: number): PackageFile {
  const tokens = new Tokenizer(text, offset);
  const parser = new Parser(tokens);
  return parser.packageFile();
}

class Parser {
  private readonly t: Tokenizer;
  private packageDepth = 0;

  constructor(tokens: Tokenizer) {
    this.t = tokens;
  }

  packageFile(): PackageFile {
    const t = this.t;
    const saved = t.pos;
    const docs = this.docs();
    let packageId: PackageNameAst | undefined;
    // `package a:b;` names the file's package; `package a:b { ... }` is a nested item instead.
    if (t.eat(T.Package)) {
      const name = this.packageName(docs);
      if (t.eat(T.Semicolon)) packageId = name;
      else t.pos = saved;
    } else {
      t.pos = saved;
    }
    const items = this.declList(undefined);
    return { packageId, items };
  }

  private nestedPackage(docs: DocsAst, attributes: Attribute[]): PackageFile {
    const t = this.t;
    const packageSpan = t.expect(T.Package);
    if (attributes.length > 0) throw syntaxError("cannot place attributes on nested packages", packageSpan);
    if (this.packageDepth >= MAX_DEPTH) throw syntaxError("package nesting too deep", packageSpan);
    const packageId = this.packageName(docs);
    t.expect(T.LeftBrace);
    this.packageDepth++;
    const items = this.declList(T.RightBrace);
    this.packageDepth--;
    return { packageId, items };
  }

  private declList(end: T | undefined): AstItem[] {
    const t = this.t;
    const items: AstItem[] = [];
    let docs = this.docs();
    for (;;) {
      if (end !== undefined) {
        if (t.eat(end)) break;
      } else if (t.peek() === undefined) {
        break;
      }
      items.push(this.astItem(docs));
      docs = this.docs();
    }
    return items;
  }

  private astItem(docs: DocsAst): AstItem {
    const t = this.t;
    const attributes = this.attributes();
    const next = t.peek();
    switch (next?.kind) {
      case T.Interface:
        return { kind: "interface", iface: this.interface(docs, attributes) };
      case T.World:
        return { kind: "world", world: this.world(docs, attributes) };
      case T.Use:
        return { kind: "use", use: this.toplevelUse(attributes) };
      case T.Package:
        return { kind: "package", file: this.nestedPackage(docs, attributes) };
      default:
        throw errExpected(t, "`world`, `interface` or `use`", next);
    }
  }

  private packageName(docs: DocsAst): PackageNameAst {
    const namespace = this.id();
    this.t.expect(T.Colon);
    const name = this.id();
    const version = this.optVersion();
    return {
      docs,
      span: span(namespace.span.start, version ? version.span.end : name.span.end),
      namespace,
      name,
      version,
    };
  }

  private toplevelUse(attributes: Attribute[]): ToplevelUse {
    const t = this.t;
    const useSpan = t.expect(T.Use);
    const item = this.usePath();
    const as = t.eat(T.As) ? this.id() : undefined;
    t.expect(T.Semicolon);
    return { span: useSpan, attributes, item, as };
  }

  private world(docs: DocsAst, attributes: Attribute[]): WorldAst {
    const t = this.t;
    t.expect(T.World);
    const name = this.id();
    t.expect(T.LeftBrace);
    const items: WorldItemAst[] = [];
    for (;;) {
      const itemDocs = this.docs();
      if (t.eat(T.RightBrace)) break;
      const attrs = this.attributes();
      items.push(this.worldItem(itemDocs, attrs));
    }
    return { docs, attributes, name, items };
  }

  private worldItem(docs: DocsAst, attributes: Attribute[]): WorldItemAst {
    const t = this.t;
    const next = t.peek();
    switch (next?.kind) {
      case T.Import:
      case T.Export: {
        t.next();
        const extern = this.externKind();
        return { kind: next.kind === T.Import ? "import" : "export", docs, attributes, extern };
      }
      case T.Use:
        return { kind: "use", use: this.use(attributes) };
      case T.Type:
      case T.Flags:
      case T.Resource:
      case T.Record:
      case T.Variant:
      case T.Enum:
        return { kind: "type", def: this.typeDef(docs, attributes) };
      case T.Include:
        return { kind: "include", include: this.include(attributes) };
      default:
        throw errExpected(t, "`import`, `export`, `include`, `use`, or type definition", next);
    }
  }

  private externKind(): ExternKind {
    const t = this.t;
    const saved = t.pos;
    const id = this.id();
    if (t.eat(T.Colon)) {
      const next = t.peekKind();
      // import foo: [async] func(...)
      if (next === T.Func || next === T.Async) {
        const func = this.func();
        t.expect(T.Semicolon);
        return { kind: "func", id, func };
      }
      // import foo: interface { ... }
      if (next === T.Interface) {
        t.next();
        return { kind: "interface", id, items: this.interfaceItems() };
      }
      // import label: iface;  (but `import ns:pkg/iface;` is a plain path)
      const afterColon = t.pos;
      const token = t.next();
      const isPackagePath = (token?.kind === T.Id || token?.kind === T.ExplicitId) && t.peekKind() === T.Slash;
      t.pos = afterColon;
      if (!isPackagePath) {
        const path = this.usePath();
        t.expect(T.Semicolon);
        return { kind: "named-path", id, path };
      }
    }
    t.pos = saved;
    const path = this.usePath();
    t.expect(T.Semicolon);
    return { kind: "path", path };
  }

  private interface(docs: DocsAst, attributes: Attribute[]): InterfaceAst {
    this.t.expect(T.Interface);
    const name = this.id();
    const items = this.interfaceItems();
    return { docs, attributes, name, items };
  }

  private interfaceItems(): InterfaceItem[] {
    const t = this.t;
    t.expect(T.LeftBrace);
    const items: InterfaceItem[] = [];
    for (;;) {
      const docs = this.docs();
      if (t.eat(T.RightBrace)) break;
      const attributes = this.attributes();
      items.push(this.interfaceItem(docs, attributes));
    }
    return items;
  }

  private interfaceItem(docs: DocsAst, attributes: Attribute[]): InterfaceItem {
    const t = this.t;
    const next = t.peek();
    switch (next?.kind) {
      case T.Type:
      case T.Flags:
      case T.Enum:
      case T.Variant:
      case T.Resource:
      case T.Record:
        return { kind: "typedef", def: this.typeDef(docs, attributes) };
      case T.Id:
      case T.ExplicitId:
        return { kind: "func", func: this.namedFunc(docs, attributes) };
      case T.Use:
        return { kind: "use", use: this.use(attributes) };
      default:
        throw errExpected(t, "`type`, `resource` or `func`", next);
    }
  }

  private use(attributes: Attribute[]): UseAst {
    const t = this.t;
    t.expect(T.Use);
    const from = this.usePath();
    t.expect(T.Period);
    t.expect(T.LeftBrace);
    const names: UseAst["names"] = [];
    while (!t.eat(T.RightBrace)) {
      const name = this.id();
      const as = t.eat(T.As) ? this.id() : undefined;
      names.push({ name, as });
      if (!t.eat(T.Comma)) {
        t.expect(T.RightBrace);
        break;
      }
    }
    t.expect(T.Semicolon);
    return { attributes, from, names };
  }

  private usePath(): UsePath {
    const t = this.t;
    const id = this.id();
    if (!t.eat(T.Colon)) return { kind: "id", id };
    const pkgName = this.id();
    t.expect(T.Slash);
    const name = this.id();
    const version = this.optVersion();
    return {
      kind: "package",
      pkg: { docs: emptyDocs(), span: span(id.span.start, pkgName.span.end), namespace: id, name: pkgName, version },
      name,
    };
  }

  private include(attributes: Attribute[]): IncludeAst {
    const t = this.t;
    t.expect(T.Include);
    const from = this.usePath();
    let names: IncludeAst["names"] = [];
    if (t.eat(T.With)) {
      names = this.list(T.LeftBrace, T.RightBrace, () => {
        const name = this.id();
        t.expect(T.As);
        const as = this.id();
        return { name, as };
      });
    } else {
      t.expect(T.Semicolon);
    }
    return { from, attributes, names };
  }

  private typeDef(docs: DocsAst, attributes: Attribute[]): TypeDefAst {
    const t = this.t;
    const keyword = t.next() as Token;
    const name = this.id();
    let ty: TypeAst;
    switch (keyword.kind) {
      case T.Type:
        t.expect(T.Equals);
        ty = this.type(0);
        t.expect(T.Semicolon);
        break;
      case T.Flags:
        ty = {
          kind: "flags",
          span: name.span,
          flags: this.list(T.LeftBrace, T.RightBrace, (d) => ({ docs: d, name: this.id() })),
        };
        break;
      case T.Enum:
        ty = {
          kind: "enum",
          span: name.span,
          cases: this.list(T.LeftBrace, T.RightBrace, (d) => ({ docs: d, name: this.id() })),
        };
        break;
      case T.Record:
        ty = {
          kind: "record",
          span: name.span,
          fields: this.list(T.LeftBrace, T.RightBrace, (d) => {
            const fieldName = this.id();
            t.expect(T.Colon);
            return { docs: d, name: fieldName, ty: this.type(0) };
          }),
        };
        break;
      case T.Variant:
        ty = {
          kind: "variant",
          span: name.span,
          cases: this.list(T.LeftBrace, T.RightBrace, (d) => {
            const caseName = this.id();
            let caseTy: TypeAst | undefined;
            if (t.eat(T.LeftParen)) {
              caseTy = this.type(0);
              t.expect(T.RightParen);
            }
            return { docs: d, name: caseName, ty: caseTy };
          }),
        };
        break;
      case T.Resource: {
        const funcs: ResourceFunc[] = [];
        if (t.eat(T.LeftBrace)) {
          while (!t.eat(T.RightBrace)) {
            const funcDocs = this.docs();
            const funcAttrs = this.attributes();
            funcs.push(this.resourceFunc(funcDocs, funcAttrs));
          }
        } else {
          t.expect(T.Semicolon);
        }
        ty = { kind: "resource", span: name.span, funcs };
        break;
      }
      default:
        throw errExpected(t, "a type definition", keyword);
    }
    return { docs, attributes, name, ty };
  }

  private resourceFunc(docs: DocsAst, attributes: Attribute[]): ResourceFunc {
    const t = this.t;
    const next = t.peek();
    switch (next?.kind) {
      case T.Constructor: {
        const ctorSpan = t.expect(T.Constructor);
        t.expect(T.LeftParen);
        const params = this.params();
        const result = t.eat(T.RArrow) ? this.type(0) : undefined;
        t.expect(T.Semicolon);
        return {
          kind: "constructor",
          func: {
            docs,
            attributes,
            name: { name: "constructor", span: ctorSpan },
            func: { span: ctorSpan, async: false, params, result },
          },
        };
      }
      case T.Id:
      case T.ExplicitId: {
        const name = this.id();
        t.expect(T.Colon);
        const kind = t.eat(T.Static) ? "static" : "method";
        const func = this.func();
        t.expect(T.Semicolon);
        return { kind, func: { docs, attributes, name, func } };
      }
      default:
        throw errExpected(t, "`constructor` or identifier", next);
    }
  }

  private namedFunc(docs: DocsAst, attributes: Attribute[]): NamedFunc {
    const name = this.id();
    this.t.expect(T.Colon);
    const func = this.func();
    this.t.expect(T.Semicolon);
    return { docs, attributes, name, func };
  }

  private func(): FuncAst {
    const t = this.t;
    const isAsync = t.eat(T.Async);
    const funcSpan = t.expect(T.Func);
    t.expect(T.LeftParen);
    const params = this.params();
    const result = t.eat(T.RArrow) ? this.type(0) : undefined;
    return { span: funcSpan, async: isAsync, params, result };
  }

  private params(): Array<[Id, TypeAst]> {
    return this.listTrailer(T.RightParen, () => {
      const name = this.id();
      this.t.expect(T.Colon);
      return [name, this.type(0)] as [Id, TypeAst];
    });
  }

  private type(depth: number): TypeAst {
    const t = this.t;
    if (depth >= MAX_DEPTH) {
      const next = t.peek();
      throw syntaxError("type nesting too deep", next ? next.span : t.eofSpan());
    }
    const token = t.next();
    if (token === undefined) throw errExpected(t, "a type", undefined);
    const prim = PRIMITIVES[token.kind];
    if (prim !== undefined) return { kind: "prim", prim, span: token.span };
    const s = token.span;
    switch (token.kind) {
      case T.Tuple:
        return { kind: "tuple", span: s, types: this.list(T.LessThan, T.GreaterThan, () => this.type(depth + 1)) };
      case T.List: {
        t.expect(T.LessThan);
        const ty = this.type(depth + 1);
        if (t.eat(T.Comma)) {
          const next = t.next();
          if (next?.kind !== T.Integer) throw errExpected(t, "fixed-length", next);
          const size = Number(t.getSpan(next.span));
          if (!Number.isSafeInteger(size) || size > 0xffffffff) {
            throw syntaxError("invalid fixed-length list size", next.span);
          }
          t.expect(T.GreaterThan);
          return { kind: "fixed-size-list", span: s, ty, size };
        }
        t.expect(T.GreaterThan);
        return { kind: "list", span: s, ty };
      }
      case T.Map: {
        t.expect(T.LessThan);
        const key = this.type(depth + 1);
        t.expect(T.Comma);
        const value = this.type(depth + 1);
        t.expect(T.GreaterThan);
        return { kind: "map", span: s, key, value };
      }
      case T.Option_: {
        t.expect(T.LessThan);
        const ty = this.type(depth + 1);
        t.expect(T.GreaterThan);
        return { kind: "option", span: s, ty };
      }
      case T.Result_: {
        let ok: TypeAst | undefined;
        let err: TypeAst | undefined;
        if (t.eat(T.LessThan)) {
          if (t.eat(T.Underscore)) {
            t.expect(T.Comma);
            err = this.type(depth + 1);
          } else {
            ok = this.type(depth + 1);
            if (t.eat(T.Comma)) err = this.type(depth + 1);
          }
          t.expect(T.GreaterThan);
        }
        return { kind: "result", span: s, ok, err };
      }
      case T.Future:
      case T.Stream: {
        let ty: TypeAst | undefined;
        if (t.eat(T.LessThan)) {
          ty = this.type(depth + 1);
          t.expect(T.GreaterThan);
        }
        return { kind: token.kind === T.Future ? "future" : "stream", span: s, ty };
      }
      case T.Own:
      case T.Borrow: {
        t.expect(T.LessThan);
        const resource = this.id();
        t.expect(T.GreaterThan);
        return { kind: "handle", handle: token.kind === T.Own ? "own" : "borrow", resource };
      }
      case T.Id:
        return { kind: "name", id: { name: t.parseId(s), span: s } };
      case T.ExplicitId:
        return { kind: "name", id: { name: t.parseExplicitId(s), span: s } };
      default:
        throw errExpected(t, "a type", token);
    }
  }

  private list<R>(start: T, end: T, parse: (docs: DocsAst) => R): R[] {
    this.t.expect(start);
    return this.listTrailer(end, parse);
  }

  private listTrailer<R>(end: T, parse: (docs: DocsAst) => R): R[] {
    const t = this.t;
    const items: R[] = [];
    for (;;) {
      const docs = this.docs();
      if (t.eat(end)) break;
      items.push(parse(docs));
      if (!t.eat(T.Comma)) {
        t.expect(end);
        break;
      }
    }
    return items;
  }

  private id(): Id {
    const t = this.t;
    const token = t.next();
    if (token?.kind === T.Id) return { name: t.parseId(token.span), span: token.span };
    if (token?.kind === T.ExplicitId) return { name: t.parseExplicitId(token.span), span: token.span };
    throw errExpected(t, "an identifier or string", token);
  }

  private optVersion(): { span: Span; version: SemVer } | undefined {
    return this.t.eat(T.At) ? this.version() : undefined;
  }

  private version(): { span: Span; version: SemVer } {
    const t = this.t;
    const start = t.expect(T.Integer).start;
    t.expect(T.Period);
    t.expect(T.Integer);
    t.expect(T.Period);
    const s = span(start, t.expect(T.Integer).end);
    this.eatVersionIds(T.Minus, s);
    this.eatVersionIds(T.Plus, s);
    const text = t.getSpan(s);
    const parsed = SemVer.tryParse(text);
    if (typeof parsed === "string") throw syntaxError(parsed, s);
    return { span: s, version: parsed };
  }

  /**
   * Chomps pre-release or build identifiers after `prefix`; a `.` only continues the
   * version when an identifier follows (`use a:b/c@1.0.0-x.{t}` ends before `.{`).
   */
  private eatVersionIds(prefix: T, s: Span): void {
    const t = this.t;
    if (!t.eat(prefix)) return;
    for (;;) {
      const saved = t.pos;
      let token = t.next();
      if (token?.kind === T.Period) token = t.next();
      if (token !== undefined && (token.kind === T.Id || token.kind === T.Integer || token.kind === T.Minus)) {
        s.end = token.span.end;
        continue;
      }
      t.pos = saved;
      return;
    }
  }

  private docs(): DocsAst {
    const t = this.t;
    const docs: DocsAst = { docs: [], span: { start: -1, end: -1 } };
    let started = false;
    for (;;) {
      const saved = t.pos;
      const token = t.nextRaw();
      if (token === undefined) break;
      if (token.kind === T.Whitespace) continue;
      if (token.kind !== T.Comment) {
        t.unread(saved, token);
        break;
      }
      const comment = t.getSpan(token.span);
      if (!started) {
        docs.span.start = token.span.start;
        started = true;
      }
      let trailing = 0;
      for (let i = comment.length - 1; i >= 0 && /\s/.test(comment.charAt(i)); i--) trailing++;
      docs.span.end = token.span.end - trailing;
      docs.docs.push(comment);
    }
    return docs;
  }

  private attributes(): Attribute[] {
    const t = this.t;
    const out: Attribute[] = [];
    while (t.eat(T.At)) {
      const id = this.id();
      switch (id.name) {
        case "since":
        case "deprecated": {
          t.expect(T.LeftParen);
          this.expectId("version");
          t.expect(T.Equals);
          const { version } = this.version();
          t.expect(T.RightParen);
          out.push({ kind: id.name, span: id.span, version });
          break;
        }
        case "unstable": {
          t.expect(T.LeftParen);
          this.expectId("feature");
          t.expect(T.Equals);
          const feature = this.id();
          t.expect(T.RightParen);
          out.push({ kind: "unstable", span: id.span, feature });
          break;
        }
        case "external-id": {
          t.expect(T.LeftParen);
          const literal = t.expect(T.StringLiteral);
          t.expect(T.RightParen);
          out.push({ kind: "external-id", span: id.span, id: t.stringLiteral(literal) });
          break;
        }
        default:
          throw syntaxError(`unknown attribute \`${id.name}\``, id.span);
      }
    }
    return out;
  }

  private expectId(expected: string): void {
    const id = this.id();
    if (id.name !== expected) throw syntaxError(`expected \`${expected}\`, found \`${id.name}\``, id.span);
  }
}
