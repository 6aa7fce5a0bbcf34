// The `startup` and `get` bench suites.
// startup: `wkg --version` / `--help` against `node -e 0` (the floor for any Node CLI).
// get: `wkg get` of a small cached package from the real OCI registry against `node -e 0`
//      (online: the release is looked up again, the content comes from the cache; --offline:
//      the cache alone), and the 64 MiB cache-hit copy against a plain copy and a plain hash.
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WKG, compare, root, runOnce } from "./lib.mjs";

const node0 = [process.execPath, ["-e", "0"]];
const baseline = { baselineLabel: "node -e 0" };

export function startupSuite() {
  return [
    compare("wkg --version vs node -e 0", node0, [process.execPath, [WKG, "--version"]], 21, { ...baseline, target: { max: 1.5 } }),
    compare("wkg --help vs node -e 0", node0, [process.execPath, [WKG, "--help"]], 21, baseline),
  ];
}

export async function getSuite() {
  const { startRegistry } = await import(`${root}test/utils/dist/index.js`);
  const registry = await startRegistry({ mode: "open" });
  const work = mkdtempSync(join(tmpdir(), "wkg-bench-get-"));
  try {
    // A small component (64 KiB) published to the registry, and a 64 MiB one in a local registry.
    const small = join(work, "small.wasm");
    writeFileSync(small, Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]), randomBytes(64 * 1024)]));
    runOnce([process.execPath, [WKG, "oci", "push", `${registry.registry}/bench/small:1.0.0`, small, "-q"]], { rss: false });
    mkdirSync(join(work, "files/local/big"), { recursive: true });
    const big = join(work, "files/local/big/1.0.0.wasm");
    writeFileSync(big, randomBytes(64 * 1024 * 1024));
    writeFileSync(
      join(work, "config.toml"),
      `[namespace_registries]\nbench = { registry = "${registry.registry}", metadata = { preferredProtocol = "oci", oci = { registry = "${registry.registry}" } } }\nlocal = "files"\n\n[registry."files".local]\nroot = ${JSON.stringify(join(work, "files"))}\n`,
    );
    const env = { WKG_CONFIG_FILE: join(work, "config.toml"), WKG_CACHE_DIR: join(work, "cache") };
    const out = (name) => join(work, "out", name);
    mkdirSync(join(work, "out"));
    // Warm the cache.
    runOnce([process.execPath, [WKG, "get", "bench:small@1.0.0", "-o", out("warm.wasm")]], { rss: false, env });
    runOnce([process.execPath, [WKG, "get", "local:big@1.0.0", "-o", out("warm-big.wasm")]], { rss: false, env });

    const get = (...args) => [process.execPath, [WKG, "get", ...args]];
    const bigOut = out("big.wasm");
    const copy = [process.execPath, ["-e", `require("fs").copyFileSync(${JSON.stringify(big)}, ${JSON.stringify(out("copy.wasm"))})`]];
    const hash = [
      process.execPath,
      ["-e", `require("crypto").createHash("sha256").update(require("fs").readFileSync(${JSON.stringify(big)})).digest("hex")`],
    ];
    const digestHex = createHash("sha256").update(readFileSync(big)).digest("hex");
    const checkContent = [
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { FileCache } from ${JSON.stringify(`${root}packages/cache/dist/index.js`)};` +
          `import { Digest } from ${JSON.stringify(`${root}packages/common/dist/index.js`)};` +
          `const d = Digest.fromHex(${JSON.stringify(digestHex)});` +
          `if (await new FileCache(${JSON.stringify(join(work, "cache"))}).checkContent(d) !== "ok") process.exit(1);`,
      ],
    ];
    return [
      compare(
        "wkg get, small package in the cache (online) vs node -e 0",
        node0,
        get("bench:small@1.0.0", "-o", out("s.wasm"), "--overwrite"),
        21,
        { ...baseline, env },
      ),
      compare(
        "wkg get --offline, small package in the cache vs node -e 0",
        node0,
        get("bench:small@1.0.0", "-o", out("s.wasm"), "--overwrite", "--offline"),
        21,
        { ...baseline, env },
      ),
      compare(
        "wkg get 64 MiB, cache hit (verified copy) vs plain file copy",
        copy,
        get("local:big@1.0.0", "-o", bigOut, "--overwrite"),
        9,
        { env },
      ),
      compare("wkg get --check 64 MiB (hash local file) vs sha256 of the file", hash, get("local:big@1.0.0", "-o", bigOut, "--check"), 9, {
        env,
      }),
      compare("cache re-verify (checkContent, incl. module load) 64 MiB vs sha256 of the file", hash, checkContent, 9),
    ];
  } finally {
    await registry.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
