import { readdir } from "node:fs/promises";
import { join } from "node:path";

/** True when a path segment uses glob syntax (`*`, `?`, `[...]`). */
export function isGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

function segmentRegex(segment: string): RegExp {
  let out = "^";
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i] as string;
    if (ch === "*") out += "[^/]*";
    else if (ch === "?") out += "[^/]";
    else if (ch === "[") {
      const end = segment.indexOf("]", i + 1);
      if (end < 0) out += "\\[";
      else {
        const body = segment
          .slice(i + 1, end)
          .replace(/^!/, "^")
          .replace(/\\/g, "\\\\");
        out += `[${body}]`;
        i = end;
      }
    } else out += ch.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`${out}$`);
}

/**
 * Directories under `root` matching a relative pattern with `/`-separated segments; `**`
 * matches any depth. Hidden entries match only patterns that start with a dot. Sorted.
 */
export async function globDirs(root: string, pattern: string): Promise<string[]> {
  const segments = pattern.split("/").filter((s) => s !== "" && s !== ".");
  const results = new Set<string>();
  const walk = async (dir: string, index: number): Promise<void> => {
    if (index === segments.length) {
      results.add(dir);
      return;
    }
    const segment = segments[index] as string;
    if (segment === "..") return walk(join(dir, ".."), index + 1);
    if (segment === "**") {
      await walk(dir, index + 1);
      for (const entry of await listDirs(dir)) if (!entry.startsWith(".")) await walk(join(dir, entry), index);
      return;
    }
    if (!isGlob(segment)) return walk(join(dir, segment), index + 1);
    const regex = segmentRegex(segment);
    for (const entry of await listDirs(dir)) {
      if (entry.startsWith(".") && !segment.startsWith(".")) continue;
      if (regex.test(entry)) await walk(join(dir, entry), index + 1);
    }
  };
  await walk(root, 0);
  return [...results].sort();
}

async function listDirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}
