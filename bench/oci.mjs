// The `oci` bench suite: push and pull of a 256 MiB component against the real registry
// (Debian docker-registry on 127.0.0.1), as ratios against peers measured in the same run:
// pull vs `skopeo copy docker:// dir:` (also verifies and writes files), push vs the least any
// client must do: hash the file (openssl) and upload it with curl's POST + monolithic PUT.
// Needs `pnpm build` (uses test-utils' dist), skopeo, openssl and curl.
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export async function ociSuite({ root, compare }) {
  const { startRegistry, ensureCommands } = await import(`${root}test/utils/dist/index.js`);
  await ensureCommands(["skopeo"]);
  const registry = await startRegistry({ mode: "open" });
  const dir = mkdtempSync(join(tmpdir(), "wkg-bench-oci-"));
  try {
    const size = 256 * 1024 * 1024;
    const file = join(dir, "big.wasm");
    const hash = createHash("sha256");
    const fd = openSync(file, "w");
    const header = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]);
    writeSync(fd, header);
    hash.update(header);
    for (let written = header.length; written < size; ) {
      const block = randomBytes(Math.min(1024 * 1024, size - written));
      writeSync(fd, block);
      hash.update(block);
      written += block.length;
    }
    closeSync(fd);
    const digest = `sha256:${hash.digest("hex")}`;
    const wkg = `${root}apps/wkg/bin/wkg.js`;
    const ref = `${registry.registry}/bench/pull:1.0.0`;
    const seed = spawnSync(process.execPath, [wkg, "oci", "push", ref, file], { stdio: "ignore" });
    if (seed.status !== 0) throw new Error("seeding the registry failed");
    const curlPush = [
      "sh",
      [
        "-c",
        `openssl dgst -sha256 ${file} >/dev/null; r=bench/curl$(date +%s%N); loc=$(curl -fsS -X POST -D - -o /dev/null ${registry.url}/v2/$r/blobs/uploads/ | tr -d '\\r' | sed -n 's/^[Ll]ocation: //p'); curl -fsS -o /dev/null -X PUT -H 'content-type: application/octet-stream' -T ${file} "$loc&digest=${digest}"`,
      ],
    ];
    const wkgPush = ["sh", ["-c", `${process.execPath} ${wkg} oci push ${registry.registry}/bench/wkg$(date +%s%N):1.0.0 ${file} -q`]];
    const skopeoPull = ["sh", ["-c", `rm -rf ${dir}/sk && skopeo copy -q --src-tls-verify=false docker://${ref} dir:${dir}/sk`]];
    const wkgPull = [process.execPath, [wkg, "oci", "pull", ref, "-o", join(dir, "out.wasm"), "-q"]];
    return [
      { ...compare("oci pull 256 MiB: wkg vs skopeo copy to dir:", skopeoPull, wkgPull, 7), target: 1.5 },
      { ...compare("oci push 256 MiB: wkg vs openssl sha256 + curl POST+PUT", curlPush, wkgPush, 7), target: 2 },
    ];
  } finally {
    await registry.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
