import { decodeError } from "../errors.js";
import type { InterfaceId, PackageId, Stability, TypeId, WitFunction, WorldId, WorldItem, WorldKey } from "../model.js";
import type { Resolve } from "../resolve/resolve.js";
import { stabilityJson } from "../resolve/json.js";
import { SemVer } from "../semver.js";

/**
 * The `package-docs` custom section: doc comments and `@since`/`@unstable` gates, which
 * the component binary format cannot express, as a version byte plus JSON. Keys are
 * emitted in wit-component's order and omitted when empty, so the bytes match upstream.
 */
export const PACKAGE_DOCS = "package-docs";

type Json = Record<string, unknown>;

function put(obj: Json, key: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value === "object" && value !== null && Object.keys(value).length === 0) return;
  obj[key] = value;
}

function stab(s: Stability): unknown {
  return stabilityJson(s);
}

function typeMeta(resolve: Resolve, id: TypeId): Json {
  const ty = resolve.type(id);
  const out: Json = {};
  put(out, "docs", ty.docs);
  put(out, "stability", stab(ty.stability));
  const items: Json = {};
  const k = ty.kind;
  const list = k.tag === "record" ? k.fields : k.tag === "flags" ? k.flags : k.tag === "variant" || k.tag === "enum" ? k.cases : [];
  for (const item of list) if (item.docs !== undefined) items[item.name] = item.docs;
  put(out, "items", items);
  return out;
}

function funcMeta(func: WitFunction): Json {
  const out: Json = {};
  put(out, "docs", func.docs);
  put(out, "stability", stab(func.stability));
  return out;
}

function interfaceMeta(resolve: Resolve, id: InterfaceId): Json {
  const iface = resolve.iface(id);
  const out: Json = {};
  put(out, "docs", iface.docs);
  put(out, "stability", stab(iface.stability));
  const funcs: Json = {};
  for (const [name, f] of iface.functions) {
    const m = funcMeta(f);
    if (Object.keys(m).length > 0) funcs[name] = m;
  }
  put(out, "funcs", funcs);
  const types: Json = {};
  for (const [name, t] of iface.types) {
    const m = typeMeta(resolve, t);
    if (Object.keys(m).length > 0) types[name] = m;
  }
  put(out, "types", types);
  return out;
}

function worldMeta(resolve: Resolve, id: WorldId): Json {
  const world = resolve.world(id);
  const ifaces: Json = {};
  const types: Json = {};
  const funcs: Json = {};
  const ifaceExports: Json = {};
  const funcExports: Json = {};
  const importStability: Json = {};
  const exportStability: Json = {};
  const importDocs: Json = {};
  const exportDocs: Json = {};
  const record = (key: WorldKey, item: Extract<WorldItem, { tag: "interface" }>, isImport: boolean) => {
    const name = resolve.nameWorldKey(key);
    if (item.stability.kind !== "unknown") (isImport ? importStability : exportStability)[name] = stab(item.stability);
    if (item.docs !== undefined) (isImport ? importDocs : exportDocs)[name] = item.docs;
  };
  const walk = (items: Map<WorldKey, WorldItem>, isImport: boolean) => {
    for (const [key, item] of items) {
      if (typeof key !== "string") {
        if (item.tag === "interface") record(key, item, isImport);
        continue;
      }
      switch (item.tag) {
        case "interface": {
          if (resolve.iface(item.id).name !== undefined) {
            record(key, item, isImport);
            break;
          }
          const m = interfaceMeta(resolve, item.id);
          if (Object.keys(m).length > 0) (isImport ? ifaces : ifaceExports)[key] = m;
          break;
        }
        case "type": {
          const m = typeMeta(resolve, item.id);
          if (Object.keys(m).length > 0) types[key] = m;
          break;
        }
        case "function": {
          const m = funcMeta(item.func);
          if (Object.keys(m).length > 0) (isImport ? funcs : funcExports)[key] = m;
          break;
        }
      }
    }
  };
  walk(world.imports, true);
  walk(world.exports, false);
  const out: Json = {};
  put(out, "docs", world.docs);
  put(out, "stability", stab(world.stability));
  put(out, "interfaces", ifaces);
  put(out, "types", types);
  put(out, "funcs", funcs);
  put(out, "interface_exports", ifaceExports);
  put(out, "func_exports", funcExports);
  put(out, "interface_import_stability", importStability);
  put(out, "interface_export_stability", exportStability);
  put(out, "interface_import_docs", importDocs);
  put(out, "interface_export_docs", exportDocs);
  return out;
}

