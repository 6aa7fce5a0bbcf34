import {
  functionResource,
  itemExternalId,
  isAsync,
  type InterfaceId,
  type PackageId,
  type Stability,
  type Type,
  type TypeDef,
  type TypeId,
  type TypeOwner,
  type WitFunction,
  type WorldId,
  type WorldItem,
  type WorldKey,
} from "../model.js";
import type { Resolve } from "../resolve/resolve.js";
import { KEYWORD_NAMES } from "../text/lexer.js";

/**
 * Names printed with `%`: the lexer's keywords plus `float32`/`float64`, which wit-parser's
 * printer (`is_keyword`) still escapes although its lexer no longer treats them as keywords.
 */
const PRINTED_KEYWORDS: ReadonlySet<string> = new Set([...KEYWORD_NAMES, "float32", "float64"]);

/**
 * Prints a package as WIT text, byte for byte as wit-component's `WitPrinter` does:
 * two-space indents, a blank line between items of a block, `use`s and world imports
 * grouped without blank lines, worlds printed back to back.
 */
export class WitPrinter {
  private parts: string[] = [];
  private indent = "";
  private anyItems = false;
  private readonly emitDocs: boolean;

  constructor(
    private readonly resolve: Resolve,
    options: { docs?: boolean } = {},
  ) {
    this.emitDocs = options.docs ?? true;
  }

  printPackage(pkgId: PackageId, nested: readonly PackageId[] = []): string {
    this.parts = [];
    const pkg = this.resolve.pkg(pkgId);
    this.docs(pkg.docs);
    this.raw(`package ${this.packageNameText(pkgId)};\n\n`);
    this.packageItems(pkgId, true);
    // Other packages follow as `package x:y { ... }` blocks, right after the main package and
    // two blank lines apart, their interfaces not separated: wit-component's `print`, exactly.
    nested.forEach((id, i) => {
      if (i > 0) this.raw("\n\n");
      this.docs(this.resolve.pkg(id).docs);
      this.raw(`package ${this.packageNameText(id)} {\n`);
      this.indent = "  ";
      this.packageItems(id, false);
      this.indent = "";
      this.raw("}\n");
    });
    return this.parts.join("");
  }

  private packageNameText(pkgId: PackageId): string {
    const { name } = this.resolve.pkg(pkgId);
    const base = `${this.name(name.namespace)}:${this.name(name.name)}`;
    return name.version ? `${base}@${name.version}` : base;
  }

  private packageItems(pkgId: PackageId, main: boolean): void {
    const pkg = this.resolve.pkg(pkgId);
    for (const [name, id] of pkg.interfaces) {
      const iface = this.resolve.iface(id);
      this.docs(iface.docs);
      this.stability(iface.stability);
      this.line(`interface ${this.name(name)} {`);
      this.nested(() => this.interfaceBody(id));
      this.line("}");
      if (main) this.raw("\n");
    }
    for (const [name, id] of pkg.worlds) {
      const world = this.resolve.world(id);
      this.docs(world.docs);
      this.stability(world.stability);
      this.line(`world ${this.name(name)} {`);
      this.nested(() => this.worldBody(id));
      this.line("}");
    }
  }

  private raw(text: string): void {
    this.parts.push(text);
  }

  private line(text: string): void {
    this.parts.push(this.indent, text, "\n");
  }

  private nested(f: () => void): void {
    const prevIndent = this.indent;
    const prevItems = this.anyItems;
    this.indent += "  ";
    this.anyItems = false;
    f();
    this.indent = prevIndent;
    this.anyItems = prevItems;
  }

  private newItem(): void {
    if (this.anyItems) this.raw("\n");
    this.anyItems = true;
  }

  private interfaceBody(id: InterfaceId): void {
    const iface = this.resolve.iface(id);
    const resourceFuncs = new Map<TypeId, WitFunction[]>();
    const freestanding: WitFunction[] = [];
    for (const func of iface.functions.values()) {
      const resource = functionResource(func.kind);
      if (resource === undefined) freestanding.push(func);
      else {
        let list = resourceFuncs.get(resource);
        if (!list) resourceFuncs.set(resource, (list = []));
        list.push(func);
      }
    }
    this.types({ kind: "interface", id }, [...iface.types], resourceFuncs);
    for (const func of freestanding) {
      this.newItem();
      this.docs(func.docs);
      this.stability(func.stability, func.externalId);
      this.line(`${this.name(func.name)}: ${this.func(func)};`);
    }
  }

  private ownerPackage(owner: TypeOwner): PackageId {
    if (owner.kind === "interface") return this.resolve.iface(owner.id).package as PackageId;
    if (owner.kind === "world") return this.resolve.world(owner.id).package as PackageId;
    throw new Error("types must have an owner to be printed");
  }

