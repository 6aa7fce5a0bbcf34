#!/usr/bin/env node
// Kept tiny and dependency-free: `wkg --version` must start as fast as Node itself.
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`wkg ${version}\n`);
} else {
  const { main } = await import("../dist/main.js");
  process.exitCode = await main(args);
}