/** The section payload for `pkg`: version byte `1` then compact JSON. */
export function encodePackageDocs(resolve: Resolve, pkg: PackageId): Uint8Array {
  const p = resolve.pkg(pkg);
  const out: Json = {};
  put(out, "docs", p.docs);
  const worlds: Json = {};
  for (const [name, id] of p.worlds) {
    const m = worldMeta(resolve, id);
    if (Object.keys(m).length > 0) worlds[name] = m;
  }
  put(out, "worlds", worlds);
  const interfaces: Json = {};
  for (const [name, id] of p.interfaces) {
    const m = interfaceMeta(resolve, id);
    if (Object.keys(m).length > 0) interfaces[name] = m;
  }
  put(out, "interfaces", interfaces);
  const json = new TextEncoder().encode(JSON.stringify(out));
  const data = new Uint8Array(json.length + 1);
  data[0] = 1;
  data.set(json, 1);
  return data;
}

function parseStability(value: unknown): Stability {
  if (value === undefined || value === null) return { kind: "unknown" };
  if (typeof value !== "object") throw decodeError("invalid stability in package-docs");
  const v = value as Record<string, Record<string, unknown>>;
  const version = (s: unknown): SemVer => {
    const parsed = typeof s === "string" ? SemVer.tryParse(s) : "not a string";
    if (typeof parsed === "string") throw decodeError(`invalid version in package-docs stability: ${parsed}`);
    return parsed;
  };
  if (v.stable) {
    const dep = v.stable.deprecated;
    return { kind: "stable", since: version(v.stable.since), deprecated: dep === undefined ? undefined : version(dep) };
  }
  if (v.unstable) {
    const dep = v.unstable.deprecated;
    if (typeof v.unstable.feature !== "string") throw decodeError("invalid feature in package-docs stability");
    return { kind: "unstable", feature: v.unstable.feature, deprecated: dep === undefined ? undefined : version(dep) };
  }
  return { kind: "unknown" };
}