  private types(owner: TypeOwner, types: Array<[string, TypeId]>, resourceFuncs: Map<TypeId, WitFunction[]>): void {
    const toDeclare: TypeId[] = [];
    const toImport: Array<{ owner: InterfaceId; ty: TypeDef; names: Array<[string, string]> }> = [];
    for (const [name, id] of types) {
      const ty = this.resolve.type(id);
      if (ty.kind.tag === "type" && typeof ty.kind.ty === "number") {
        const other = this.resolve.type(ty.kind.ty);
        if (other.owner.kind !== "none" && !sameOwner(other.owner, owner)) {
          if (other.owner.kind !== "interface") throw new Error("types can only be used from interfaces");
          const otherName = other.name;
          if (otherName === undefined) throw new Error("cannot import unnamed type");
          const last = toImport[toImport.length - 1];
          // One `use` per run of names from one interface with the same attributes.
          if (
            last &&
            last.owner === other.owner.id &&
            stabilityText(last.ty.stability) === stabilityText(ty.stability) &&
            last.ty.externalId === ty.externalId
          ) {
            last.names.push([name, otherName]);
          } else {
            toImport.push({ owner: other.owner.id, ty, names: [[name, otherName]] });
          }
          continue;
        }
      }
      toDeclare.push(id);
    }
    const myPkg = this.ownerPackage(owner);
    for (const use of toImport) {
      this.anyItems = true;
      this.stability(use.ty.stability, use.ty.externalId);
      const names = use.names
        .map(([mine, other]) => (mine === other ? this.name(mine) : `${this.name(other)} as ${this.name(mine)}`))
        .join(", ");
      this.line(`use ${this.pathToInterface(use.owner, myPkg)}.{${names}};`);
    }
    for (const id of toDeclare) {
      this.newItem();
      const ty = this.resolve.type(id);
      this.docs(ty.docs);
      this.stability(ty.stability, ty.externalId);
      if (ty.kind.tag === "resource") this.resource(id, resourceFuncs.get(id) ?? []);
      else this.declare(ty);
    }
  }

  private resource(id: TypeId, funcs: WitFunction[]): void {
    const name = this.name(this.resolve.type(id).name as string);
    if (funcs.length === 0) {
      this.line(`resource ${name};`);
      return;
    }
    this.line(`resource ${name} {`);
    const prev = this.indent;
    this.indent += "  ";
    for (const func of funcs) {
      this.docs(func.docs);
      this.stability(func.stability, func.externalId);
      let prefix = "";
      const item = func.name.slice(func.name.indexOf(".") + 1);
      if (func.kind.tag === "method" || func.kind.tag === "async-method") prefix = `${this.name(item)}: `;
      else if (func.kind.tag === "static" || func.kind.tag === "async-static") prefix = `${this.name(item)}: static `;
      this.line(`${prefix}${this.func(func)};`);
    }
    this.indent = prev;
    this.line("}");
  }

  private func(func: WitFunction): string {
    let out = func.kind.tag === "constructor" ? "constructor(" : isAsync(func.kind) ? "async func(" : "func(";
    const skip = func.kind.tag === "method" || func.kind.tag === "async-method" ? 1 : 0;
    out += func.params
      .slice(skip)
      .map(([n, t]) => `${this.name(n)}: ${this.typeName(t)}`)
      .join(", ");
    out += ")";
    if (func.result !== undefined) {
      if (func.kind.tag === "constructor") {
        // Only a fallible constructor (`-> result<r, e>`) prints its result.
        const r = func.result;
        if (typeof r === "number") {
          const def = this.resolve.type(r);
          if (def.name === undefined && def.kind.tag === "result") out += ` -> ${this.typeName(r)}`;
        }
      } else {
        out += ` -> ${this.typeName(func.result)}`;
      }
    }
    return out;
  }

  private worldBody(id: WorldId): void {
    const world = this.resolve.world(id);
    const pkgId = world.package as PackageId;
    const types: Array<[string, TypeId]> = [];
    const resourceFuncs = new Map<TypeId, WitFunction[]>();
    const funcs: Array<[WorldKey, WorldItem]> = [];
    for (const [key, item] of world.imports) {
      if (item.tag === "type") {
        types.push([key as string, item.id]);
      } else if (item.tag === "function") {
        const resource = functionResource(item.func.kind);
        if (resource !== undefined) {
          let list = resourceFuncs.get(resource);
          if (!list) resourceFuncs.set(resource, (list = []));
          list.push(item.func);
        } else {
          funcs.push([key, item]);
        }
      } else {
        this.worldItem(key, item, pkgId, "import");
        this.anyItems = true;
      }
    }
    this.types({ kind: "world", id }, types, resourceFuncs);
    for (const [key, item] of funcs) {
      this.worldItem(key, item, pkgId, "import");
      this.anyItems = true;
    }
    if (world.exports.size > 0) this.newItem();
    for (const [key, item] of world.exports) this.worldItem(key, item, pkgId, "export");
  }

