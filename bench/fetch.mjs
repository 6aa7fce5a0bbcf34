// The `fetch` bench suite: `wkg fetch` of a project importing 20 WIT packages from the real OCI
// registry, through a loopback proxy that adds 20 ms to every request (a nearby registry).
// - cold: empty cache, no wkg.lock, no wit/deps; against the same requests made one after the
//   other by curl (list tags, manifest, blob per package): below 1x only if wkg overlaps them;
// - warm: cache, lock and wit/deps in place (nothing to do): against `node -e 0`, and under 300 ms.
// Needs `pnpm build` (uses test-utils', oci-backend's and wit's dist) and curl.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WKG, measure, root, row, runOnce } from "./lib.mjs";

const DEPS = 20;
const LATENCY_MS = 20;

export async function fetchSuite({ runs = 9 } = {}) {
  const { startRegistry } = await import(`${root}test/utils/dist/index.js`);
  const { OciClient } = await import(`${root}packages/oci-backend/dist/index.js`);
  const { Resolve, encodeWitPackage } = await import(`${root}packages/wit/dist/index.js`);
  const registry = await startRegistry({ mode: "open" });
  const proxy = await startLatencyProxy(registry.url, LATENCY_MS);
  const work = mkdtempSync(join(tmpdir(), "wkg-bench-fetch-"));
  try {
    // 20 small WIT packages, published straight to the registry.
    const publisher = new OciClient({ env: {}, dockerConfig: false });
    const layers = [];
    for (let i = 0; i < DEPS; i++) {
      const resolve = new Resolve();
      const id = resolve.pushText(
        "pkg.wit",
        `package bench:dep${i}@1.0.0;\n\ninterface api {\n  record item { id: u32, name: string }\n  get: func(id: u32) -> option<item>;\n  all: func() -> list<item>;\n}\n`,
      );
      const pushed = await publisher.push(`${registry.registry}/bench/dep${i}:1.0.0`, encodeWitPackage(resolve, id));
      layers.push(pushed.layer.digest.toString());
    }
    await publisher.close();

    const project = join(work, "project");
    mkdirSync(join(project, "wit"), { recursive: true });
    const imports = Array.from({ length: DEPS }, (_, i) => `  import bench:dep${i}/api@1.0.0;`).join("\n");
    writeFileSync(join(project, "wit", "world.wit"), `package bench:app@0.1.0;\n\nworld app {\n${imports}\n}\n`);
    writeFileSync(
      join(work, "config.toml"),
      `[namespace_registries]\nbench = { registry = "${proxy.authority}", metadata = { preferredProtocol = "oci", oci = { registry = "${proxy.authority}" } } }\n`,
    );
    const env = { WKG_CONFIG_FILE: join(work, "config.toml"), WKG_CACHE_DIR: join(work, "cache"), HOME: work };
    const fetch = [process.execPath, [WKG, "fetch", "-q"]];
    const cold = () => {
      rmSync(join(work, "cache"), { recursive: true, force: true });
      rmSync(join(project, "wkg.lock"), { force: true });
      rmSync(join(project, "wit", "deps"), { recursive: true, force: true });
    };
    // What any client must ask per package, one request after another.
    const list = join(work, "layers.txt");
    writeFileSync(list, layers.map((digest, i) => `${i} ${digest}\n`).join(""));
    const serial =
      `while read i d; do curl -fsS -o /dev/null ${proxy.url}/v2/bench/dep$i/tags/list && ` +
      `curl -fsS -o /dev/null -H 'accept: application/vnd.oci.image.manifest.v1+json' ${proxy.url}/v2/bench/dep$i/manifests/1.0.0 && ` +
      `curl -fsS -o /dev/null ${proxy.url}/v2/bench/dep$i/blobs/$d || exit 1; done < ${list}`;
    const [curlSerial, coldFetch] = measure(
      [
        { label: `curl: tags, manifest, blob of ${DEPS} packages, one after another`, cmd: ["sh", ["-c", serial]], rss: false },
        { label: "wkg fetch (cold)", cmd: fetch, before: cold, env: { ...env }, rss: false, cwd: project },
      ],
      runs,
    );
    runOnce(fetch, { env, cwd: project, rss: false });
    const [node0, warmFetch] = measure(
      [
        { label: "node -e 0", cmd: [process.execPath, ["-e", "0"]], rss: false },
        { label: "wkg fetch (warm: cache, lock and wit/deps in place)", cmd: fetch, env, rss: false, cwd: project },
      ],
      runs,
    );
    const where = `${DEPS} WIT deps, +${LATENCY_MS} ms per request`;
    return [
      row(`cold wkg fetch, ${where}: wkg vs serial curl of the same requests`, curlSerial, coldFetch, { target: { below: 1 } }),
      row(`warm wkg fetch, ${where}: wkg vs node -e 0`, node0, warmFetch, { target: { maxMs: 300 } }),
    ];
  } finally {
    proxy.close();
    await registry.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The proxy runs in a child process, so it answers while this one waits in spawnSync. */
async function startLatencyProxy(target, ms) {
  const child = spawn(process.execPath, [`${root}bench/latency-proxy.mjs`, target, String(ms)], { stdio: ["pipe", "pipe", "inherit"] });
  const url = await new Promise((resolve, reject) => {
    child.stdout.once("data", (data) => resolve(String(data).trim()));
    child.once("exit", (code) => reject(new Error(`latency proxy exited (${code})`)));
  });
  return { url, authority: new URL(url).host, close: () => child.stdin.end() };
}
