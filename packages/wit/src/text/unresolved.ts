import { type Span, syntaxError } from "../errors.js";
import {
  type FunctionKind,
  type Interface,
  type InterfaceId,
  NO_OWNER,
  type PackageName,
  externalIdField,
  packageNameString,
  type Stability,
  type Type,
  type TypeDef,
  type TypeDefKind,
  type TypeId,
  type TypeOwner,
  UNKNOWN_STABILITY,
  type WitFunction,
  type World,
  type WorldId,
  type WorldItem,
  type WorldKey,
} from "../model.js";
import {
  type AstItem,
  type Attribute,
  type DocsAst,
  type ExternKind,
  externSpan,
  type FuncAst,
  type Id,
  type IncludeAst,
  type InterfaceItem,
  type PackageFile,
  type PackageNameAst,
  type ResourceFunc,
  type TypeAst,
  type TypeDefAst,
  typeSpan,
  type UseAst,
  type UsePath,
  usePathName,
  type WorldAst,
} from "./ast.js";
import { toposort } from "./toposort.js";

export type ItemRef = { kind: "interface"; id: InterfaceId } | { kind: "world"; id: WorldId };

export interface InterfaceSpan {
  span: Span;
  funcs: Span[];
}

export interface WorldSpan {
  span: Span;
  imports: Span[];
  exports: Span[];
  includes: Span[];
}

export interface ForeignDep {
  name: PackageName;
  items: Map<string, { item: ItemRef; stabilities: Stability[] }>;
}

/**
 * One package parsed and resolved internally but not against its dependencies (wit-parser's
 * `UnresolvedPackage`). Items of foreign packages appear first in each arena as
 * placeholders (foreign interfaces/worlds, `unknown` types) that `Resolve` connects later.
 */
export interface UnresolvedPackage {
  name: PackageName;
  docs: string | undefined;
  worlds: World[];
  interfaces: Interface[];
  types: TypeDef[];
  /** Keyed by the package name's string form, in first-reference order. */
  foreignDeps: Map<string, ForeignDep>;
  packageNameSpan: Span;
  unknownTypeSpans: Span[];
  interfaceSpans: InterfaceSpan[];
  worldSpans: WorldSpan[];
  typeSpans: Span[];
  /** A record's field names, where a reference in a field is reported (as upstream). */
  fieldSpans: Map<TypeId, Span[]>;
  foreignDepSpans: Span[];
  requiredResourceTypes: Array<[TypeId, Span]>;
}

type TypeOrItem = { type: TypeId } | { item: string };

type Visit = (
  owner: Id | undefined,
  attrs: Attribute[],
  path: UsePath,
  names: UseAst["names"] | undefined,
  kind: "world" | "interface" | "unknown",
) => void;

/** Calls `f` on every use path in a file, world imports before exports (as upstream). */
export function forEachPath(items: AstItem[], f: Visit): void {
  for (const item of items) {
    switch (item.kind) {
      case "world": {
        const imports: Array<{ attrs: Attribute[]; extern: ExternKind }> = [];
        const exports: Array<{ attrs: Attribute[]; extern: ExternKind }> = [];
        for (const wi of item.world.items) {
          switch (wi.kind) {
            case "use":
              f(undefined, wi.use.attributes, wi.use.from, wi.use.names, "interface");
              break;
            case "include":
              f(item.world.name, wi.include.attributes, wi.include.from, undefined, "world");
              break;
            case "type":
              break;
            case "import":
              imports.push({ attrs: wi.attributes, extern: wi.extern });
              break;
            case "export":
              exports.push({ attrs: wi.attributes, extern: wi.extern });
              break;
          }
        }
        const visitKind = ({ attrs, extern }: { attrs: Attribute[]; extern: ExternKind }) => {
          switch (extern.kind) {
            case "interface":
              for (const ii of extern.items) {
                if (ii.kind === "use") f(undefined, ii.use.attributes, ii.use.from, ii.use.names, "interface");
              }
              break;
            case "path":
            case "named-path":
              f(undefined, attrs, extern.path, undefined, "interface");
              break;
            case "func":
              break;
          }
        };
        imports.forEach(visitKind);
        exports.forEach(visitKind);
        break;
      }
      case "interface":
        for (const ii of item.iface.items) {
          if (ii.kind === "use") f(item.iface.name, ii.use.attributes, ii.use.from, ii.use.names, "interface");
        }
        break;
      case "use":
        f(undefined, item.use.attributes, item.use.item, undefined, "unknown");
        break;
      case "package":
        break;
    }
  }
}

export function astPackageName(name: PackageNameAst): PackageName {
  return { namespace: name.namespace.name, name: name.name.name, version: name.version?.version };
}

