#!/usr/bin/env node
// Regenerates the WIT packages of the embedded example registry (examples/registry) from the one
// real package it starts from, wasi:http@0.2.0 (upstream's test binary): every package that binary
// carries (wasi:io, wasi:clocks, wasi:cli at 0.2.0, as far as wasi:http uses them) is encoded on its
// own with this project's WIT toolchain. Needs `pnpm build`. Usage: node scripts/make-example-registry.mjs
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const { decodeWasm, encodeWitPackage } = await import(`${root}packages/wit/dist/index.js`);
const registry = `${root}examples/registry`;
const http = readFileSync(`${registry}/wasi/http/0.2.0.wasm`);
const decoded = decodeWasm(new Uint8Array(http));
for (const id of decoded.resolve.topologicalPackages()) {
  if (id === decoded.package) continue;
  const { name } = decoded.resolve.pkg(id);
  const dir = `${registry}/${name.namespace}/${name.name}`;
  mkdirSync(dir, { recursive: true });
  const bytes = encodeWitPackage(decoded.resolve, id);
  writeFileSync(`${dir}/${name.version}.wasm`, bytes);
  console.log(`${name.namespace}:${name.name}@${name.version}: ${bytes.length} bytes`);
}
