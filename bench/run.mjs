#!/usr/bin/env node
// `pnpm bench`: each measurement is a median over several runs, reported as a ratio against a
// baseline measured in the same run, alternating with it (never as a wall-clock gate in tests).
// Usage: node bench/run.mjs [suite...]   (suites: startup, get, wit, oci, fetch; default all)
// Needs `pnpm build` first. Writes the table, the machine, the date and the commands to bench/RESULTS.md.
import { execFileSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { writeFileSync } from "node:fs";
import { getSuite, startupSuite } from "./get.mjs";
import { compare, compareInProcess, root, verdict } from "./lib.mjs";
import { fetchSuite } from "./fetch.mjs";
import { ociSuite } from "./oci.mjs";

async function witSuite() {
  const { exists, operations } = await import("./wit.mjs");
  if (!exists(`${root}packages/wit/dist/index.js`)) throw new Error("build first: `pnpm build` (bench uses packages/wit/dist)");
  const ours = await operations("ours");
  const jco = await operations("jco");
  const script = `${root}bench/wit.mjs`;
  const { corpusOperations } = await import("./wit-corpus.mjs");
  const { loadJco, loadOurs } = await import("./wit.mjs");
  const corpus = await corpusOperations(await loadOurs(), await loadJco());
  return [
    {
      ...(await compareInProcess(
        `parse + resolve the conformance corpus (${corpus.count} of ${corpus.total} ui cases and WASI trees, one text each; warm): jco vs ours`,
        { label: "jco componentEmbed --dummy of each case (parse, resolve, empty world)", run: corpus.jco },
        { label: "Resolve.pushText of each case", run: corpus.ours },
        21,
      )),
      // Issue 11: ours at least 2.5x faster than wasm-tools compiled to wasm.
      target: { max: 0.4 },
    },
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
      { baselineLabel: "jco", subjectLabel: "ours" },
    ),
    compare(
      "parse + resolve + encode, fresh process (cold): jco vs ours",
      [process.execPath, [script, "build", "jco"]],
      [process.execPath, [script, "build", "ours"]],
      11,
      { baselineLabel: "jco", subjectLabel: "ours" },
    ),
  ];
}

const suites = {
  startup: startupSuite,
  get: getSuite,
  wit: witSuite,
  oci: () => ociSuite(),
  fetch: () => fetchSuite(),
};

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(suites);
const rows = [];
for (const name of wanted) {
  if (!suites[name]) throw new Error(`unknown suite ${name}; known: ${Object.keys(suites).join(", ")}`);
  const got = await suites[name]();
  rows.push(...got);
  for (const r of got) console.error(`${r.name}: ${r.ratio.toFixed(2)}x ${verdict(r)}`);
}

const value = (v, unit) => (unit === "MiB" ? `${v.toFixed(0)} MiB` : `${v.toFixed(1)} ms`);
const table = [
  "| measurement | baseline (median) | wkg (median) | ratio | target |",
  "| --- | --- | --- | --- | --- |",
  ...rows.map(
    (r, i) =>
      `| ${r.name.replaceAll("|", "\\|")} [${i + 1}] | ${value(r.baseValue, r.unit)} | ${value(r.subjectValue, r.unit)} | ${r.ratio.toFixed(2)}x | ${verdict(r)} |`,
  ),
];
// Commands are shown relative to the repository, never with this machine's paths.
const commands = rows.map(
  (r, i) => `${i + 1}. baseline: \`${r.commands[0].replaceAll(root, "")}\`<br>wkg: \`${r.commands[1].replaceAll(root, "")}\``,
);
const version = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
      .split("\n")[0]
      .trim();
  } catch {
    return `${cmd}: not installed`;
  }
};
const tools = [version("curl", ["--version"]), version("openssl", ["version"]), version("skopeo", ["--version"])].join("; ");
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
const doc = `# Benchmark results

Machine: ${machine}<br>
Tools: ${tools}<br>
Date: ${new Date().toISOString()}<br>
Command: \`pnpm bench ${process.argv.slice(2).join(" ")}\` (after \`pnpm build\`)

Every value is the median of several runs; baseline and wkg ran alternately in the same script.
Times are wall clock of a fresh process unless marked "in process"; RSS is the peak resident set
size (GNU time's %M). The machine is shared and noisy: compare ratios, not absolute times.

${table.join("\n")}

Commands (the registry is Debian's docker-registry on 127.0.0.1, started by the script):

${commands.join("\n")}
`;
console.log(table.join("\n"));
writeFileSync(`${root}bench/RESULTS.md`, doc);