/** wit-parser's doc-comment normalisation: strip `//`/`/** *\/`, common indentation, trailing blank lines. */
export function docsText(docs: DocsAst): string | undefined {
  const raw = docs.docs;
  if (raw.length === 0) return undefined;
  // Plain loops instead of regexes: doc comments are most of the text of real WIT packages.
  const lines: string[] = [];
  let min = Number.POSITIVE_INFINITY;
  for (const doc of raw) {
    let contents: string;
    if (doc.startsWith("/**")) contents = doc.slice(3, doc.endsWith("*/") ? -2 : undefined);
    else {
      let slashes = 0;
      while (doc.charCodeAt(slashes) === 0x2f) slashes++;
      contents = doc.slice(slashes);
    }
    // `trimEnd` strips what `/\s+$/u` did (Unicode white space and line ends).
    contents = contents.trimEnd();
    lines.push(contents);
    if (contents === "") continue;
    let indent = 0;
    for (;;) {
      const c = contents.charCodeAt(indent);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) break;
      indent++;
    }
    if (indent < min) min = indent;
  }
  const pad = min !== Number.POSITIVE_INFINITY && min > 0 ? " ".repeat(min) : "";
  let contents = "";
  for (let line of lines) {
    if (pad !== "" && line.startsWith(pad)) line = line.slice(min);
    if (line === "") contents += "\n";
    else if (!line.includes("\n")) contents += `${line}\n`;
    else for (const l of line.split(/\r?\n/)) contents += `${l}\n`;
  }
  let end = contents.length;
  while (end > 0 && contents.charCodeAt(end - 1) === 0x0a) end--;
  return contents.slice(0, end);
}

function typeKeyPart(ty: Type | undefined): string {
  return ty === undefined ? "_" : typeof ty === "number" ? `#${ty}` : ty;
}

/** Structural key used to share anonymous types (`list<u32>` is allocated once per package). */
function anonKey(kind: TypeDefKind): string | undefined {
  switch (kind.tag) {
    case "variant":
      return `v:${kind.cases.map((c) => `${c.name}=${typeKeyPart(c.ty)}`).join(",")}`;
    case "handle":
      return kind.handle === "borrow" ? `b:${kind.resource}` : undefined;
    case "record":
      return `r:${kind.fields.map((f) => `${f.name}=${typeKeyPart(f.ty)}`).join(",")}`;
    case "flags":
      return `f:${kind.flags.map((f) => f.name).join(",")}`;
    case "tuple":
      return `t:${kind.types.map(typeKeyPart).join(",")}`;
    case "enum":
      return `e:${kind.cases.map((c) => c.name).join(",")}`;
    case "list":
      return `l:${typeKeyPart(kind.ty)}`;
    case "map":
      return `m:${typeKeyPart(kind.key)},${typeKeyPart(kind.value)}`;
    case "fixed-size-list":
      return `L:${typeKeyPart(kind.ty)},${kind.size}`;
    case "option":
      return `o:${typeKeyPart(kind.ty)}`;
    case "result":
      return `R:${typeKeyPart(kind.ok)},${typeKeyPart(kind.err)}`;
    case "future":
      return `F:${typeKeyPart(kind.ty)}`;
    case "stream":
      return `S:${typeKeyPart(kind.ty)}`;
    default:
      return undefined;
  }
}

const MAP_KEYS = new Set(["bool", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "char", "string"]);

/**
 * Turns the ASTs of one package's files into an {@link UnresolvedPackage}: a port of
 * wit-parser's `ast::resolve::Resolver`, keeping its allocation order.
 */
export class AstResolver {
  private packageName: { name: PackageName; span: Span } | undefined;
  private packageDocs: string | undefined;
  private readonly files: AstItem[][] = [];

  private readonly types: TypeDef[] = [];
  private readonly interfaces: Interface[] = [];
  private readonly worlds: World[] = [];
  private readonly anonTypes = new Map<string, TypeId>();
  private curFile = 0;
  private readonly fileItems: Array<Map<string, ItemRef>> = [];
  private readonly packageItems = new Map<string, ItemRef>();
  private readonly interfaceTypes: Array<Map<string, [TypeOrItem, Span]>> = [];
  private readonly foreignDeps = new Map<string, ForeignDep>();
  private readonly foreignInterfaces = new Set<InterfaceId>();
  private typeLookup = new Map<string, [TypeOrItem, Span]>();
  private readonly unknownTypeSpans: Span[] = [];
  private readonly worldSpans: WorldSpan[] = [];
  private readonly typeSpans: Span[] = [];
  private readonly fieldSpans = new Map<TypeId, Span[]>();
  private readonly interfaceSpans: InterfaceSpan[] = [];
  private readonly foreignDepSpans: Span[] = [];
  private readonly requiredResourceTypes: Array<[TypeId, Span]> = [];

  push(file: PackageFile): void {
    const cur = file.packageId;
    if (cur) {
      const name = astPackageName(cur);
      if (this.packageName && packageNameString(this.packageName.name) !== packageNameString(name)) {
        throw syntaxError(
          `package identifier \`${packageNameString(name)}\` does not match previous package name of \`${packageNameString(this.packageName.name)}\``,
          cur.span,
        );
      }
      this.packageName = { name, span: cur.span };
      const docs = docsText(cur.docs);
      if (docs !== undefined) {
        if (this.packageDocs !== undefined) {
          throw syntaxError("found doc comments on multiple 'package' items", cur.docs.span);
        }
        this.packageDocs = docs;
      }
    }
    for (const item of file.items) {
      if (item.kind === "package") {
        throw syntaxError("nested packages must be placed at the top-level", (item.file.packageId as PackageNameAst).span);
      }
    }
    this.files.push(file.items);
  }

