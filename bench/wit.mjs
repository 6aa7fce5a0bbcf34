// The `wit` benchmark suite: @wasm-pkg/wit against jco-transpile (wasm-tools compiled to wasm)
// on the WASI 0.2 packages of the wasi:http@0.2.0 fixture. Run as a script it performs one
// operation once (for cold-process timings): `node bench/wit.mjs <op> <ours|jco>`.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const fixture = join(root, "packages/wit/test/fixtures/wasm");
export const binary = new Uint8Array(readFileSync(join(fixture, "binary_wit.wasm")));

/** wasi:http@0.2.0 with its wasi:io, wasi:clocks and wasi:cli dependencies as one WIT text. */
export function witSource() {
  const dir = join(fixture, "binary_wit.expected");
  let text = readFileSync(join(dir, "package.wit"), "utf8");
  for (const dep of readdirSync(join(dir, "deps")).sort()) {
    const src = readFileSync(join(dir, "deps", dep, "package.wit"), "utf8");
    // `package a:b@1;\n\n<items>` becomes a nested `package a:b@1 { <items> }` block.
    text += src.replace(/^package ([^;]+);/m, "package $1 {") + "}\n";
  }
  return text;
}

export async function loadOurs() {
  return import(pathToFileURL(join(root, "packages/wit/dist/index.js")).href);
}

export async function loadJco() {
  // jco-transpile is a dev dependency of the private test/wit-crosscheck package.
  const require = createRequire(join(root, "test/wit-crosscheck/package.json"));
  const component = await import(pathToFileURL(require.resolve("@bytecodealliance/jco-transpile/component")).href);
  await component.$init;
  const tools = await import(pathToFileURL(require.resolve("@bytecodealliance/jco-transpile/wasm-tools")).href);
  return { component, tools };
}

/** The operations, each returning a function that runs it once. */
export async function operations(impl) {
  const text = witSource();
  if (impl === "ours") {
    const wit = await loadOurs();
    return {
      decode: () => {
        const decoded = wit.decodeWasm(binary);
        return wit.printWitFiles(decoded.resolve, decoded.package);
      },
      build: () => {
        const resolve = new wit.Resolve({ allFeatures: true });
        const pkg = resolve.pushText("wasi-http.wit", text);
        return wit.encodeWitPackage(resolve, pkg);
      },
    };
  }
  const { component, tools } = await loadJco();
  return {
    decode: () => component.unpackWit(undefined, binary),
    // jco cannot encode a WIT package; embedding a world parses, resolves and encodes the world.
    build: () => tools.componentEmbed({ dummy: true, witSource: text, world: "proxy", features: { tag: "all" } }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [op, impl] = process.argv.slice(2);
  const ops = await operations(impl);
  await ops[op]();
}

export function exists(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
