// The `oci` bench suite: `wkg oci pull|push` of a 256 MiB component against the real registry
// (Debian docker-registry on 127.0.0.1), as ratios against, in the same run:
// - the limit: `curl | openssl dgst -sha256` for a pull (fetch and verify, nothing written; with
//   `tee file` in between for the same work as wkg), and for a
//   push what any client must do at least: hash the file with openssl, then curl's POST + one PUT;
// - the peer: `skopeo copy` (docker:// -> dir: for a pull, dir: -> docker:// for a push);
// and the peak RSS of wkg at 16, 64 and 256 MiB, which must stay flat.
// Pushes go to a fresh repository every run and skopeo's blob-info cache is cleared before each of
// its runs, so nothing is skipped or mounted (blobs are repository-scoped in distribution).
// Needs `pnpm build` (uses test-utils' dist), skopeo, openssl, curl and GNU time.
import { createHash, randomBytes } from "node:crypto";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WKG, measure, root, row, runOnce } from "./lib.mjs";

const MiB = 1024 * 1024;
const SKOPEO_CACHE = "/var/lib/containers/cache/blob-info-cache-v1.boltdb";

/** A component-looking file of random bytes; returns its sha256 digest. */
function writeComponent(file, size) {
  const hash = createHash("sha256");
  const fd = openSync(file, "w");
  const header = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]);
  writeSync(fd, header);
  hash.update(header);
  for (let written = header.length; written < size; ) {
    const block = randomBytes(Math.min(MiB, size - written));
    writeSync(fd, block);
    hash.update(block);
    written += block.length;
  }
  closeSync(fd);
  return `sha256:${hash.digest("hex")}`;
}