  resolve(): UnresolvedPackage {
    if (!this.packageName) throw syntaxError("no `package` header was found in any WIT file for this package");
    const files = this.files;
    this.populateForeignDeps(files);
    const [ifaceOrder, worldOrder] = this.populateAstItems(files);
    this.populateForeignTypes(files);

    const ifaceAst = new Map<InterfaceId, [Extract<AstItem, { kind: "interface" }>["iface"], number]>();
    const worldAst = new Map<WorldId, [WorldAst, number]>();
    files.forEach((items, i) => {
      for (const item of items) {
        if (item.kind === "interface") {
          const ref = this.fileItems[i]?.get(item.iface.name.name) as ItemRef;
          ifaceAst.set(ref.id, [item.iface, i]);
        } else if (item.kind === "world") {
          const ref = this.fileItems[i]?.get(item.world.name.name) as ItemRef;
          worldAst.set(ref.id, [item.world, i]);
        }
      }
    });
    for (const id of ifaceOrder) {
      const [iface, i] = ifaceAst.get(id) as [Extract<AstItem, { kind: "interface" }>["iface"], number];
      this.curFile = i;
      rejectExternalId(iface.attributes, "an interface definition");
      this.resolveInterface(id, iface.items, iface.docs, iface.attributes);
    }
    for (const id of worldOrder) {
      const [world, i] = worldAst.get(id) as [WorldAst, number];
      this.curFile = i;
      this.resolveWorld(id, world);
    }
    return {
      name: this.packageName.name,
      docs: this.packageDocs,
      worlds: this.worlds,
      interfaces: this.interfaces,
      types: this.types,
      foreignDeps: this.foreignDeps,
      packageNameSpan: this.packageName.span,
      unknownTypeSpans: this.unknownTypeSpans,
      interfaceSpans: this.interfaceSpans,
      worldSpans: this.worldSpans,
      typeSpans: this.typeSpans,
      fieldSpans: this.fieldSpans,
      foreignDepSpans: this.foreignDepSpans,
      requiredResourceTypes: this.requiredResourceTypes,
    };
  }

  private populateForeignDeps(files: AstItem[][]): void {
    for (const items of files) {
      forEachPath(items, (_owner, attrs, path, _names, kind) => {
        if (path.kind !== "package") return;
        const stability = this.stability(attrs);
        const pkgName = astPackageName(path.pkg);
        const key = packageNameString(pkgName);
        let deps = this.foreignDeps.get(key);
        if (!deps) {
          this.foreignDepSpans.push(path.pkg.span);
          deps = { name: pkgName, items: new Map() };
          this.foreignDeps.set(key, deps);
        }
        let entry = deps.items.get(path.name.name);
        if (!entry) {
          const item: ItemRef =
            kind === "world"
              ? { kind: "world", id: this.allocWorld(path.name.span) }
              : { kind: "interface", id: this.allocInterface(path.name.span) };
          entry = { item, stabilities: [] };
          deps.items.set(path.name.name, entry);
        }
        entry.stabilities.push(stability);
        if (entry.item.kind === "interface") this.foreignInterfaces.add(entry.item.id);
      });
    }
  }

  private allocInterface(span: Span): InterfaceId {
    this.interfaceTypes.push(new Map());
    this.interfaceSpans.push({ span, funcs: [] });
    this.interfaces.push({
      name: undefined,
      types: new Map(),
      functions: new Map(),
      docs: undefined,
      stability: UNKNOWN_STABILITY,
      package: undefined,
    });
    return this.interfaces.length - 1;
  }

  private allocWorld(span: Span): WorldId {
    this.worldSpans.push({ span, imports: [], exports: [], includes: [] });
    this.worlds.push({
      name: "",
      imports: new Map(),
      exports: new Map(),
      package: undefined,
      docs: undefined,
      stability: UNKNOWN_STABILITY,
      includes: [],
      includeNames: [],
    });
    return this.worlds.length - 1;
  }

