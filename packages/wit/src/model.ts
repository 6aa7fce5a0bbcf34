import type { SemVer } from "./semver.js";

/**
 * The resolved WIT model, shaped like wit-parser's `Resolve`: flat arenas of types,
 * interfaces, worlds and packages addressed by numeric ids, with insertion-ordered maps
 * (JS `Map` keeps insertion order, like `IndexMap`). Printing, encoding and the
 * `expected.json` fixtures all depend on these orders, so code that builds the model
 * keeps wit-parser's order of insertion.
 */

export type PrimitiveType =
  | "bool"
  | "u8"
  | "u16"
  | "u32"
  | "u64"
  | "s8"
  | "s16"
  | "s32"
  | "s64"
  | "f32"
  | "f64"
  | "char"
  | "string"
  | "error-context";

/** A value type: a primitive by name, or a number that indexes `Resolve.types`. */
export type Type = PrimitiveType | number;

export type TypeId = number;
export type InterfaceId = number;
export type WorldId = number;
export type PackageId = number;

export type Stability =
  | { readonly kind: "unknown" }
  | { readonly kind: "stable"; readonly since: SemVer; readonly deprecated?: SemVer | undefined }
  | { readonly kind: "unstable"; readonly feature: string; readonly deprecated?: SemVer | undefined };

export const UNKNOWN_STABILITY: Stability = { kind: "unknown" };

export function stabilityEquals(a: Stability, b: Stability): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "unknown") return true;
  const da = a.deprecated?.toString();
  const db = (b as typeof a).deprecated?.toString();
  if (da !== db) return false;
  if (a.kind === "stable") return a.since.equals((b as typeof a).since);
  return a.feature === (b as typeof a).feature;
}

export interface Field {
  name: string;
  ty: Type;
  docs: string | undefined;
}

export interface Flag {
  name: string;
  docs: string | undefined;
}

export interface Case {
  name: string;
  ty: Type | undefined;
  docs: string | undefined;
}

export interface EnumCase {
  name: string;
  docs: string | undefined;
}

export type TypeDefKind =
  | { tag: "record"; fields: Field[] }
  | { tag: "resource" }
  | { tag: "handle"; handle: "own" | "borrow"; resource: TypeId }
  | { tag: "flags"; flags: Flag[] }
  | { tag: "tuple"; types: Type[] }
  | { tag: "variant"; cases: Case[] }
  | { tag: "enum"; cases: EnumCase[] }
  | { tag: "option"; ty: Type }
  | { tag: "result"; ok: Type | undefined; err: Type | undefined }
  | { tag: "list"; ty: Type }
  | { tag: "map"; key: Type; value: Type }
  | { tag: "fixed-size-list"; ty: Type; size: number }
  | { tag: "future"; ty: Type | undefined }
  | { tag: "stream"; ty: Type | undefined }
  | { tag: "type"; ty: Type }
  | { tag: "unknown" };

export type TypeOwner = { kind: "interface"; id: InterfaceId } | { kind: "world"; id: WorldId } | { kind: "none" };

export const NO_OWNER: TypeOwner = { kind: "none" };

export function ownerEquals(a: TypeOwner, b: TypeOwner): boolean {
  if (a.kind === "none" || b.kind === "none") return a.kind === b.kind;
  return a.kind === b.kind && a.id === b.id;
}

export interface TypeDef {
  name: string | undefined;
  kind: TypeDefKind;
  owner: TypeOwner;
  docs: string | undefined;
  stability: Stability;
  /** `@external-id("…")`: the component-model `external-id` of the type's import/export name. */
  externalId?: string | undefined;
}

export type FunctionKind =
  | { tag: "freestanding" }
  | { tag: "async-freestanding" }
  | { tag: "method"; resource: TypeId }
  | { tag: "async-method"; resource: TypeId }
  | { tag: "static"; resource: TypeId }
  | { tag: "async-static"; resource: TypeId }
  | { tag: "constructor"; resource: TypeId };

export function functionResource(kind: FunctionKind): TypeId | undefined {
  return "resource" in kind ? kind.resource : undefined;
}

export function isAsync(kind: FunctionKind): boolean {
  return kind.tag === "async-freestanding" || kind.tag === "async-method" || kind.tag === "async-static";
}

