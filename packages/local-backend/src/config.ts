import { isAbsolute, resolve } from "node:path";
import { WkgError } from "@wasm-pkg/common";

export interface LocalConfig {
  /** Absolute path of the registry directory. */
  root: string;
}

/**
 * Validate `[registry."<name>".local]`: `root` is required; a relative root is resolved against
 * `cwd`, which the client sets to the directory of the config file that declared it.
 */
export function parseLocalConfig(value: unknown, cwd: string, registry = "the registry"): LocalConfig {
  const where = `[registry.${JSON.stringify(registry)}.local]`;
  if (value === undefined || value === null) {
    throw new WkgError(
      "INVALID_CONFIG",
      `invalid config: 'local' backend for registry ${JSON.stringify(registry)} requires configuration`,
      {
        hint: `add ${where} with root = "<directory>" to your config file`,
      },
    );
  }
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new WkgError("INVALID_CONFIG", `invalid config: ${where} must be a table`, { hint: `write ${where} root = "<directory>"` });
  }
  const root = (value as Record<string, unknown>).root;
  if (typeof root !== "string" || root.trim() === "") {
    throw new WkgError("INVALID_CONFIG", `invalid config: ${where} root must be a non-empty string (the registry directory)`, {
      hint: `write ${where} root = "<directory>"; a relative path is relative to the config file`,
    });
  }
  return { root: isAbsolute(root) ? root : resolve(cwd, root) };
}