  private populateAstItems(files: AstItem[][]): [InterfaceId[], WorldId[]] {
    const packageItems = new Map<string, Span>();
    const names = new Map<string, AstItem>();
    const order = new Map<string, Id[]>();
    for (const items of files) {
      for (const item of items) {
        if (item.kind !== "interface" && item.kind !== "world") continue;
        const name = item.kind === "interface" ? item.iface.name : item.world.name;
        if (packageItems.has(name.name)) throw syntaxError(`duplicate item named \`${name.name}\``, name.span);
        packageItems.set(name.name, name.span);
        order.set(name.name, []);
        names.set(name.name, item);
      }
    }

    for (const items of files) {
      const fileNs = new Map<string, { span: Span; local: Id | undefined }>();
      for (const item of items) {
        let name: Id;
        let local: Id | undefined;
        if (item.kind === "use") {
          name = item.use.as ?? usePathName(item.use.item);
          local = item.use.item.kind === "id" ? item.use.item.id : undefined;
        } else if (item.kind === "interface") {
          name = item.iface.name;
          local = name;
        } else if (item.kind === "world") {
          name = item.world.name;
          local = name;
        } else {
          continue;
        }
        if (fileNs.has(name.name)) throw syntaxError(`duplicate name \`${name.name}\` in this file`, name.span);
        fileNs.set(name.name, { span: name.span, local });
      }
      forEachPath(items, (owner, _attrs, path) => {
        if (owner === undefined || path.kind !== "id") return;
        const used = path.id;
        const entry = fileNs.get(used.name);
        if (entry) {
          if (entry.local) (order.get(owner.name) as Id[]).push(entry.local);
          return;
        }
        if (packageItems.has(used.name)) {
          (order.get(owner.name) as Id[]).push(used);
          return;
        }
        throw syntaxError(`interface or world \`${used.name}\` does not exist`, used.span);
      });
    }

    const sorted = toposort("interface or world", order);
    const ids = new Map<string, ItemRef>();
    const ifaceOrder: InterfaceId[] = [];
    const worldOrder: WorldId[] = [];
    for (const name of sorted) {
      const item = names.get(name) as AstItem;
      const span = packageItems.get(name) as Span;
      if (item.kind === "interface") {
        const id = this.allocInterface(span);
        (this.interfaces[id] as Interface).name = name;
        ids.set(name, { kind: "interface", id });
        ifaceOrder.push(id);
      } else {
        const id = this.allocWorld(span);
        (this.worlds[id] as World).name = name;
        ids.set(name, { kind: "world", id });
        worldOrder.push(id);
      }
    }
    for (const items of files) {
      const map = new Map<string, ItemRef>();
      for (const item of items) {
        if (item.kind === "use") {
          const u = item.use;
          if (u.attributes.length > 0) throw syntaxError("attributes not allowed on top-level use", u.span);
          const name = u.as ?? usePathName(u.item);
          let ref: ItemRef;
          if (u.item.kind === "id") {
            const found = ids.get(u.item.id.name);
            if (!found) throw syntaxError(`interface or world \`${u.item.id.name}\` does not exist`, u.item.id.span);
            ref = found;
          } else {
            ref = this.foreignItem(u.item);
          }
          map.set(name.name, ref);
        } else if (item.kind === "interface" || item.kind === "world") {
          const name = item.kind === "interface" ? item.iface.name.name : item.world.name.name;
          const ref = ids.get(name) as ItemRef;
          map.set(name, ref);
          this.packageItems.set(name, ref);
        }
      }
      this.fileItems.push(map);
    }
    return [ifaceOrder, worldOrder];
  }

  private foreignItem(path: Extract<UsePath, { kind: "package" }>): ItemRef {
    const deps = this.foreignDeps.get(packageNameString(astPackageName(path.pkg))) as ForeignDep;
    return (deps.items.get(path.name.name) as { item: ItemRef }).item;
  }

  private populateForeignTypes(files: AstItem[][]): void {
    files.forEach((items, i) => {
      this.curFile = i;
      forEachPath(items, (_owner, attrs, path, names) => {
        if (names === undefined) return;
        const stability = this.stability(attrs);
        const [item, name, span] = this.resolveAstItemPath(path);
        const iface = this.extractInterface(item, name, span);
        if (!this.foreignInterfaces.has(iface)) return;
        const lookup = this.interfaceTypes[iface] as Map<string, [TypeOrItem, Span]>;
        for (const n of names) {
          if (lookup.has(n.name.name)) continue;
          const id = this.allocType({
            docs: undefined,
            stability,
            kind: { tag: "unknown" },
            name: n.name.name,
            owner: { kind: "interface", id: iface },
            ...externalIdField(externalId(attrs)),
          });
          this.unknownTypeSpans.push(n.name.span);
          this.typeSpans.push(n.name.span);
          lookup.set(n.name.name, [{ type: id }, n.name.span]);
          (this.interfaces[iface] as Interface).types.set(n.name.name, id);
        }
      });
    });
  }

  private allocType(def: TypeDef): TypeId {
    this.types.push(def);
    return this.types.length - 1;
  }

  private resolveWorld(worldId: WorldId, world: WorldAst): void {
    const w = this.worlds[worldId] as World;
    w.docs = docsText(world.docs);
    rejectExternalId(world.attributes, "a world definition");
    w.stability = this.stability(world.attributes);
    const typeItems: Array<{ kind: "use"; use: UseAst } | { kind: "def"; def: TypeDefAst }> = [];
    for (const item of world.items) {
      if (item.kind === "use") typeItems.push({ kind: "use", use: item.use });
      else if (item.kind === "type") typeItems.push({ kind: "def", def: item.def });
    }
    this.resolveTypes({ kind: "world", id: worldId }, typeItems);
    for (const item of world.items) {
      if (item.kind === "include") this.resolveInclude(worldId, item.include);
    }
    const importSpans: Span[] = [];
    const exportSpans: Span[] = [];
    for (const [name, [item, span]] of this.typeLookup) {
      if (!("type" in item)) throw new Error("unexpected item in world type scope");
      if (w.imports.has(name)) {
        throw syntaxError(`import \`${name}\` conflicts with prior import of same name`, span);
      }
      w.imports.set(name, { tag: "type", id: item.type });
      importSpans.push(span);
    }
    const imported = new Set<InterfaceId>();
    const exported = new Set<InterfaceId>();
    for (const item of world.items) {
      if (item.kind === "type" && item.def.ty.kind === "resource") {
        for (const func of item.def.ty.funcs) {
          importSpans.push(func.func.name.span);
          const resolved = this.resolveResourceFunc(func, item.def.name);
          w.imports.set(resolved.name, { tag: "function", func: resolved });
        }
        continue;
      }
      if (item.kind !== "import" && item.kind !== "export") continue;
      const desc = item.kind;
      const worldItem = this.resolveWorldItem(item.docs, item.attributes, item.extern);
      let key: WorldKey;
      const extern = item.extern;
      switch (extern.kind) {
        case "interface":
        case "named-path":
          key = extern.id.name;
          break;
        case "func":
          key = (worldItem as Extract<WorldItem, { tag: "function" }>).func.name;
          break;
        case "path": {
          const [ref, name, span] = this.resolveAstItemPath(extern.path);
          key = this.extractInterface(ref, name, span);
          break;
        }
      }
      if (worldItem.tag === "interface" && extern.kind === "path") {
        const seen = desc === "import" ? imported : exported;
        if (seen.has(worldItem.id)) throw syntaxError(`interface cannot be ${desc}ed more than once`, externSpan(extern));
        seen.add(worldItem.id);
      }
      const dst = desc === "import" ? w.imports : w.exports;
      const prev = dst.get(key);
      if (prev) {
        const prevDesc = prev.tag === "interface" ? "interface" : prev.tag === "function" ? "func" : "type";
        throw syntaxError(`${desc} \`${key}\` conflicts with prior ${prevDesc} of same name`, externSpan(extern));
      }
      dst.set(key, worldItem);
      (desc === "import" ? importSpans : exportSpans).push(externSpan(extern));
    }
    const spans = this.worldSpans[worldId] as WorldSpan;
    spans.imports = importSpans;
    spans.exports = exportSpans;
    this.typeLookup.clear();
  }

