import type { Span } from "../errors.js";
import type { PrimitiveType } from "../model.js";
import type { SemVer } from "../semver.js";

/** The syntax tree of one WIT file, before names are resolved. */

export interface Id {
  name: string;
  span: Span;
}

/** Raw comment texts directly before an item (wit-parser turns all of them into docs). */
export interface DocsAst {
  docs: string[];
  span: Span;
}

export type Attribute =
  | { kind: "since"; span: Span; version: SemVer }
  | { kind: "unstable"; span: Span; feature: Id }
  | { kind: "deprecated"; span: Span; version: SemVer }
  | { kind: "external-id"; span: Span; id: string };

export interface PackageNameAst {
  docs: DocsAst;
  span: Span;
  namespace: Id;
  name: Id;
  version: { span: Span; version: SemVer } | undefined;
}

export interface PackageFile {
  packageId: PackageNameAst | undefined;
  items: AstItem[];
}

export type AstItem =
  | { kind: "interface"; iface: InterfaceAst }
  | { kind: "world"; world: WorldAst }
  | { kind: "use"; use: ToplevelUse }
  | { kind: "package"; file: PackageFile };

export interface ToplevelUse {
  span: Span;
  attributes: Attribute[];
  item: UsePath;
  as: Id | undefined;
}

export type UsePath = { kind: "id"; id: Id } | { kind: "package"; pkg: PackageNameAst; name: Id };

export function usePathName(path: UsePath): Id {
  return path.kind === "id" ? path.id : path.name;
}

export interface UseAst {
  attributes: Attribute[];
  from: UsePath;
  names: Array<{ name: Id; as: Id | undefined }>;
}

export interface IncludeAst {
  from: UsePath;
  attributes: Attribute[];
  names: Array<{ name: Id; as: Id }>;
}

export interface InterfaceAst {
  docs: DocsAst;
  attributes: Attribute[];
  name: Id;
  items: InterfaceItem[];
}

export type InterfaceItem = { kind: "typedef"; def: TypeDefAst } | { kind: "func"; func: NamedFunc } | { kind: "use"; use: UseAst };

export interface WorldAst {
  docs: DocsAst;
  attributes: Attribute[];
  name: Id;
  items: WorldItemAst[];
}

export type WorldItemAst =
  | { kind: "import" | "export"; docs: DocsAst; attributes: Attribute[]; extern: ExternKind }
  | { kind: "use"; use: UseAst }
  | { kind: "type"; def: TypeDefAst }
  | { kind: "include"; include: IncludeAst };

export type ExternKind =
  | { kind: "interface"; id: Id; items: InterfaceItem[] }
  | { kind: "path"; path: UsePath }
  | { kind: "func"; id: Id; func: FuncAst }
  /** `import label: some-interface;`: a named import that implements an interface. */
  | { kind: "named-path"; id: Id; path: UsePath };

export function externSpan(kind: ExternKind): Span {
  switch (kind.kind) {
    case "interface":
    case "func":
    case "named-path":
      return kind.id.span;
    case "path":
      return usePathName(kind.path).span;
  }
}

export interface TypeDefAst {
  docs: DocsAst;
  attributes: Attribute[];
  name: Id;
  ty: TypeAst;
}

export interface NamedFunc {
  docs: DocsAst;
  attributes: Attribute[];
  name: Id;
  func: FuncAst;
}

export interface FuncAst {
  span: Span;
  async: boolean;
  params: Array<[Id, TypeAst]>;
  result: TypeAst | undefined;
}

export type ResourceFunc = { kind: "method" | "static" | "constructor"; func: NamedFunc };

export type TypeAst =
  | { kind: "prim"; prim: PrimitiveType; span: Span }
  | { kind: "name"; id: Id }
  | { kind: "list"; span: Span; ty: TypeAst }
  | { kind: "fixed-size-list"; span: Span; ty: TypeAst; size: number }
  | { kind: "map"; span: Span; key: TypeAst; value: TypeAst }
  | { kind: "handle"; handle: "own" | "borrow"; resource: Id }
  | { kind: "resource"; span: Span; funcs: ResourceFunc[] }
  | { kind: "record"; span: Span; fields: Array<{ docs: DocsAst; name: Id; ty: TypeAst }> }
  | { kind: "flags"; span: Span; flags: Array<{ docs: DocsAst; name: Id }> }
  | { kind: "variant"; span: Span; cases: Array<{ docs: DocsAst; name: Id; ty: TypeAst | undefined }> }
  | { kind: "tuple"; span: Span; types: TypeAst[] }
  | { kind: "enum"; span: Span; cases: Array<{ docs: DocsAst; name: Id }> }
  | { kind: "option"; span: Span; ty: TypeAst }
  | { kind: "result"; span: Span; ok: TypeAst | undefined; err: TypeAst | undefined }
  | { kind: "future"; span: Span; ty: TypeAst | undefined }
  | { kind: "stream"; span: Span; ty: TypeAst | undefined };

export function typeSpan(ty: TypeAst): Span {
  switch (ty.kind) {
    case "name":
      return ty.id.span;
    case "handle":
      return ty.resource.span;
    default:
      return ty.span;
  }
}
