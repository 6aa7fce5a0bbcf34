#!/usr/bin/env node
// `pnpm bench`: each measurement is a median over several runs, reported as a ratio against a
// baseline measured in the same run (never as an absolute wall-clock gate).
// Usage: node bench/run.mjs [suite...]   (suites: startup, wit; default all)
// Usage: node bench/run.mjs [suite...]   (suites: startup, get, wit, oci; default all)
import { spawnSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ociSuite } from "./oci.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const WKG = `${root}apps/wkg/bin/wkg.js`;

function timeOnce(cmd, args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${result.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** Alternate baseline and subject so machine noise hits both alike. */
function compare(name, baseline, subject, runs = 21) {
  const a = [];
  const b = [];
  timeOnce(...baseline);
  timeOnce(...subject);
  for (let i = 0; i < runs; i++) {
    a.push(timeOnce(...baseline));
    b.push(timeOnce(...subject));
  }
  return {
    name,
    baseline: baseline.flat().join(" "),
    subject: subject.flat().join(" "),
    baseMs: median(a),
    subjectMs: median(b),
    ratio: median(b) / median(a),
  };
}

/**
 * A 64 MiB package in a local registry under bench/.work, with its cache warmed, so `wkg get`
 * measures the cache-hit path: the copy out of the cache, hashed on the way (re-verification).
 */
function getFixture() {
  const work = `${root}bench/.work/get`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(`${work}/registry/bench/big`, { recursive: true });
  mkdirSync(`${work}/out`, { recursive: true });
  const big = `${work}/registry/bench/big/1.0.0.wasm`;
  writeFileSync(big, randomBytes(64 * 1024 * 1024));
  writeFileSync(`${work}/config.toml`, 'default_registry = "files"\n[registry."files".local]\nroot = "registry"\n');
  process.env.WKG_CONFIG_FILE = `${work}/config.toml`;
  process.env.WKG_CACHE_DIR = `${work}/cache`;
  timeOnce(process.execPath, [WKG, "get", "bench:big@1.0.0", "-o", `${work}/out/warm.wasm`]);
  return { work, big };
}

/** In-process timing: median of `runs` calls after warm-up, baseline and subject alternating. */
async function compareInProcess(name, baseline, subject, runs = 61) {
  const time = async (f) => {
    const started = process.hrtime.bigint();
    await f();
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  for (let i = 0; i < 20; i++) {
    await baseline.run();
    await subject.run();
  }
  const a = [];
  const b = [];
  for (let i = 0; i < runs; i++) {
    a.push(await time(baseline.run));
    b.push(await time(subject.run));
  }
  return { name, baseline: baseline.label, subject: subject.label, baseMs: median(a), subjectMs: median(b), ratio: median(b) / median(a) };
}

async function witSuite() {
  const { exists, operations } = await import("./wit.mjs");
  if (!exists(`${root}packages/wit/dist/index.js`)) throw new Error("build first: `pnpm build` (bench uses packages/wit/dist)");
  const ours = await operations("ours");
  const jco = await operations("jco");
  const script = `${root}bench/wit.mjs`;
  return [
    await compareInProcess(
      "decode wasi:http@0.2.0 binary to WIT files (warm): jco unpackWit vs ours",
      { label: "jco unpackWit", run: jco.decode },
      { label: "decodeWasm + printWitFiles", run: ours.decode },
    ),
    await compareInProcess(
      "parse + resolve + encode wasi:http@0.2.0 and deps (warm): jco componentEmbed vs ours",
      { label: "jco componentEmbed (parse, resolve, encode world)", run: jco.build },
      { label: "Resolve.pushText + encodeWitPackage (whole package)", run: ours.build },
    ),
    compare(
      "decode wasi:http@0.2.0, fresh process (cold): jco vs ours",
      [process.execPath, [script, "decode", "jco"]],
      [process.execPath, [script, "decode", "ours"]],
      11,
    ),
    compare(
      "parse + resolve + encode, fresh process (cold): jco vs ours",
      [process.execPath, [script, "build", "jco"]],
      [process.execPath, [script, "build", "ours"]],
      11,
    ),
  ];
}

const suites = {
  startup: () => [
    { ...compare("wkg --version vs node -e 0", [process.execPath, ["-e", "0"]], [process.execPath, [WKG, "--version"]]), target: 1.5 },
    { ...compare("wkg --help vs node -e 0", [process.execPath, ["-e", "0"]], [process.execPath, [WKG, "--help"]]) },
  ],
  get: () => {
    const { work, big } = getFixture();
    const copy = [
      process.execPath,
      ["-e", `require("fs").copyFileSync(${JSON.stringify(big)}, ${JSON.stringify(`${work}/out/copy.wasm`)})`],
    ];
    const hash = [
      process.execPath,
      ["-e", `require("crypto").createHash("sha256").update(require("fs").readFileSync(${JSON.stringify(big)})).digest("hex")`],
    ];
    const cache = `${work}/cache`;
    const digestHex = createHash("sha256").update(readFileSync(big)).digest("hex");
    const checkContent = [
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { FileCache } from ${JSON.stringify(`${root}packages/cache/dist/index.js`)};` +
          `import { Digest } from ${JSON.stringify(`${root}packages/common/dist/index.js`)};` +
          `const d = Digest.fromHex(${JSON.stringify(digestHex)});` +
          `if (await new FileCache(${JSON.stringify(cache)}).checkContent(d) !== "ok") process.exit(1);`,
      ],
    ];
    return [
      compare(
        "wkg get 64 MiB, cache hit (verified copy) vs plain file copy",
        copy,
        [process.execPath, [WKG, "get", "bench:big@1.0.0", "-o", `${work}/out/get.wasm`, "--overwrite"]],
        9,
      ),
      compare(
        "wkg get --check 64 MiB (hash local file) vs sha256 of the file",
        hash,
        [process.execPath, [WKG, "get", "bench:big@1.0.0", "-o", `${work}/out/get.wasm`, "--check"]],
        9,
      ),
      compare("cache re-verify (checkContent, incl. module load) 64 MiB vs sha256 of the file", hash, checkContent, 9),
    ];
  },
  wit: witSuite,
  oci: () => ociSuite({ root, compare }),
};

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(suites);
const rows = [];
for (const name of wanted) {
  if (!suites[name]) throw new Error(`unknown suite ${name}; known: ${Object.keys(suites).join(", ")}`);
  rows.push(...(await suites[name]()));
}

const table = [
  "| measurement | baseline (median) | wkg (median) | ratio | target |",
  "| --- | --- | --- | --- | --- |",
  ...rows.map(
    (r) =>
      `| ${r.name} | ${r.baseMs.toFixed(1)} ms | ${r.subjectMs.toFixed(1)} ms | ${r.ratio.toFixed(2)}x | ${r.target ? `≤ ${r.target}x ${r.ratio <= r.target ? "✓" : "✗"}` : ""} |`,
  ),
];
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
const doc = `# Benchmark results\n\nMachine: ${machine}\nDate: ${new Date().toISOString()}\nCommand: \`pnpm bench ${process.argv.slice(2).join(" ")}\`\n\n${table.join("\n")}\n`;
console.log(table.join("\n"));
writeFileSync(`${root}bench/RESULTS.md`, doc);