  private resolveWorldItem(docs: DocsAst, attrs: Attribute[], extern: ExternKind): WorldItem {
    switch (extern.kind) {
      case "interface": {
        const prev = this.typeLookup;
        this.typeLookup = new Map();
        const id = this.allocInterface(extern.id.span);
        this.resolveInterface(id, extern.items, docs, attrs);
        this.typeLookup = prev;
        return { tag: "interface", id, stability: (this.interfaces[id] as Interface).stability, ...externalIdField(externalId(attrs)) };
      }
      case "path":
      case "named-path": {
        const stability = this.stability(attrs);
        const [ref, name, span] = this.resolveAstItemPath(extern.path);
        const id = this.extractInterface(ref, name, span);
        const text = docsText(docs);
        const ext = externalIdField(externalId(attrs));
        return text === undefined ? { tag: "interface", id, stability, ...ext } : { tag: "interface", id, stability, docs: text, ...ext };
      }
      case "func": {
        const func = this.resolveFunction(
          docs,
          attrs,
          extern.id.name,
          extern.func,
          extern.func.async ? { tag: "async-freestanding" } : { tag: "freestanding" },
        );
        return { tag: "function", func };
      }
    }
  }

  private resolveInterface(id: InterfaceId, items: InterfaceItem[], docs: DocsAst, attrs: Attribute[]): void {
    const iface = this.interfaces[id] as Interface;
    iface.docs = docsText(docs);
    iface.stability = this.stability(attrs);
    const typeItems: Array<{ kind: "use"; use: UseAst } | { kind: "def"; def: TypeDefAst }> = [];
    for (const item of items) {
      if (item.kind === "use") typeItems.push({ kind: "use", use: item.use });
      else if (item.kind === "typedef") typeItems.push({ kind: "def", def: item.def });
    }
    this.resolveTypes({ kind: "interface", id }, typeItems);
    for (const [name, [item]] of this.typeLookup) {
      if ("type" in item) iface.types.set(name, item.type);
    }
    const funcs: WitFunction[] = [];
    const spans = this.interfaceSpans[id] as InterfaceSpan;
    for (const item of items) {
      if (item.kind === "func") {
        const f = item.func;
        this.defineName(f.name, { item: "function" });
        funcs.push(
          this.resolveFunction(
            f.docs,
            f.attributes,
            f.name.name,
            f.func,
            f.func.async ? { tag: "async-freestanding" } : { tag: "freestanding" },
          ),
        );
        spans.funcs.push(f.name.span);
      } else if (item.kind === "typedef" && item.def.ty.kind === "resource") {
        for (const func of item.def.ty.funcs) {
          funcs.push(this.resolveResourceFunc(func, item.def.name));
          spans.funcs.push(func.func.name.span);
        }
      }
    }
    for (const func of funcs) iface.functions.set(func.name, func);
    this.interfaceTypes[id] = this.typeLookup;
    this.typeLookup = new Map();
  }

  private resolveTypes(owner: TypeOwner, items: Array<{ kind: "use"; use: UseAst } | { kind: "def"; def: TypeDefAst }>): void {
    for (const item of items) {
      if (item.kind === "use") this.resolveUse(owner, item.use);
    }
    const typeDeps = new Map<string, Id[]>();
    const typeDefs = new Map<string, TypeDefAst | undefined>();
    for (const item of items) {
      if (item.kind === "def") {
        const t = item.def;
        if (typeDefs.has(t.name.name)) throw syntaxError(`name \`${t.name.name}\` is defined more than once`, t.name.span);
        typeDefs.set(t.name.name, t);
        const deps: Id[] = [];
        collectDeps(t.ty, deps);
        typeDeps.set(t.name.name, deps);
      } else {
        for (const n of item.use.names) {
          const name = n.as ?? n.name;
          typeDeps.set(name.name, []);
          typeDefs.set(name.name, undefined);
        }
      }
    }
    const order = toposort("type", typeDeps, (name) =>
      name === "float32" || name === "float64"
        ? `the \`${name}\` type has been renamed to \`${name === "float32" ? "f32" : "f64"}\` and is no longer accepted, but the \`WIT_REQUIRE_F32_F64=0\` environment variable can be used to temporarily disable this error`
        : undefined,
    );
    for (const name of order) {
      const def = typeDefs.get(name);
      typeDefs.delete(name);
      if (def === undefined) continue;
      const docs = docsText(def.docs);
      const stability = this.stability(def.attributes);
      const kind = this.resolveTypeDef(def.ty, stability);
      const id = this.allocType({ docs, stability, kind, name: def.name.name, owner, ...externalIdField(externalId(def.attributes)) });
      this.typeSpans.push(def.name.span);
      if (def.ty.kind === "record")
        this.fieldSpans.set(
          id,
          def.ty.fields.map((f) => f.name.span),
        );
      this.defineName(def.name, { type: id });
    }
  }