function obj(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/**
 * Docs or stability in the `package-docs` section for an item the package does not have:
 * an error (as wit-parser's `PackageMetadata::inject`), never a silent skip.
 */
function missing(what: string, name: string): never {
  throw decodeError(`invalid \`${PACKAGE_DOCS}\` custom section: missing ${what} ${JSON.stringify(name)}`);
}

function injectType(resolve: Resolve, id: TypeId, data: Record<string, unknown>): void {
  const ty = resolve.type(id);
  const items = obj(data.items);
  const k = ty.kind;
  const names = Object.keys(items);
  if (names.length > 0) {
    const list =
      k.tag === "record" ? k.fields : k.tag === "flags" ? k.flags : k.tag === "variant" || k.tag === "enum" ? k.cases : undefined;
    if (list === undefined) throw decodeError(`invalid \`${PACKAGE_DOCS}\` custom section: 'items' for ${k.tag} type \`${ty.name}\``);
    const known = new Set(list.map((item) => item.name));
    for (const name of names) if (!known.has(name)) missing(`item of type \`${ty.name}\``, name);
    for (const item of list) {
      const d = str(items[item.name]);
      if (d !== undefined) item.docs = d;
    }
  }
  const docs = str(data.docs);
  if (docs !== undefined) ty.docs = docs;
  ty.stability = parseStability(data.stability);
}

function injectFunc(func: WitFunction, data: unknown): void {
  if (typeof data === "string" || data === null) {
    func.docs = data ?? undefined;
    return;
  }
  const d = obj(data);
  func.docs = str(d.docs);
  func.stability = parseStability(d.stability);
}

function injectInterface(resolve: Resolve, id: InterfaceId, data: Record<string, unknown>): void {
  const iface = resolve.iface(id);
  for (const [name, t] of Object.entries(obj(data.types))) {
    const tid = iface.types.get(name);
    if (tid === undefined) missing("type", name);
    injectType(resolve, tid, obj(t));
  }
  for (const [name, f] of Object.entries(obj(data.funcs))) {
    const func = iface.functions.get(name);
    if (func === undefined) missing("func", name);
    injectFunc(func, f);
  }
  const docs = str(data.docs);
  if (docs !== undefined) iface.docs = docs;
  iface.stability = parseStability(data.stability);
}

function injectWorld(resolve: Resolve, id: WorldId, data: Record<string, unknown>): void {
  const world = resolve.world(id);
  const named = (entries: Record<string, unknown>, onlyExport: boolean) => {
    for (const [name, d] of Object.entries(entries)) {
      const item = onlyExport ? world.exports.get(name) : (world.imports.get(name) ?? world.exports.get(name));
      if (item?.tag !== "interface") missing("interface", name);
      const m = obj(d);
      item.stability = parseStability(m.stability);
      injectInterface(resolve, item.id, m);
    }
  };
  named(obj(data.interfaces), false);
  named(obj(data.interface_exports), true);
  for (const [name, d] of Object.entries(obj(data.types))) {
    const item = world.imports.get(name);
    if (item?.tag !== "type") missing("type", name);
    injectType(resolve, item.id, obj(d));
  }
  const byName = (items: Map<WorldKey, WorldItem>) => {
    const map = new Map<string, Extract<WorldItem, { tag: "interface" }>>();
    for (const [key, item] of items) if (item.tag === "interface") map.set(resolve.nameWorldKey(key), item);
    return map;
  };
  const importsByName = byName(world.imports);
  const exportsByName = byName(world.exports);
  const byKey = (map: Map<string, Extract<WorldItem, { tag: "interface" }>>, name: string) => map.get(name) ?? missing("interface", name);
  for (const [name, s] of Object.entries(obj(data.interface_import_stability))) {
    byKey(importsByName, name).stability = parseStability(s);
  }
  for (const [name, s] of Object.entries(obj(data.interface_export_stability))) {
    byKey(exportsByName, name).stability = parseStability(s);
  }
  for (const [name, d] of Object.entries(obj(data.interface_import_docs))) {
    const item = byKey(importsByName, name);
    if (typeof d === "string") item.docs = d;
  }
  for (const [name, d] of Object.entries(obj(data.interface_export_docs))) {
    const item = byKey(exportsByName, name);
    if (typeof d === "string") item.docs = d;
  }
  const funcs = (entries: Record<string, unknown>, onlyExport: boolean) => {
    for (const [name, d] of Object.entries(entries)) {
      const item = onlyExport ? world.exports.get(name) : (world.imports.get(name) ?? world.exports.get(name));
      if (item?.tag !== "function") missing("func", name);
      injectFunc(item.func, d);
    }
  };
  funcs(obj(data.funcs), false);
  funcs(obj(data.func_exports), true);
  const docs = str(data.docs);
  if (docs !== undefined) world.docs = docs;
  world.stability = parseStability(data.stability);
}

/** Applies a `package-docs` payload to a decoded package (docs and stability are not in the types). */
export function injectPackageDocs(resolve: Resolve, pkg: PackageId, data: Uint8Array): void {
  const version = data[0];
  if (version !== 0 && version !== 1) {
    throw decodeError(`expected package-docs version 1, got ${version === undefined ? "None" : `Some(${version})`}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(data.subarray(1)));
  } catch (error) {
    throw decodeError(`invalid package-docs JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const meta = obj(parsed);
  let target = pkg;
  const named = str(meta.package);
  if (named !== undefined) target = resolve.packageNames.get(named) ?? pkg;
  const p = resolve.pkg(target);
  for (const [name, w] of Object.entries(obj(meta.worlds))) {
    const id = p.worlds.get(name);
    if (id === undefined) missing("world", name);
    injectWorld(resolve, id, obj(w));
  }
  for (const [name, i] of Object.entries(obj(meta.interfaces))) {
    const id = p.interfaces.get(name);
    if (id === undefined) missing("interface", name);
    injectInterface(resolve, id, obj(i));
  }
  const docs = str(meta.docs);
  if (docs !== undefined) p.docs = docs;
}
