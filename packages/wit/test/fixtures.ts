import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { WitDepEntry, WitDirSource, WitSource } from "../src/index.js";

export const FIXTURES = join(import.meta.dirname, "fixtures");
export const WIT_FIXTURES = join(FIXTURES, "wit");

export interface CaseJson {
  name: string;
  kind: "encode" | "parse" | "parse-fail";
  input: string;
  inputKind: "file" | "directory";
  packageName?: string;
  displayPath?: string;
  enabledFeatures: string[];
}

export function cases(kind: CaseJson["kind"]): Array<{ dir: string; json: CaseJson }> {
  const root = join(WIT_FIXTURES, kind);
  return readdirSync(root)
    .sort()
    .map((name) => ({ dir: join(root, name), json: JSON.parse(readFileSync(join(root, name, "case.json"), "utf8")) as CaseJson }));
}

function witFiles(dir: string, display: string): WitSource[] {
  return readdirSync(dir)
    .sort()
    .filter((n) => n.endsWith(".wit") && !statSync(join(dir, n)).isDirectory())
    .map((n) => ({ path: `${display}/${n}`, contents: readFileSync(join(dir, n), "utf8") }));
}

/** Loads a directory input into memory with the display path upstream's harness used. */
export function loadDir(dir: string, display: string): WitDirSource {
  const deps: WitDepEntry[] = [];
  const depsDir = join(dir, "deps");
  let names: string[] = [];
  try {
    names = readdirSync(depsDir).sort();
  } catch {}
  for (const name of names) {
    const p = join(depsDir, name);
    const shown = `${display}/deps/${name}`;
    if (statSync(p).isDirectory()) deps.push({ kind: "dir", path: shown, files: witFiles(p, shown) });
    else if (/\.(wit|wat|wasm)$/.test(name)) deps.push({ kind: "file", path: shown, bytes: new Uint8Array(readFileSync(p)) });
  }
  return { path: display, files: witFiles(dir, display), deps };
}