  private worldItem(key: WorldKey, item: WorldItem, pkgId: PackageId, desc: "import" | "export"): void {
    if (typeof key === "string") {
      if (item.tag === "interface") {
        const iface = this.resolve.iface(item.id);
        this.docs(iface.name === undefined ? iface.docs : item.docs);
      } else if (item.tag === "function") {
        this.docs(item.func.docs);
      }
    } else if (item.tag === "interface") {
      this.docs(item.docs);
    }
    this.stability(worldItemStability(item, this.resolve), itemExternalId(item, this.resolve.types));
    if (typeof key === "string") {
      const label = `${desc} ${this.name(key)}: `;
      if (item.tag === "interface") {
        const iface = this.resolve.iface(item.id);
        if (iface.name === undefined) {
          this.line(`${label}interface {`);
          this.nested(() => this.interfaceBody(item.id));
          this.line("}");
        } else {
          this.line(`${label}${this.pathToInterface(item.id, pkgId)};`);
        }
      } else if (item.tag === "function") {
        this.line(`${label}${this.func(item.func)};`);
      } else {
        throw new Error("world types are printed with the world's types");
      }
    } else {
      this.line(`${desc} ${this.pathToInterface(key, pkgId)};`);
    }
  }

  private pathToInterface(id: InterfaceId, curPkg: PackageId): string {
    const iface = this.resolve.iface(id);
    const name = this.name(iface.name as string);
    if (iface.package === curPkg) return name;
    const pkg = this.resolve.pkg(iface.package as PackageId).name;
    const base = `${this.name(pkg.namespace)}:${this.name(pkg.name)}/${name}`;
    return pkg.version ? `${base}@${pkg.version}` : base;
  }

  typeName(ty: Type): string {
    if (typeof ty === "string") return ty;
    const def = this.resolve.type(ty);
    if (def.name !== undefined) return this.name(def.name);
    const k = def.kind;
    switch (k.tag) {
      case "handle": {
        const resource = this.name(this.resolve.type(k.resource).name as string);
        return k.handle === "own" ? resource : `borrow<${resource}>`;
      }
      case "tuple":
      case "option":
      case "result":
      case "list":
      case "fixed-size-list":
      case "map":
      case "future":
      case "stream":
        return this.anonText(def);
      case "type":
        return this.typeName(k.ty);
      default:
        throw new Error(`unnamed ${k.tag} type cannot be printed`);
    }
  }

  private resultText(ok: Type | undefined, err: Type | undefined): string {
    if (ok !== undefined && err !== undefined) return `result<${this.typeName(ok)}, ${this.typeName(err)}>`;
    if (err !== undefined) return `result<_, ${this.typeName(err)}>`;
    if (ok !== undefined) return `result<${this.typeName(ok)}>`;
    return "result";
  }

  private declare(ty: TypeDef): void {
    const name = this.name(ty.name as string);
    const k = ty.kind;
    switch (k.tag) {
      case "handle": {
        const resource = this.name(this.resolve.type(k.resource).name as string);
        this.line(`type ${name} = ${k.handle}<${resource}>;`);
        return;
      }
      case "record":
        this.block(
          `record ${name}`,
          k.fields.map((f) => [f.docs, `${this.name(f.name)}: ${this.typeName(f.ty)},`]),
        );
        return;
      case "flags":
        this.block(
          `flags ${name}`,
          k.flags.map((f) => [f.docs, `${this.name(f.name)},`]),
        );
        return;
      case "variant":
        this.block(
          `variant ${name}`,
          k.cases.map((c) => [c.docs, `${this.name(c.name)}${c.ty === undefined ? "" : `(${this.typeName(c.ty)})`},`]),
        );
        return;
      case "enum":
        this.block(
          `enum ${name}`,
          k.cases.map((c) => [c.docs, `${this.name(c.name)},`]),
        );
        return;
      case "tuple":
      case "option":
      case "result":
      case "list":
      case "fixed-size-list":
      case "map":
      case "future":
      case "stream":
        this.line(`type ${name} = ${this.anonText(ty)};`);
        return;
      case "type":
        this.line(`type ${name} = ${this.typeName(k.ty)};`);
        return;
      default:
        throw new Error(`cannot declare a ${k.tag} type`);
    }
  }

