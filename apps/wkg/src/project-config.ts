import { WkgError, locateKey } from "@wasm-pkg/common";
import { findNearestManifest, findWorkspace } from "@wasm-pkg/lockfile";
import { readFile } from "node:fs/promises";

/**
 * The `wkg.toml` whose registry tables are layered over the user's config: the workspace
 * root's when `cwd` is in a workspace (members share one lock, so they must resolve every
 * package alike), else the nearest one at or above `cwd`. Undefined when it sets none.
 */
export async function projectConfigFile(cwd: string): Promise<string | undefined> {
  const nearest = await findNearestManifest(cwd);
  if (!nearest?.path) return undefined;
  const workspace = await findWorkspace(cwd);
  const root = workspace?.root;
  if (root?.path && root.path !== nearest.path) {
    if (nearest.manifest.registries) await refuseMemberRegistries(nearest.path, root.path, nearest.manifest.registries);
    return root.manifest.registries ? root.path : undefined;
  }
  return nearest.manifest.registries ? nearest.path : undefined;
}

async function refuseMemberRegistries(member: string, root: string, tables: Record<string, unknown>): Promise<never> {
  const key = Object.keys(tables)[0] as string;
  const line = locateKey(await readFile(member, "utf8"), [key]);
  throw new WkgError(
    "INVALID_CONFIG",
    `invalid config: ${member}${line ? `:${line}` : ""}: ${key}: a workspace member cannot name registries of its own`,
    {
      hint: `move it to the workspace root's ${root}: the members share one wkg.lock, so they resolve every package alike`,
      details: { file: member, ...(line ? { line } : {}), key },
    },
  );
}
