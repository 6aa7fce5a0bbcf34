import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Version, type WkgEvent } from "@wasm-pkg/common";
import { cleanupTempDirs, fakeInspector, fakeWasm, tempDir } from "@wasm-pkg/test-utils";
import { afterAll, describe, expect, it } from "vitest";
import { type WasmInspector, createClient, seriesOf } from "../src/index.js";
import { bytes, config, localRegistry } from "./helpers.js";

afterAll(cleanupTempDirs);

const fake = fakeWasm;
const inspector: WasmInspector = fakeInspector;
const BASE = { base: "func() -> u32" };
const EXTRA = { base: "func() -> u32", extra: "func() -> u32" };
const CHANGED = { base: "func() -> string" };

async function setup(options: { withInspector?: boolean } = {}) {
  const reg = await localRegistry();
  const events: WkgEvent[] = [];
  const client = createClient({
    config: reg.config,
    cache: reg.cache,
    logger: (e) => events.push(e),
    inspector: options.withInspector === false ? null : inspector,
  });
  const publishAs = (pkg: string, exports: Record<string, string>, opts: Parameters<typeof client.publish>[1] = {}) =>
    client.publish(fake({ package: pkg, exports }), opts);
  return { ...reg, client, events, publishAs };
}

describe("publish", () => {
  it("publishes a file under a given identity without needing a decoder", async () => {
    const { root, client } = await setup({ withInspector: false });
    const dir = await tempDir();
    await writeFile(join(dir, "app.wasm"), "\0asm component bytes");
    const outcome = await client.publish(join(dir, "app.wasm"), { package: "example:app@1.0.0" });
    expect(outcome).toMatchObject({ registry: "files", protocol: "local", dryRun: false, semver: "first in series" });
    expect(`${outcome.package}@${outcome.version}`).toBe("example:app@1.0.0");
    expect(outcome.annotations).toEqual({ "org.opencontainers.image.version": "1.0.0" });
    expect(await readFile(join(root, "example", "app", "1.0.0.wasm"), "utf8")).toBe("\0asm component bytes");
  });

  it("asks for an identity when it cannot read one, and for a version when it is missing", async () => {
    const { client } = await setup({ withInspector: false });
    await expect(client.publish(bytes("x"))).rejects.toMatchObject({ code: "UNSUPPORTED", hint: expect.stringContaining("--package") });
    await expect(client.publish(bytes("x"), { package: "example:app" })).rejects.toMatchObject({
      code: "USAGE",
      message: expect.stringContaining("version is required"),
    });
    const withDecoder = (await setup()).client;
    await expect(withDecoder.publish(fake({ package: "example:app", exports: {} }))).rejects.toMatchObject({
      code: "INVALID_COMPONENT",
      hint: expect.stringContaining("package example:my-package@1.0.0;"),
    });
    await expect(withDecoder.publish(fake({ kind: "component", exports: {} }))).rejects.toMatchObject({
      code: "INVALID_COMPONENT",
      hint: expect.stringContaining("--package"),
    });
    // With an identity given, the bytes must still decode.
    await expect(withDecoder.publish(bytes("not wasm"), { package: "example:app@1.0.0" })).rejects.toMatchObject({
      code: "INVALID_COMPONENT",
    });
  });

  it("refuses a directory with a hint to build it first", async () => {
    const { client } = await setup();
    const dir = await tempDir();
    await mkdir(join(dir, "wit"));
    await expect(client.publish(join(dir, "wit"))).rejects.toMatchObject({
      code: "UNSUPPORTED",
      hint: expect.stringContaining("wkg build"),
    });
  });

  it("maps the wasm's metadata to annotations", async () => {
    const { client } = await setup();
    const outcome = await client.publish(
      fake({
        package: "example:meta@0.3.0",
        exports: {},
        meta: {
          description: "A thing",
          licenses: "Apache-2.0",
          source: "https://src",
          homepage: "https://home",
          authors: "Me",
          version: "x",
        },
      }),
    );
    expect(outcome.annotations).toEqual({
      "org.opencontainers.image.version": "0.3.0",
      "org.opencontainers.image.description": "A thing",
      "org.opencontainers.image.licenses": "Apache-2.0",
      "org.opencontainers.image.source": "https://src",
      "org.opencontainers.image.url": "https://home",
      "org.opencontainers.image.authors": "Me",
    });
  });

  it("rejects a version that exists, even with the semver check skipped, unless overwriting", async () => {
    const { root, publishAs } = await setup();
    await publishAs("example:dup@0.1.0", BASE);
    for (const skipSemverCheck of [false, true]) {
      await expect(publishAs("example:dup@0.1.0", EXTRA, { skipSemverCheck })).rejects.toMatchObject({
        code: "VERSION_EXISTS",
        message: "example:dup@0.1.0 already exists in registry files",
        hint: expect.stringContaining("--skip-dupes"),
      });
    }
    await publishAs("example:dup@0.1.0", EXTRA, { overwrite: true });
    expect(JSON.parse(await readFile(join(root, "example", "dup", "0.1.0.wasm"), "utf8")).exports).toEqual(EXTRA);
  });

  it("writes nothing on a dry run", async () => {
    const { root, publishAs } = await setup();
    const outcome = await publishAs("example:dry@1.0.0", BASE, { dryRun: true });
    expect(outcome).toMatchObject({ dryRun: true, semver: "first in series" });
    expect(await readdir(root)).toEqual([]);
  });

  it("will not publish to a remote registry offline", async () => {
    const reg = await localRegistry();
    const client = createClient({ config: config('default_registry = "far.example"'), cache: reg.cache, offline: true, inspector });
    await expect(client.publish(fake({ package: "example:x@1.0.0", exports: {} }))).rejects.toMatchObject({ code: "OFFLINE" });
  });
});

