#!/usr/bin/env node
// `pnpm bench`: each measurement is a median over several runs, reported as a ratio against a
// baseline measured in the same run (never as an absolute wall-clock gate).
// Usage: node bench/run.mjs [suite...]   (suites: startup, oci; default all)
import { spawnSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { writeFileSync } from "node:fs";
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

const suites = {
  startup: () => [
    { ...compare("wkg --version vs node -e 0", [process.execPath, ["-e", "0"]], [process.execPath, [WKG, "--version"]]), target: 1.5 },
    { ...compare("wkg --help vs node -e 0", [process.execPath, ["-e", "0"]], [process.execPath, [WKG, "--help"]]) },
  ],
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