  /** The right-hand side of `type x = ...` for an anonymous-shaped named type. */
  private anonText(ty: TypeDef): string {
    const k = ty.kind;
    switch (k.tag) {
      case "tuple":
        return `tuple<${k.types.map((t) => this.typeName(t)).join(", ")}>`;
      case "option":
        return `option<${this.typeName(k.ty)}>`;
      case "result":
        return this.resultText(k.ok, k.err);
      case "list":
        return `list<${this.typeName(k.ty)}>`;
      case "fixed-size-list":
        return `list<${this.typeName(k.ty)}, ${k.size}>`;
      case "map":
        return `map<${this.typeName(k.key)}, ${this.typeName(k.value)}>`;
      case "future":
      case "stream":
        return k.ty === undefined ? k.tag : `${k.tag}<${this.typeName(k.ty)}>`;
      default:
        throw new Error(`not an anonymous type shape: ${k.tag}`);
    }
  }

  private block(head: string, entries: Array<[string | undefined, string]>): void {
    this.line(`${head} {`);
    const prev = this.indent;
    this.indent += "  ";
    for (const [docs, text] of entries) {
      this.docs(docs);
      this.line(text);
    }
    this.indent = prev;
    this.line("}");
  }

  private name(name: string): string {
    return PRINTED_KEYWORDS.has(name) ? `%${name}` : name;
  }

  private docs(docs: string | undefined): void {
    if (!this.emitDocs || docs === undefined) return;
    for (const line of docs.split("\n")) this.line(line === "" ? "///" : `/// ${line}`);
  }

  /** The `@since`/`@unstable`/`@deprecated` lines, then `@external-id`, as wit-parser prints them. */
  private stability(stability: Stability, externalId?: string): void {
    const text = stabilityText(stability);
    if (text !== "") for (const line of text.split("\n")) this.line(line);
    if (externalId !== undefined) this.line(`@external-id("${externalIdLiteral(externalId)}")`);
  }
}

function stabilityText(stability: Stability): string {
  switch (stability.kind) {
    case "unknown":
      return "";
    case "stable":
      return `@since(version = ${stability.since})` + (stability.deprecated ? `\n@deprecated(version = ${stability.deprecated})` : "");
    case "unstable":
      return `@unstable(feature = ${stability.feature})` + (stability.deprecated ? `\n@deprecated(version = ${stability.deprecated})` : "");
  }
}

function sameOwner(a: TypeOwner, b: TypeOwner): boolean {
  if (a.kind === "none" || b.kind === "none") return a.kind === b.kind;
  return a.kind === b.kind && a.id === b.id;
}

function worldItemStability(item: WorldItem, resolve: Resolve): Stability {
  switch (item.tag) {
    case "interface":
      return item.stability;
    case "function":
      return item.func.stability;
    case "type":
      return resolve.type(item.id).stability;
  }
}

/** Prints one package of a Resolve as WIT text (what `wasm-tools component wit` prints). */
export function printPackage(resolve: Resolve, pkgId: PackageId, options: { docs?: boolean; nested?: PackageId[] } = {}): string {
  return new WitPrinter(resolve, options).printPackage(pkgId, options.nested ?? []);
}

/** `ns:name@1.2.3` → `ns-name-1.2.3`: the folder name wkg gives a dependency in `wit/deps`. */
export function depDirName(resolve: Resolve, pkgId: PackageId): string {
  const { name } = resolve.pkg(pkgId);
  return `${name.namespace}-${name.name}${name.version ? `-${name.version}` : ""}`;
}

/**
 * The WIT files of a package and everything it depends on, laid out as `wkg fetch` writes
 * them: `package.wit` for `root` and `deps/<ns>-<name>[-<version>]/package.wit` for every
 * other package in the Resolve (in the Resolve's order).
 */
export function printWitFiles(resolve: Resolve, root: PackageId, options: { docs?: boolean } = {}): Map<string, string> {
  const files = new Map<string, string>();
  files.set("package.wit", printPackage(resolve, root, options));
  resolve.packages.forEach((_, id) => {
    if (id === root) return;
    files.set(`deps/${depDirName(resolve, id)}/package.wit`, printPackage(resolve, id, options));
  });
  return files;
}

/** Characters an `@external-id` string prints as they are; others are escaped (as wit-parser). */
const PLAIN_ID_CHAR = /^[A-Za-z0-9\-_./: ]$/;

function externalIdLiteral(id: string): string {
  let out = "";
  for (const c of id) {
    if (PLAIN_ID_CHAR.test(c)) out += c;
    else if (c === "\\") out += "\\\\";
    else if (c === '"') out += '\\"';
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\t") out += "\\t";
    else out += `\\u{${(c.codePointAt(0) as number).toString(16)}}`;
  }
  return out;
}
