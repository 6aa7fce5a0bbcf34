import { resolveError, type Span } from "../errors.js";
import { type PackageId, type PackageName, packageNameString } from "../model.js";
import { SemVer } from "../semver.js";
import type { UnresolvedPackageGroup } from "../text/group.js";
import type { SourceMap } from "../text/source-map.js";
import type { UnresolvedPackage } from "../text/unresolved.js";
import { Remap } from "./remap.js";
import type { Resolve } from "./resolve.js";

/** `PackageName`'s derived `Ord` in wit-parser: namespace, name, then version (none first). */
export function comparePackageNames(a: PackageName, b: PackageName): number {
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  if (a.version === undefined || b.version === undefined) {
    return a.version === b.version ? 0 : a.version === undefined ? -1 : 1;
  }
  return SemVer.compare(a.version, b.version);
}

/**
 * Adds a main package group and its dependency groups to `resolve` in dependency order
 * (wit-parser's `sort_unresolved_packages`): duplicates and cycles are errors, and every
 * package is resolved against the ones before it. Returns the main package's id.
 */
export function pushGroups(resolve: Resolve, main: UnresolvedPackageGroup, deps: UnresolvedPackageGroup[]): PackageId {
  const details = new Map<string, { pkg: UnresolvedPackage; map: SourceMap }>();
  const mainName = packageNameString(main.main.name);
  for (const group of [main, ...deps]) {
    for (const pkg of [...group.nested, group.main]) {
      const key = packageNameString(pkg.name);
      const prev = details.get(key);
      if (prev) {
        const loc1 = group.sourceMap.renderLocation(pkg.packageNameSpan);
        const loc2 = prev.map.renderLocation(prev.pkg.packageNameSpan);
        throw resolveError(`package \`${key}\` is defined in two different locations:\n  * ${loc1}\n  * ${loc2}`);
      }
      details.set(key, { pkg, map: group.sourceMap });
    }
  }
  const sorted = [...details.values()].sort((a, b) => comparePackageNames(a.pkg.name, b.pkg.name));
  const order: string[] = [];
  const ordered = new Set<string>();
  const visiting = new Set<string>();
  const visit = (pkg: UnresolvedPackage, map: SourceMap) => {
    const name = packageNameString(pkg.name);
    if (ordered.has(name)) return;
    map.run(() => {
      let i = 0;
      for (const dep of pkg.foreignDeps.keys()) {
        const span = pkg.foreignDepSpans[i] as Span;
        i++;
        if (visiting.has(dep)) throw resolveError(`package \`${dep}\` creates a dependency cycle`, span);
        visiting.add(dep);
        const next = details.get(dep);
        if (next) visit(next.pkg, next.map);
        visiting.delete(dep);
      }
    });
    ordered.add(name);
    order.push(name);
  };
  for (const { pkg, map } of sorted) visit(pkg, map);

  let mainId: PackageId | undefined;
  for (const name of order) {
    const { pkg, map } = details.get(name) as { pkg: UnresolvedPackage; map: SourceMap };
    const id = map.run(() => new Remap().append(resolve, pkg));
    if (name === mainName) mainId = id;
  }
  return mainId as PackageId;
}