  private resolveUse(owner: TypeOwner, u: UseAst): void {
    const [ref, name, span] = this.resolveAstItemPath(u.from);
    const from = this.extractInterface(ref, name, span);
    const stability = this.stability(u.attributes);
    const ext = externalIdField(externalId(u.attributes));
    for (const n of u.names) {
      const lookup = this.interfaceTypes[from] as Map<string, [TypeOrItem, Span]>;
      const found = lookup.get(n.name.name);
      if (found === undefined) throw syntaxError(`name \`${n.name.name}\` does not exist`, n.name.span);
      const [entry] = found;
      if (!("type" in entry)) throw syntaxError(`cannot import ${entry.item} \`${n.name.name}\``, n.name.span);
      this.typeSpans.push(n.name.span);
      const local = n.as ?? n.name;
      const id = this.allocType({
        docs: undefined,
        stability,
        kind: { tag: "type", ty: entry.type },
        name: local.name,
        owner,
        ...ext,
      });
      this.defineName(local, { type: id });
    }
  }

  private resolveInclude(worldId: WorldId, include: IncludeAst): void {
    rejectExternalId(include.attributes, "an `include`");
    const stability = this.stability(include.attributes);
    const [ref, name, span] = this.resolveAstItemPath(include.from);
    if (ref.kind !== "world") throw syntaxError(`name \`${name}\` is defined as an interface, not a world`, span);
    const world = this.worlds[worldId] as World;
    world.includes.push({ stability, world: ref.id });
    world.includeNames.push(include.names.map((n) => ({ name: n.name.name, as: n.as.name })));
    (this.worldSpans[worldId] as WorldSpan).includes.push(span);
  }

  private resolveResourceFunc(func: ResourceFunc, resource: Id): WitFunction {
    const found = this.typeLookup.get(resource.name);
    if (!found || !("type" in found[0])) throw new Error("type lookup for resource failed");
    const resourceId = found[0].type;
    const named = func.func;
    let name: string;
    let kind: FunctionKind;
    switch (func.kind) {
      case "method":
        name = `[method]${resource.name}.${named.name.name}`;
        kind = named.func.async ? { tag: "async-method", resource: resourceId } : { tag: "method", resource: resourceId };
        break;
      case "static":
        name = `[static]${resource.name}.${named.name.name}`;
        kind = named.func.async ? { tag: "async-static", resource: resourceId } : { tag: "static", resource: resourceId };
        break;
      case "constructor":
        name = `[constructor]${resource.name}`;
        kind = { tag: "constructor", resource: resourceId };
        break;
    }
    return this.resolveFunction(named.docs, named.attributes, name, named.func, kind);
  }

  private resolveFunction(docs: DocsAst, attrs: Attribute[], name: string, func: FuncAst, kind: FunctionKind): WitFunction {
    const docText = docsText(docs);
    const stability = this.stability(attrs);
    const params = this.resolveParams(func.params, kind, func.span);
    const result = this.resolveResult(func.result, kind);
    return { docs: docText, stability, name, kind, params, result, ...externalIdField(externalId(attrs)) };
  }

  private resolveAstItemPath(path: UsePath): [ItemRef, string, Span] {
    if (path.kind === "id") {
      const item = this.fileItems[this.curFile]?.get(path.id.name) ?? this.packageItems.get(path.id.name);
      if (!item) throw syntaxError(`interface or world \`${path.id.name}\` does not exist`, path.id.span);
      return [item, path.id.name, path.id.span];
    }
    return [this.foreignItem(path), path.name.name, path.name.span];
  }

  private extractInterface(item: ItemRef, name: string, span: Span): InterfaceId {
    if (item.kind === "world") throw syntaxError(`name \`${name}\` is defined as a world, not an interface`, span);
    return item.id;
  }

  private defineName(name: Id, item: TypeOrItem): void {
    if (this.typeLookup.has(name.name)) throw syntaxError(`name \`${name.name}\` is defined more than once`, name.span);
    this.typeLookup.set(name.name, [item, name.span]);
  }

