import type { PackageName } from "../model.js";
import { SemVer } from "../semver.js";
import { idProblem } from "../text/lexer.js";

/** The kinds of component extern names the WIT decoder distinguishes. */
export type ComponentName =
  | { kind: "label"; name: string }
  | { kind: "interface"; pkg: PackageName; iface: string }
  | { kind: "constructor"; resource: string }
  | { kind: "method" | "static"; resource: string; name: string }
  | { kind: "other"; name: string };

const INTERFACE = /^([^:/@]+):([^:/@]+)\/([^:/@]+)(?:@(.+))?$/;

function isKebab(name: string): boolean {
  return idProblem(name) === undefined;
}

/** Parses an import/export name as the component model defines them (enough for WIT). */
export function parseComponentName(name: string): ComponentName {
  const m = INTERFACE.exec(name);
  if (m) {
    const [, ns, pkg, iface, ver] = m as unknown as [string, string, string, string, string | undefined];
    let version: SemVer | undefined;
    if (ver !== undefined) {
      const v = SemVer.tryParse(ver);
      if (typeof v === "string") return { kind: "other", name };
      version = v;
    }
    if (isKebab(ns) && isKebab(pkg) && isKebab(iface)) {
      return { kind: "interface", pkg: { namespace: ns, name: pkg, version }, iface };
    }
    return { kind: "other", name };
  }
  if (name.startsWith("[constructor]")) return { kind: "constructor", resource: name.slice(13) };
  for (const kind of ["method", "static"] as const) {
    const prefix = `[${kind}]`;
    if (name.startsWith(prefix)) {
      const rest = name.slice(prefix.length);
      const dot = rest.indexOf(".");
      if (dot > 0) return { kind, resource: rest.slice(0, dot), name: rest.slice(dot + 1) };
    }
  }
  if (isKebab(name)) return { kind: "label", name };
  return { kind: "other", name };
}
