import { resolveError } from "../errors.js";
import type { WorldId, WorldItem, WorldKey } from "../model.js";
import { Cloner } from "./elaborate.js";
import type { Resolve } from "./resolve.js";

/**
 * Adds the imports and exports of world `from` to world `into` (wit-parser's `merge_worlds`):
 * items `into` lacks are added, deep-copied where a world owns them (its types, functions'
 * types, anonymous interfaces) so the copies belong to `into`. An item both worlds have must be
 * the same interface; two definitions of one name (which wit-parser compares structurally) are
 * an error here rather than a guess.
 */
export function mergeWorlds(resolve: Resolve, from: WorldId, into: WorldId): void {
  const source = resolve.world(from);
  const target = resolve.world(into);
  const added = (items: Map<WorldKey, WorldItem>, existing: Map<WorldKey, WorldItem>, desc: string) =>
    [...items].filter(([key, item]) => {
      const other = existing.get(key);
      if (other === undefined) return true;
      if (other.tag === "interface" && item.tag === "interface" && other.id === item.id) return false;
      throw resolveError(
        `failed to merge world ${desc} \`${resolve.nameWorldKey(key)}\`: both worlds define it, and merging two definitions is not supported`,
      );
    });
  const imports = added(source.imports, target.imports, "import");
  const exports = added(source.exports, target.exports, "export");
  const cloner = new Cloner(resolve, { kind: "world", id: from }, { kind: "world", id: into });
  const cloned = (items: Array<[WorldKey, WorldItem]>) => items.map(([key, item]) => [key, cloner.worldItem(key, item)] as const);
  for (const [key, item] of cloned(imports)) target.imports.set(key, item);
  for (const [key, item] of cloned(exports)) target.exports.set(key, item);
}