export async function ociSuite({ runs = 7 } = {}) {
  const { startRegistry, ensureCommands } = await import(`${root}test/utils/dist/index.js`);
  await ensureCommands(["skopeo", "openssl", "curl"]);
  const registry = await startRegistry({ mode: "open" });
  const dir = mkdtempSync(join(tmpdir(), "wkg-bench-oci-"));
  const run = randomBytes(3).toString("hex");
  try {
    const sizes = { small: 16 * MiB, medium: 64 * MiB, large: 256 * MiB };
    const fixtures = {};
    for (const [name, size] of Object.entries(sizes)) {
      const file = join(dir, `${name}.wasm`);
      const digest = writeComponent(file, size);
      const repo = `bench/pull-${name}`;
      const ref = `${registry.registry}/${repo}:1.0.0`;
      runOnce([process.execPath, [WKG, "oci", "push", ref, file, "-q"]], { rss: false });
      // skopeo pushes from a dir: layout of the same artifact.
      const layout = join(dir, `${name}.layout`);
      runOnce(["skopeo", ["copy", "-q", "--src-tls-verify=false", `docker://${ref}`, `dir:${layout}`]], { rss: false });
      fixtures[name] = { file, digest, repo, ref, layout };
    }

    const out = join(dir, "out.wasm");
    const skopeoOut = join(dir, "sk");
    const teeOut = join(dir, "tee.wasm");
    const pullEntries = ({ repo, ref, digest }) => [
      {
        label: "curl | openssl dgst -sha256",
        cmd: ["sh", ["-c", `curl -fsS ${registry.url}/v2/${repo}/blobs/${digest} | openssl dgst -sha256`]],
      },
      {
        label: "curl | tee file | openssl dgst -sha256",
        before: () => rmSync(teeOut, { force: true }),
        cmd: ["sh", ["-c", `curl -fsS ${registry.url}/v2/${repo}/blobs/${digest} | tee ${teeOut} | openssl dgst -sha256`]],
      },
      {
        label: "skopeo copy docker:// dir:",
        before: () => rmSync(skopeoOut, { recursive: true, force: true }),
        cmd: ["skopeo", ["copy", "-q", "--src-tls-verify=false", `docker://${ref}`, `dir:${skopeoOut}`]],
      },
      {
        label: "wkg oci pull",
        before: () => rmSync(out, { force: true }),
        cmd: [process.execPath, [WKG, "oci", "pull", ref, "-o", out, "-q"]],
      },
    ];
    const pushEntries = ({ file, digest, layout }, name) => [
      {
        label: "openssl dgst -sha256 + curl POST + PUT",
        cmd: (i) => [
          "sh",
          [
            "-c",
            `openssl dgst -sha256 ${file} >/dev/null; loc=$(curl -fsS -X POST -D - -o /dev/null ${registry.url}/v2/bench/curl-${run}-${name}-${i}/blobs/uploads/ | tr -d '\\r' | sed -n 's/^[Ll]ocation: //p'); curl -fsS -o /dev/null -X PUT -H 'content-type: application/octet-stream' -T ${file} "$loc&digest=${digest}"`,
          ],
        ],
      },
      {
        label: "skopeo copy dir: docker://",
        before: () => rmSync(SKOPEO_CACHE, { force: true }),
        cmd: (i) => [
          "skopeo",
          [
            "copy",
            "-q",
            "--dest-tls-verify=false",
            `dir:${layout}`,
            `docker://${registry.registry}/bench/skopeo-${run}-${name}-${i}:1.0.0`,
          ],
        ],
      },
      {
        label: "wkg oci push",
        cmd: (i) => [process.execPath, [WKG, "oci", "push", `${registry.registry}/bench/wkg-${run}-${name}-${i}:1.0.0`, file, "-q"]],
      },
    ];

    const [curlPull, teePull, skopeoPull, wkgPull] = measure(pullEntries(fixtures.large), runs);
    const [curlPush, skopeoPush, wkgPush] = measure(pushEntries(fixtures.large, "large"), runs);
    // 16 and 64 MiB: only for the memory rows.
    const only = (entries) => entries.filter((e) => e.label.startsWith("wkg"));
    const [wkgPullSmall] = measure(only(pullEntries(fixtures.small)), 5);
    const [wkgPushSmall] = measure(only(pushEntries(fixtures.small, "small")), 5);
    const [wkgPullMedium] = measure(only(pullEntries(fixtures.medium)), 5);
    const [wkgPushMedium] = measure(only(pushEntries(fixtures.medium, "medium")), 5);
    const small = (r) => ({ ...r, label: `${r.label} 16 MiB` });
    const medium = (r) => ({ ...r, label: `${r.label} 64 MiB` });
    const large = (r) => ({ ...r, label: `${r.label} 256 MiB` });
    return [
      row("oci pull 256 MiB: wkg vs the limit (curl | openssl dgst)", curlPull, wkgPull, { target: { max: 1.25 } }),
      row("oci pull 256 MiB: wkg vs curl | tee file | openssl dgst (the same work: fetch, write, hash)", teePull, wkgPull),
      row("oci pull 256 MiB: wkg vs skopeo copy to dir:", skopeoPull, wkgPull, { target: { below: 1 } }),
      row("oci push 256 MiB: wkg vs openssl sha256 + curl POST+PUT", curlPush, wkgPush, { target: { max: 1.2 } }),
      row("oci push 256 MiB: wkg vs skopeo copy from dir:", skopeoPush, wkgPush),
      // V8 lets up to 64 MB of dead network buffers pile up before it collects them: one step
      // between 16 and 64 MiB, then flat.
      row("peak RSS of wkg oci pull: 16 MiB vs 256 MiB", small(wkgPullSmall), large(wkgPull), { unit: "MiB", target: { max: 1.5 } }),
      row("peak RSS of wkg oci pull: 64 MiB vs 256 MiB", medium(wkgPullMedium), large(wkgPull), { unit: "MiB", target: { max: 1.1 } }),
      row("peak RSS of wkg oci push: 16 MiB vs 256 MiB", small(wkgPushSmall), large(wkgPush), { unit: "MiB", target: { max: 1.5 } }),
      row("peak RSS of wkg oci push: 64 MiB vs 256 MiB", medium(wkgPushMedium), large(wkgPush), { unit: "MiB", target: { max: 1.1 } }),
      row("peak RSS of oci pull 256 MiB: skopeo vs wkg", skopeoPull, wkgPull, { unit: "MiB" }),
      row("peak RSS of oci push 256 MiB: skopeo vs wkg", skopeoPush, wkgPush, { unit: "MiB" }),
    ];
  } finally {
    await registry.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
