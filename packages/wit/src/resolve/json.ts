import {
  type FunctionKind,
  packageNameString,
  type Stability,
  type Type,
  type TypeDefKind,
  type TypeOwner,
  type WitFunction,
  type WorldItem,
  type WorldKey,
} from "../model.js";
import type { Resolve } from "./resolve.js";

/**
 * The Resolve as JSON, in the shape wit-parser's serde derive produces (the `*.wit.json`
 * golden files): useful for tests and for tools that want the structure without the API.
 */
export function resolveToJson(resolve: Resolve): unknown {
  return {
    worlds: resolve.worlds.map((w) => ({
      name: w.name,
      imports: worldItems(w.imports),
      exports: worldItems(w.exports),
      package: w.package ?? null,
      ...docs(w.docs),
      ...stability(w.stability),
    })),
    interfaces: resolve.interfaces.map((i) => ({
      name: i.name ?? null,
      types: Object.fromEntries(i.types),
      functions: Object.fromEntries([...i.functions].map(([n, f]) => [n, func(f)])),
      ...docs(i.docs),
      ...stability(i.stability),
      package: i.package ?? null,
    })),
    types: resolve.types.map((t) => ({
      name: t.name ?? null,
      kind: kind(t.kind),
      owner: owner(t.owner),
      ...docs(t.docs),
      ...stability(t.stability),
      ...externalId(t.externalId),
    })),
    packages: resolve.packages.map((p) => ({
      name: packageNameString(p.name),
      ...docs(p.docs),
      interfaces: Object.fromEntries(p.interfaces),
      worlds: Object.fromEntries(p.worlds),
    })),
  };
}

function worldKey(key: WorldKey): string {
  return typeof key === "string" ? key : `interface-${key}`;
}

function worldItems(items: Map<WorldKey, WorldItem>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, item] of items) {
    switch (item.tag) {
      case "interface":
        out[worldKey(k)] = { interface: { id: item.id, ...stability(item.stability), ...externalId(item.externalId) } };
        break;
      case "function":
        out[worldKey(k)] = { function: func(item.func) };
        break;
      case "type":
        out[worldKey(k)] = { type: item.id };
        break;
    }
  }
  return out;
}

function docs(d: string | undefined): Record<string, unknown> {
  return d === undefined ? {} : { docs: { contents: d } };
}

export function stabilityJson(s: Stability): unknown {
  switch (s.kind) {
    case "unknown":
      return undefined;
    case "stable":
      return { stable: { since: s.since.toString(), ...(s.deprecated ? { deprecated: s.deprecated.toString() } : {}) } };
    case "unstable":
      return { unstable: { feature: s.feature, ...(s.deprecated ? { deprecated: s.deprecated.toString() } : {}) } };
  }
}

function stability(s: Stability): Record<string, unknown> {
  const json = stabilityJson(s);
  return json === undefined ? {} : { stability: json };
}

function ty(t: Type | undefined): unknown {
  return t === undefined ? null : t;
}

function funcKind(k: FunctionKind): unknown {
  switch (k.tag) {
    case "freestanding":
    case "async-freestanding":
      return k.tag;
    default:
      return { [k.tag]: k.resource };
  }
}

function func(f: WitFunction): unknown {
  return {
    name: f.name,
    kind: funcKind(f.kind),
    params: f.params.map(([name, t]) => ({ name, type: t })),
    ...(f.result === undefined ? {} : { result: f.result }),
    ...docs(f.docs),
    ...stability(f.stability),
    ...externalId(f.externalId),
  };
}

/** serde's `external_id`, left out when there is none. */
function externalId(id: string | undefined): Record<string, unknown> {
  return id === undefined ? {} : { external_id: id };
}

function kind(k: TypeDefKind): unknown {
  switch (k.tag) {
    case "record":
      return { record: { fields: k.fields.map((f) => ({ name: f.name, type: f.ty, ...docs(f.docs) })) } };
    case "resource":
      return "resource";
    case "handle":
      return { handle: { [k.handle]: k.resource } };
    case "flags":
      return { flags: { flags: k.flags.map((f) => ({ name: f.name, ...docs(f.docs) })) } };
    case "tuple":
      return { tuple: { types: k.types } };
    case "variant":
      return { variant: { cases: k.cases.map((c) => ({ name: c.name, type: ty(c.ty), ...docs(c.docs) })) } };
    case "enum":
      return { enum: { cases: k.cases.map((c) => ({ name: c.name, ...docs(c.docs) })) } };
    case "option":
      return { option: k.ty };
    case "result":
      return { result: { ok: ty(k.ok), err: ty(k.err) } };
    case "list":
      return { list: k.ty };
    case "map":
      return { map: [k.key, k.value] };
    case "fixed-size-list":
      return { "fixed-length-list": [k.ty, k.size] };
    case "future":
      return { future: ty(k.ty) };
    case "stream":
      return { stream: ty(k.ty) };
    case "type":
      return { type: k.ty };
    case "unknown":
      return "unknown";
  }
}

function owner(o: TypeOwner): unknown {
  return o.kind === "none" ? null : { [o.kind]: o.id };
}