describe("semver gate (upstream publish_semver_check cases)", () => {
  // name, seeded versions, candidate, skip the check, expected: an error message part or the gate's verdict
  type Case = [string, Array<[string, Record<string, string>]>, [string, Record<string, string>], boolean, string];
  const cases: Case[] = [
    ["first publish in an empty series", [], ["0.1.0", BASE], false, "first in series"],
    ["compatible in the same 0.y series", [["0.1.0", BASE]], ["0.1.1", EXTRA], false, "passed"],
    [
      "incompatible in the same 0.y series",
      [["0.1.0", BASE]],
      ["0.1.1", CHANGED],
      false,
      "new version example:p@0.1.1 is not semver-compatible with existing version 0.1.0: export `base` changed",
    ],
    ["incompatible across a 0.y boundary", [["0.1.0", BASE]], ["0.2.0", CHANGED], false, "first in series"],
    ["incompatible across minors within a major", [["1.2.0", BASE]], ["1.3.0", CHANGED], false, "existing version 1.2.0"],
    ["incompatible across a major boundary", [["1.2.0", BASE]], ["2.0.0", CHANGED], false, "first in series"],
    ["incompatible with the check skipped", [["0.1.0", BASE]], ["0.1.1", CHANGED], true, "skipped"],
    ["pre-release priors are ignored", [["0.1.1-beta.1", CHANGED]], ["0.1.1", BASE], false, "first in series"],
    [
      "the next higher version must still follow",
      [
        ["1.2.0", BASE],
        ["1.4.0", BASE],
      ],
      ["1.3.0", EXTRA],
      false,
      "existing version 1.4.0, which is higher",
    ],
    [
      "an additive version in between passes",
      [
        ["1.2.0", BASE],
        ["1.4.0", EXTRA],
      ],
      ["1.3.0", EXTRA],
      false,
      "passed",
    ],
  ];

  it.each(cases)("%s", async (_name, seeds, [version, exports], skipSemverCheck, expected) => {
    const { publishAs } = await setup();
    for (const [seedVersion, seedExports] of seeds) await publishAs(`example:p@${seedVersion}`, seedExports, { skipSemverCheck: true });
    const attempt = publishAs(`example:p@${version}`, exports, { skipSemverCheck });
    if (["passed", "first in series", "skipped"].includes(expected)) await expect(attempt).resolves.toMatchObject({ semver: expected });
    else await expect(attempt).rejects.toMatchObject({ code: "SEMVER_INCOMPATIBLE", message: expect.stringContaining(expected) });
  });

  it("publishes without checking, and says so, when there is no decoder", async () => {
    const { client, events } = await setup({ withInspector: false });
    await client.publish(bytes("one"), { package: "example:p@1.0.0" });
    const outcome = await client.publish(bytes("two"), { package: "example:p@1.1.0" });
    expect(outcome.semver).toBe("unchecked");
    expect(events).toContainEqual(expect.objectContaining({ type: "warn", message: expect.stringContaining("not checked") }));
  });

  it("masks series as upstream: X.*, 0.Y.*, or exactly 0.0.Z", () => {
    expect(seriesOf(Version.parse("1.4.2")).toString()).toBe(">=1.0.0, <2.0.0");
    expect(seriesOf(Version.parse("0.3.1")).toString()).toBe(">=0.3.0, <0.4.0");
    expect(seriesOf(Version.parse("0.0.7")).toString()).toBe("=0.0.7");
  });
});