  private resolveTypeDef(ty: TypeAst, stability: Stability): TypeDefKind {
    switch (ty.kind) {
      case "prim":
        return { tag: "type", ty: ty.prim };
      case "name":
        return { tag: "type", ty: this.resolveTypeName(ty.id) };
      case "list":
        return { tag: "list", ty: this.resolveType(ty.ty, stability) };
      case "map": {
        const key = this.resolveType(ty.key, stability);
        const value = this.resolveType(ty.value, stability);
        if (typeof key === "number" || !MAP_KEYS.has(key)) {
          throw syntaxError("invalid map key type: map keys must be bool, u8, u16, u32, u64, s8, s16, s32, s64, char, or string", ty.span);
        }
        return { tag: "map", key, value };
      }
      case "fixed-size-list":
        return { tag: "fixed-size-list", ty: this.resolveType(ty.ty, stability), size: ty.size };
      case "handle":
        return { tag: "handle", handle: ty.handle, resource: this.validateResource(ty.resource) };
      case "resource": {
        let ctors = 0;
        const names = new Set<string>();
        for (const func of ty.funcs) {
          if (func.kind === "constructor") {
            ctors++;
            if (ctors > 1) throw syntaxError("duplicate constructors", func.func.name.span);
          } else {
            const n = func.func.name;
            if (names.has(n.name)) throw syntaxError(`duplicate function name \`${n.name}\``, n.span);
            names.add(n.name);
          }
        }
        return { tag: "resource" };
      }
      case "record":
        return {
          tag: "record",
          fields: ty.fields.map((f) => ({
            docs: docsText(f.docs),
            name: f.name.name,
            ty: this.resolveType(f.ty, stability),
          })),
        };
      case "flags":
        return { tag: "flags", flags: ty.flags.map((f) => ({ docs: docsText(f.docs), name: f.name.name })) };
      case "tuple":
        return { tag: "tuple", types: ty.types.map((t) => this.resolveType(t, stability)) };
      case "variant":
        if (ty.cases.length === 0) throw syntaxError("empty variant", ty.span);
        return {
          tag: "variant",
          cases: ty.cases.map((c) => ({
            docs: docsText(c.docs),
            name: c.name.name,
            ty: c.ty === undefined ? undefined : this.resolveType(c.ty, stability),
          })),
        };
      case "enum":
        if (ty.cases.length === 0) throw syntaxError("empty enum", ty.span);
        return { tag: "enum", cases: ty.cases.map((c) => ({ docs: docsText(c.docs), name: c.name.name })) };
      case "option":
        return { tag: "option", ty: this.resolveType(ty.ty, stability) };
      case "result":
        return {
          tag: "result",
          ok: ty.ok === undefined ? undefined : this.resolveType(ty.ok, stability),
          err: ty.err === undefined ? undefined : this.resolveType(ty.err, stability),
        };
      case "future":
        return { tag: "future", ty: ty.ty === undefined ? undefined : this.resolveType(ty.ty, stability) };
      case "stream":
        return { tag: "stream", ty: ty.ty === undefined ? undefined : this.resolveType(ty.ty, stability) };
    }
  }

  private resolveTypeName(name: Id): TypeId {
    const found = this.typeLookup.get(name.name);
    if (found === undefined) throw syntaxError(`name \`${name.name}\` does not exist`, name.span);
    const [entry] = found;
    if (!("type" in entry)) throw syntaxError(`cannot use ${entry.item} \`${name.name}\` as a type`, name.span);
    return entry.type;
  }

  private validateResource(name: Id): TypeId {
    const id = this.resolveTypeName(name);
    let cur = id;
    for (;;) {
      const kind = (this.types[cur] as TypeDef).kind;
      if (kind.tag === "resource") return id;
      if (kind.tag === "type" && typeof kind.ty === "number") {
        cur = kind.ty;
        continue;
      }
      if (kind.tag === "unknown") {
        this.requiredResourceTypes.push([cur, name.span]);
        return id;
      }
      throw syntaxError(`type \`${name.name}\` used in a handle must be a resource`, name.span);
    }
  }

  /** Anonymous types inherit the stability of the first named type they mention. */
  private findStability(kind: TypeDefKind, stability: Stability): Stability {
    if (stability.kind !== "unknown") return stability;
    const inType = (ty: Type | undefined): Stability | undefined => {
      if (typeof ty !== "number") return undefined;
      const s = (this.types[ty] as TypeDef).stability;
      return s.kind !== "unknown" ? s : undefined;
    };
    let found: Stability | undefined;
    switch (kind.tag) {
      case "type":
        found = inType(kind.ty);
        break;
      case "handle":
        found = inType(kind.resource);
        break;
      case "tuple":
        for (const t of kind.types) {
          found = inType(t);
          if (found) break;
        }
        break;
      case "list":
      case "fixed-size-list":
      case "option":
        found = inType(kind.ty);
        break;
      case "map":
        found = inType(kind.key) ?? inType(kind.value);
        break;
      case "future":
      case "stream":
        found = inType(kind.ty);
        break;
      case "result":
        found = inType(kind.ok) ?? inType(kind.err);
        break;
      default:
        found = undefined;
    }
    return found ?? UNKNOWN_STABILITY;
  }

  private resolveType(ty: TypeAst, stability: Stability): Type {
    if (ty.kind === "resource") throw new Error("anonymous resources are not supported");
    const kind = this.resolveTypeDef(ty, stability);
    const s = this.findStability(kind, stability);
    return this.anonTypeDef({ kind, name: undefined, docs: undefined, stability: s, owner: NO_OWNER }, typeSpan(ty));
  }

