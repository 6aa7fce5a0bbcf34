#!/usr/bin/env node
// The layer check: every internal import must follow the dependency direction in DESIGN.md.
// Reads imports from source (not just package.json), so a stray `import` fails the lint
// even when nobody declared the dependency. Usage: node scripts/check-layers.mjs [root]
import { readFileSync, readdirSync, statSync, existsSync } from "node:fs";
import { join, relative } from "node:path";

/** package directory -> internal packages it may import (by directory name). */
export const ALLOWED = {
  common: [],
  http: ["common"],
  config: ["common"],
  metadata: ["common", "http"],
  cache: ["common"],
  lockfile: ["common"],
  wit: ["common"],
  "local-backend": ["common"],
  "oci-backend": ["common", "http"],
  "warg-backend": ["common", "http"],
  "wit-tools": ["common", "wit", "lockfile"],
  client: ["common", "http", "config", "metadata", "cache", "local-backend", "oci-backend", "warg-backend", "wit"],
  wkg: ["common", "http", "config", "metadata", "lockfile", "client", "oci-backend", "wit", "wit-tools"],
};
/** Private test packages may import anything. */
const UNRESTRICTED_GROUPS = new Set(["test"]);

const root = process.argv[2] ?? process.cwd();
const problems = [];
const packages = new Map(); // npm name -> { dir, group, key }

for (const group of ["packages", "apps", "test"]) {
  const base = join(root, group);
  if (!existsSync(base)) continue;
  for (const dir of readdirSync(base)) {
    const manifest = join(base, dir, "package.json");
    if (!existsSync(manifest)) continue;
    const { name } = JSON.parse(readFileSync(manifest, "utf8"));
    packages.set(name, { dir: join(base, dir), group, key: dir });
  }
}

function sourceFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(m?ts|m?js)$/.test(entry) && !entry.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

const IMPORT = /(?:from\s*|import\s*\(\s*|import\s+|require\s*\(\s*)["']([^"']+)["']/g;
const edges = new Map();

for (const [name, pkg] of packages) {
  if (UNRESTRICTED_GROUPS.has(pkg.group)) continue;
  const allowed = ALLOWED[pkg.key];
  if (!allowed) {
    problems.push(`${name}: no layer rule for "${pkg.key}"; add it to ALLOWED in scripts/check-layers.mjs and DESIGN.md`);
    continue;
  }
  const src = join(pkg.dir, "src");
  if (!existsSync(src)) continue;
  const deps = new Set();
  for (const file of sourceFiles(src)) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(IMPORT)) {
      const spec = match[1];
      const target = [...packages.keys()].find((n) => spec === n || spec.startsWith(`${n}/`));
      if (!target || target === name) continue;
      const targetPkg = packages.get(target);
      deps.add(targetPkg.key);
      if (UNRESTRICTED_GROUPS.has(targetPkg.group) || !allowed.includes(targetPkg.key)) {
        const line = text.slice(0, match.index).split("\n").length;
        problems.push(
          `${relative(root, file)}:${line}: ${name} may not import ${target} (allowed: ${allowed.join(", ") || "nothing internal"})`,
        );
      }
    }
  }
  edges.set(pkg.key, deps);
}

// Cycles, in case the allow-list itself ever gains one.
const state = new Map();
function visit(node, stack) {
  if (state.get(node) === "done") return;
  if (state.get(node) === "active") {
    problems.push(`dependency cycle: ${[...stack.slice(stack.indexOf(node)), node].join(" -> ")}`);
    return;
  }
  state.set(node, "active");
  for (const next of edges.get(node) ?? []) visit(next, [...stack, node]);
  state.set(node, "done");
}
for (const node of edges.keys()) visit(node, []);

if (problems.length) {
  console.error(`layer check failed:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  process.exit(1);
}
console.log(`layer check passed (${edges.size} packages)`);
