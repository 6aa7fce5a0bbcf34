import { TomlError, parse as parseToml } from "smol-toml";
import { WkgError, type WkgErrorCode } from "./errors.js";

/**
 * Best-effort line lookup for a dotted key in TOML source, so validation errors can name
 * `file:line` even though the TOML parser returns plain values. Handles table headers
 * (`[a."b.c".d]`), dotted keys and quoted keys; falls back to the nearest enclosing table.
 */
export function locateKey(source: string, path: string[]): number | undefined {
  const lines = source.split(/\r?\n/);
  let table: string[] = [];
  let best: { line: number; depth: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === "" || line.startsWith("#")) continue;
    const header = /^\[\[?(.+?)\]\]?\s*(#.*)?$/.exec(line);
    if (header) {
      table = splitKey(header[1] as string);
      const depth = prefixDepth(table, path);
      if (depth === table.length && depth > (best?.depth ?? -1)) best = { line: i + 1, depth };
      continue;
    }
    const assignment = /^((?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_.\-\s"']+?))\s*=/.exec(line);
    if (!assignment) continue;
    const full = [...table, ...splitKey(assignment[1] as string)];
    const depth = prefixDepth(full, path);
    if (depth === Math.min(full.length, path.length) && depth > (best?.depth ?? -1)) best = { line: i + 1, depth };
  }
  return best?.line;
}

function prefixDepth(a: string[], b: string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/** Split a TOML key (`a."b.c".d`) into its parts. */
export function splitKey(key: string): string[] {
  const parts: string[] = [];
  let i = 0;
  const s = key.trim();
  while (i < s.length) {
    while (s[i] === " " || s[i] === "\t") i++;
    if (s[i] === '"' || s[i] === "'") {
      const quote = s[i];
      let j = i + 1;
      let value = "";
      while (j < s.length && s[j] !== quote) {
        if (quote === '"' && s[j] === "\\" && j + 1 < s.length) {
          value += s[j + 1];
          j += 2;
          continue;
        }
        value += s[j];
        j++;
      }
      parts.push(value);
      i = j + 1;
    } else {
      let j = i;
      while (j < s.length && s[j] !== ".") j++;
      parts.push(s.slice(i, j).trim());
      i = j;
    }
    while (s[i] === " " || s[i] === "\t") i++;
    if (s[i] === ".") i++;
  }
  return parts;
}

/** A TOML key path written for humans: `registry."localhost:5000".oci`. */
export function formatKey(path: string[]): string {
  return path.map((part) => (/^[A-Za-z0-9_-]+$/.test(part) ? part : JSON.stringify(part))).join(".");
}

/** A TOML basic string, escaped as the spec requires (control characters, quote, backslash). */
export function tomlString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, "0").toUpperCase()}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * Parse a TOML document, turning syntax errors into `<what>: <file>:<line>:<col>: <reason>`
 * with the given error code, so every file wkg reads reports them the same way.
 */
export function parseTomlDocument(text: string, file: string, code: WkgErrorCode, what: string): Record<string, unknown> {
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      const reason = error.message.split("\n")[0]?.replace(/^Invalid TOML document: /, "") ?? "malformed TOML";
      throw new WkgError(code, `${what}: ${file}:${error.line}:${error.column}: ${reason}`, { cause: error });
    }
    throw error;
  }
}
