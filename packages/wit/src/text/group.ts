import type { PackageFile } from "./ast.js";
import { parsePackageFile } from "./parser.js";
import { SourceMap } from "./source-map.js";
import { AstResolver, type UnresolvedPackage } from "./unresolved.js";

/**
 * The packages parsed from one set of WIT files: the main package (the union of the
 * files' top-level items) and any nested `package a:b { ... }` blocks.
 */
export interface UnresolvedPackageGroup {
  main: UnresolvedPackage;
  nested: UnresolvedPackage[];
  sourceMap: SourceMap;
}

export interface WitSource {
  /** Shown in error messages; not read. */
  path: string;
  contents: string;
}

/**
 * Parses WIT files that together form one package (a directory's `*.wit` files, or a
 * single file). Files are processed in path order, as wit-parser does.
 */
export function parseGroup(sources: readonly WitSource[]): UnresolvedPackageGroup {
  const map = new SourceMap();
  const pushed = sources.map((s) => map.push(s.path, s.contents));
  const nested: UnresolvedPackage[] = [];
  const main = map.run(() => {
    const resolver = new AstResolver();
    const sorted = [...pushed].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    for (const src of sorted) {
      const file = parsePackageFile(src.contents, src.offset);
      const items: PackageFile["items"] = [];
      for (const item of file.items) {
        if (item.kind === "package") {
          const inner = new AstResolver();
          inner.push(item.file);
          nested.push(inner.resolve());
        } else {
          items.push(item);
        }
      }
      resolver.push({ packageId: file.packageId, items });
    }
    return resolver.resolve();
  });
  return { main, nested, sourceMap: map };
}
