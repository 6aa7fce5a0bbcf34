#!/usr/bin/env node
// Kept tiny and dependency-free: `wkg --version` must start as fast as Node itself.
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`wkg ${version}\n`);
} else {
  // undici parses HTTP with a wasm module. V8 compiles its hot functions again in the background
  // (TurboFan), and Node waits for those compilations before it exits: 50-100 ms after the work is
  // done, on every command that made a request. The baseline compiler alone parses as fast here.
  (await import("node:v8")).setFlagsFromString("--liftoff-only");
  // Node 22+ keeps compiled code on disk between runs (a no-op where the API does not exist).
  (await import("node:module")).enableCompileCache?.();
  const { main } = await import("../dist/main.js");
  process.exitCode = await main(args);
}