  private anonTypeDef(def: TypeDef, span: Span): Type {
    const kind = def.kind;
    if (kind.tag === "type") return kind.ty;
    // `own<T>` written out is the same type as `T` itself.
    if (kind.tag === "handle" && kind.handle === "own") return kind.resource;
    const key = anonKey(kind);
    if (key === undefined) throw new Error(`unexpected anonymous ${kind.tag}`);
    const existing = this.anonTypes.get(key);
    if (existing !== undefined) return existing;
    this.typeSpans.push(span);
    const id = this.allocType(def);
    this.anonTypes.set(key, id);
    return id;
  }

  private stability(all: Attribute[]): Stability {
    // `@external-id` is kept apart (see `externalId`); it does not take part in stability.
    const attrs = all.filter((a) => a.kind !== "external-id");
    if (attrs.length === 0) return UNKNOWN_STABILITY;
    const [a, b] = attrs;
    if (attrs.length === 1 && a) {
      if (a.kind === "since") return { kind: "stable", since: a.version };
      if (a.kind === "unstable") return { kind: "unstable", feature: a.feature.name };
      throw syntaxError("must pair @deprecated with either @since or @unstable", a.span);
    }
    if (attrs.length === 2 && a && b) {
      const since = a.kind === "since" ? a : b.kind === "since" ? b : undefined;
      const unstable = a.kind === "unstable" ? a : b.kind === "unstable" ? b : undefined;
      const deprecated = a.kind === "deprecated" ? a : b.kind === "deprecated" ? b : undefined;
      if (since && deprecated) return { kind: "stable", since: since.version, deprecated: deprecated.version };
      if (unstable && deprecated) return { kind: "unstable", feature: unstable.feature.name, deprecated: deprecated.version };
    }
    throw syntaxError("unsupported combination of attributes", (b as Attribute).span);
  }

  private resolveParams(params: Array<[Id, TypeAst]>, kind: FunctionKind, span: Span): Array<[string, Type]> {
    const out = new Map<string, Type>();
    if (kind.tag === "method" || kind.tag === "async-method") {
      const handle: TypeDefKind = { tag: "handle", handle: "borrow", resource: kind.resource };
      const stability = this.findStability(handle, UNKNOWN_STABILITY);
      const shared = this.anonTypeDef({ docs: undefined, stability, kind: handle, name: undefined, owner: NO_OWNER }, span);
      out.set("self", shared);
    }
    for (const [name, ty] of params) {
      if (out.has(name.name)) {
        // Resolve the type first, as upstream does, so its errors win.
        this.resolveType(ty, UNKNOWN_STABILITY);
        throw syntaxError(`param \`${name.name}\` is defined more than once`, name.span);
      }
      out.set(name.name, this.resolveType(ty, UNKNOWN_STABILITY));
    }
    return [...out];
  }

  private resolveResult(result: TypeAst | undefined, kind: FunctionKind): Type | undefined {
    if (kind.tag !== "constructor") return result === undefined ? undefined : this.resolveType(result, UNKNOWN_STABILITY);
    if (result === undefined) return kind.resource;
    const resolved = this.resolveType(result, UNKNOWN_STABILITY);
    const def = typeof resolved === "number" ? (this.types[resolved] as TypeDef) : undefined;
    if (def?.kind.tag !== "result") {
      throw syntaxError("if a constructor return type is declared it must be a `result`", typeSpan(result));
    }
    if (def.kind.ok !== kind.resource) {
      const okSpan = result.kind === "result" && result.ok ? typeSpan(result.ok) : typeSpan(result);
      throw syntaxError("the `ok` type must be the resource being constructed", okSpan);
    }
    return resolved;
  }
}

function collectDeps(ty: TypeAst, deps: Id[]): void {
  switch (ty.kind) {
    case "prim":
    case "flags":
    case "enum":
    case "resource":
      return;
    case "name":
      deps.push(ty.id);
      return;
    case "handle":
      deps.push(ty.resource);
      return;
    case "record":
      for (const f of ty.fields) collectDeps(f.ty, deps);
      return;
    case "tuple":
      for (const t of ty.types) collectDeps(t, deps);
      return;
    case "variant":
      for (const c of ty.cases) if (c.ty) collectDeps(c.ty, deps);
      return;
    case "option":
    case "list":
    case "fixed-size-list":
      collectDeps(ty.ty, deps);
      return;
    case "map":
      collectDeps(ty.key, deps);
      collectDeps(ty.value, deps);
      return;
    case "result":
      if (ty.ok) collectDeps(ty.ok, deps);
      if (ty.err) collectDeps(ty.err, deps);
      return;
    case "future":
    case "stream":
      if (ty.ty) collectDeps(ty.ty, deps);
      return;
  }
}

/** The `@external-id("…")` among an item's attributes (wit-parser's `external_id`). */
function externalId(attrs: Attribute[]): string | undefined {
  let found: string | undefined;
  for (const a of attrs) {
    if (a.kind !== "external-id") continue;
    if (found !== undefined) throw syntaxError("cannot specify @external-id twice", a.span);
    found = a.id;
  }
  return found;
}

/**
 * wit-parser accepts `@external-id` on interface and world definitions and on `include` but
 * keeps it nowhere; rather than drop it silently, such a use is an error at the attribute.
 */
function rejectExternalId(attrs: Attribute[], where: string): void {
  const found = attrs.find((a) => a.kind === "external-id");
  if (found)
    throw syntaxError(
      `\`@external-id\` on ${where} would be lost: it is kept only on imports, exports, types, \`use\` and functions`,
      found.span,
    );
}