export interface WitFunction {
  name: string;
  kind: FunctionKind;
  params: Array<[string, Type]>;
  result: Type | undefined;
  docs: string | undefined;
  stability: Stability;
  /** `@external-id("…")`, as on {@link TypeDef}. */
  externalId?: string | undefined;
}

/** The name a function has inside its resource or interface (`[method]r.f` → `f`). */
export function functionItemName(func: WitFunction): string {
  switch (func.kind.tag) {
    case "freestanding":
    case "async-freestanding":
      return func.name;
    case "constructor":
      return "constructor";
    default: {
      const dot = func.name.indexOf(".");
      return dot === -1 ? func.name : func.name.slice(dot + 1);
    }
  }
}

export interface Interface {
  name: string | undefined;
  types: Map<string, TypeId>;
  functions: Map<string, WitFunction>;
  docs: string | undefined;
  stability: Stability;
  package: PackageId | undefined;
}

/** A world import/export key: a plain name (string) or an interface id (number). */
export type WorldKey = string | InterfaceId;

export type WorldItem =
  | {
      tag: "interface";
      id: InterfaceId;
      stability: Stability;
      docs?: string | undefined;
      /** `@external-id("…")` on the `import`/`export` statement. */
      externalId?: string | undefined;
    }
  | { tag: "function"; func: WitFunction }
  | { tag: "type"; id: TypeId };

export interface IncludeName {
  name: string;
  as: string;
}

export interface World {
  name: string;
  imports: Map<WorldKey, WorldItem>;
  exports: Map<WorldKey, WorldItem>;
  package: PackageId | undefined;
  docs: string | undefined;
  stability: Stability;
  /** Pending `include`s; empty once resolved. */
  includes: Array<{ stability: Stability; world: WorldId }>;
  includeNames: IncludeName[][];
}

export interface PackageName {
  namespace: string;
  name: string;
  version: SemVer | undefined;
}

export function packageNameString(name: PackageName): string {
  return name.version ? `${name.namespace}:${name.name}@${name.version}` : `${name.namespace}:${name.name}`;
}

/** `ns:pkg/iface[@ver]`, the id an interface is imported or exported under. */
export function interfaceIdString(name: PackageName, iface: string): string {
  return name.version ? `${name.namespace}:${name.name}/${iface}@${name.version}` : `${name.namespace}:${name.name}/${iface}`;
}

export interface Package {
  name: PackageName;
  docs: string | undefined;
  interfaces: Map<string, InterfaceId>;
  worlds: Map<string, WorldId>;
}

export function itemStability(item: WorldItem, types: readonly TypeDef[]): Stability {
  switch (item.tag) {
    case "interface":
      return item.stability;
    case "function":
      return item.func.stability;
    case "type":
      return (types[item.id] as TypeDef).stability;
  }
}

export function cloneKind(kind: TypeDefKind): TypeDefKind {
  switch (kind.tag) {
    case "record":
      return { tag: "record", fields: kind.fields.map((f) => ({ ...f })) };
    case "flags":
      return { tag: "flags", flags: kind.flags.map((f) => ({ ...f })) };
    case "tuple":
      return { tag: "tuple", types: [...kind.types] };
    case "variant":
      return { tag: "variant", cases: kind.cases.map((c) => ({ ...c })) };
    case "enum":
      return { tag: "enum", cases: kind.cases.map((c) => ({ ...c })) };
    default:
      return { ...kind };
  }
}

export function cloneFunction(func: WitFunction): WitFunction {
  return {
    name: func.name,
    kind: { ...func.kind },
    params: func.params.map(([n, t]) => [n, t]),
    result: func.result,
    docs: func.docs,
    stability: func.stability,
    ...externalIdField(func.externalId),
  };
}

/** `{ externalId }` when there is one, `{}` otherwise (so items without one stay as they were). */
export function externalIdField(id: string | undefined): { externalId?: string } {
  return id === undefined ? {} : { externalId: id };
}

/** The `external-id` of a world item (wit-parser's `external_id_value`). */
export function itemExternalId(item: WorldItem, types: readonly TypeDef[]): string | undefined {
  switch (item.tag) {
    case "interface":
      return item.externalId;
    case "function":
      return item.func.externalId;
    case "type":
      return (types[item.id] as TypeDef).externalId;
  }
}

/** Calls `f` on every type a function mentions (params, result), in order. */
export function functionTypes(func: WitFunction): Type[] {
  const out = func.params.map(([, t]) => t);
  if (func.result !== undefined) out.push(func.result);
  return out;
}
