import type { PackageNameAst } from "./ast.js";
import type { WitSource } from "./group.js";
import { parsePackageFile } from "./parser.js";
import { SourceMap } from "./source-map.js";
import { astPackageName, forEachPath } from "./unresolved.js";
import { packageNameString } from "../model.js";
import { publicCall, syntaxError } from "../errors.js";

/**
 * One place where a package's WIT names another package: a `use`, an `import`/`export` of a
 * foreign interface, or an `include` of a foreign world.
 */
export interface WitReference {
  /** The package whose source holds the reference, `ns:name[@version]` (a nested package's own name). */
  from: string;
  /** The package referred to, `ns:name`, and the version written, if any. */
  to: { name: string; version?: string };
  /** The interface or world named in that package. */
  item: string;
  file: string;
  /** 1-based line and column of the package name in the reference. */
  line: number;
  column: number;
  /** The source line, trimmed. */
  text: string;
}

/**
 * Every reference to another package in a package's WIT files, each
 * with its location (in file and line order) — what `wkg why` shows as the lines that bring a dependency in. References
 * between the packages defined in these files (nested `package a:b { ... }` blocks) are kept:
 * they are edges of the dependency graph too.
 */
export function witReferences(sources: readonly WitSource[]): WitReference[] {
  const map = new SourceMap();
  const pushed = sources.map((s) => map.push(s.path, s.contents));
  return publicCall("WIT_SYNTAX", () =>
    map.run(() => {
      const files = pushed.map((src) => ({ src, file: parsePackageFile(src.contents, src.offset) }));
      const header = files.find((f) => f.file.packageId)?.file.packageId;
      if (!header) throw syntaxError("no `package` header was found in any WIT file for this package");
      const out: WitReference[] = [];
      const collect = (owner: PackageNameAst, items: Parameters<typeof forEachPath>[0], lines: string[]) => {
        forEachPath(items, (_owner, _attrs, path) => {
          if (path.kind !== "package") return;
          const location = map.location(path.pkg.span);
          if (!location) return;
          const target = astPackageName(path.pkg);
          out.push({
            from: packageNameString(astPackageName(owner)),
            to: {
              name: `${target.namespace}:${target.name}`,
              ...(target.version ? { version: target.version.toString() } : {}),
            },
            item: path.name.name,
            file: location.file,
            line: location.line,
            column: location.column,
            text: (lines[location.line - 1] ?? "").trim(),
          });
        });
      };
      for (const { src, file } of files) {
        const lines = src.contents.split("\n");
        collect(header, file.items, lines);
        for (const item of file.items) {
          if (item.kind === "package" && item.file.packageId) collect(item.file.packageId, item.file.items, lines);
        }
      }
      // forEachPath visits a world's imports before its exports; show them as the file reads.
      return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
    }),
  );
}
