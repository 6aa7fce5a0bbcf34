import { chmod } from "node:fs/promises";
import { writeFileAtomic } from "@wasm-pkg/common";
import { hasCredentials } from "./load.js";
import { parseConfig } from "./parse.js";

/**
 * Write config text atomically after checking it parses (a broken edit never lands).
 * A file that holds credentials is made private (0600), new or not.
 */
export async function writeConfigFile(path: string, text: string): Promise<void> {
  const { config } = parseConfig(text, path);
  const secret = hasCredentials(config);
  await writeFileAtomic(path, text, secret ? { mode: 0o600 } : {});
  if (secret && process.platform !== "win32") await chmod(path, 0o600);
}
