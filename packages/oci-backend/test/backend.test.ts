import { type BackendContext, PackageRef, Version, VersionReq, isWkgError, listMatchingVersions, streamContent } from "@wasm-pkg/common";
import { type TestRegistry, cleanupTempDirs, startRegistry } from "@wasm-pkg/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OciClient, createOciBackendFactory, ociBackend } from "../src/index.js";
import { FIXTURE, fakeComponent, readAll, recordingLogger, sameBytes, sha256 } from "./helpers.js";

afterAll(cleanupTempDirs);

let unique = 0;
const pkg = () => PackageRef.parse(`wkgtest:p${process.pid}x${++unique}`);

function context(registry: TestRegistry, extra: Partial<BackendContext> = {}): BackendContext {
  return {
    registry: registry.registry,
    backendConfig: {},
    protocolMetadata: undefined,
    logger: () => {},
    transport: {},
    env: {},
    cwd: process.cwd(),
    ...extra,
  };
}

describe("the oci backend against the real registry", () => {
  let registry: TestRegistry;
  let raw: OciClient;
  beforeAll(async () => {
    registry = await startRegistry({ mode: "open" });
    raw = new OciClient({ env: {}, dockerConfig: false });
  });
  afterAll(async () => {
    await raw?.close();
    await registry?.stop();
  });

  it("publishes, lists, resolves and streams a release, verified", async () => {
    const logger = recordingLogger();
    const backend = await ociBackend.create(context(registry, { logger }));
    expect(backend.protocol).toBe("oci");
    const ref = pkg();
    const result = await backend.publish(ref, Version.parse("0.2.0"), new Blob([FIXTURE]), {
      annotations: { "org.opencontainers.image.description": "wasi http types", "org.opencontainers.image.licenses": "Apache-2.0" },
    });
    expect(result.contentDigest.toString()).toBe(sha256(FIXTURE));
    expect(result.location).toBe(`${registry.registry}/${ref.namespace}/${ref.name}:0.2.0@${result.id}`);

    expect((await backend.listAllVersions(ref)).map((v) => [v.version.toString(), v.yanked])).toEqual([["0.2.0", false]]);
    const release = await backend.getRelease(ref, Version.parse("0.2.0"));
    expect(release).toMatchObject({ size: FIXTURE.length });
    expect(release.contentDigest.toString()).toBe(sha256(FIXTURE));
    const content = await streamContent(backend, ref, release);
    expect(sameBytes(await readAll(content), FIXTURE)).toBe(true);

    const manifest = await raw.resolve(`${registry.registry}/${ref.namespace}/${ref.name}:0.2.0`);
    expect(manifest.manifest.annotations).toEqual({
      "org.opencontainers.image.version": "0.2.0",
      "org.opencontainers.image.description": "wasi http types",
      "org.opencontainers.image.licenses": "Apache-2.0",
    });
    expect(manifest.layer.annotations).toEqual({ "org.opencontainers.image.title": `${ref.name}.wasm` });
    expect(logger.events.some((e) => e.type === "progress" && e.total === FIXTURE.length)).toBe(true);
  });

  it("is idempotent for the same bytes and refuses to replace a version with other bytes", async () => {
    const backend = await ociBackend.create(context(registry));
    const ref = pkg();
    const bytes = fakeComponent(3000);
    const first = await backend.publish(ref, Version.parse("1.0.0"), bytes);
    const again = await backend.publish(ref, Version.parse("1.0.0"), bytes);
    expect(again.id).toBe(first.id);
    const other = await backend.publish(ref, Version.parse("1.0.0"), fakeComponent(3000)).catch((e: unknown) => e);
    expect(isWkgError(other, "VERSION_EXISTS")).toBe(true);
    expect((other as Error).message).toContain("already exists");
  });

  it("ignores tags that are not versions and maps build metadata through `_`", async () => {
    const backend = await ociBackend.create(context(registry));
    const ref = pkg();
    await backend.publish(ref, Version.parse("1.0.0+build.5"), fakeComponent(100));
    await backend.publish(ref, Version.parse("1.1.0-rc.1"), fakeComponent(100));
    await raw.push(`${registry.registry}/${ref.namespace}/${ref.name}:latest`, fakeComponent(100));
    await raw.push(`${registry.registry}/${ref.namespace}/${ref.name}:v2`, fakeComponent(100));
    const versions = (await backend.listAllVersions(ref)).map((v) => v.version.toString()).sort();
    expect(versions).toEqual(["1.0.0+build.5", "1.1.0-rc.1"]);
    expect(await raw.listTags(`${registry.registry}/${ref.namespace}/${ref.name}`)).toContain("1.0.0_build.5");
    const release = await backend.getRelease(ref, Version.parse("1.0.0+build.5"));
    expect(release.size).toBe(100);
    const matching = await listMatchingVersions(backend, ref, VersionReq.parse("^1"));
    expect(matching.map((v) => v.version.toString())).toEqual(["1.0.0+build.5"]);
  });

  it("says PACKAGE_NOT_FOUND and VERSION_NOT_FOUND", async () => {
    const backend = await ociBackend.create(context(registry));
    const missing = pkg();
    const list = await backend.listAllVersions(missing).catch((e: unknown) => e);
    expect(isWkgError(list, "PACKAGE_NOT_FOUND")).toBe(true);
    expect(await listMatchingVersions(backend, missing, VersionReq.parse("*"))).toEqual([]);
    const ref = pkg();
    await backend.publish(ref, Version.parse("1.0.0"), fakeComponent(10));
    const version = await backend.getRelease(ref, Version.parse("2.0.0")).catch((e: unknown) => e);
    expect(isWkgError(version, "VERSION_NOT_FOUND")).toBe(true);
    expect((version as Error).message).toContain(`version 2.0.0 of ${ref} not found`);
  });

  it("puts packages under oci.registry with the namespace prefix from registry metadata", async () => {
    const backend = await ociBackend.create(
      context(registry, {
        registry: "example.invalid",
        protocolMetadata: { registry: registry.registry, namespacePrefix: "webassembly/" },
      }),
    );
    const ref = pkg();
    await backend.publish(ref, Version.parse("0.1.0"), fakeComponent(50));
    expect(await raw.listTags(`${registry.registry}/webassembly/${ref.namespace}/${ref.name}`)).toEqual(["0.1.0"]);
  });

  it("uploads nothing on a dry run", async () => {
    const backend = await ociBackend.create(context(registry));
    const ref = pkg();
    const result = await backend.publish(ref, Version.parse("1.0.0"), fakeComponent(10), { dryRun: true });
    expect(result.id).toMatch(/^sha256:/);
    const list = await backend.listAllVersions(ref).catch((e: unknown) => e);
    expect(isWkgError(list, "PACKAGE_NOT_FOUND")).toBe(true);
  });

  it("records the component's imports and exports from an injected decoder, sorted", async () => {
    const factory = createOciBackendFactory({
      describe: async (bytes) => ({ imports: ["wasi:io/streams@0.2.0", "wasi:cli/stdout@0.2.0"], exports: [`bytes-${bytes.length}`] }),
    });
    const backend = await factory.create(context(registry));
    const ref = pkg();
    await backend.publish(ref, Version.parse("1.0.0"), fakeComponent(77));
    const pulled = await raw.resolve(`${registry.registry}/${ref.namespace}/${ref.name}:1.0.0`);
    expect(pulled.config?.component).toEqual({
      imports: ["wasi:cli/stdout@0.2.0", "wasi:io/streams@0.2.0"],
      exports: ["bytes-77"],
      target: null,
    });
  });

  it("makes pushes reproducible: created from SOURCE_DATE_EPOCH or the created annotation", async () => {
    // Two namespaces, one name: the layer title (`<name>.wasm`) and the version are the same.
    const name = `same${process.pid}x${++unique}`;
    const ref = PackageRef.parse(`wkgtesta:${name}`);
    const ref2 = PackageRef.parse(`wkgtestb:${name}`);
    const bytes = fakeComponent(500);
    const withEpoch = await ociBackend.create(context(registry, { env: { SOURCE_DATE_EPOCH: "1700000000" } }));
    const a = await withEpoch.publish(ref, Version.parse("1.0.0"), bytes);
    const b = await (await ociBackend.create(context(registry))).publish(ref2, Version.parse("1.0.0"), bytes, {
      annotations: { "org.opencontainers.image.created": "2023-11-14T22:13:20Z" },
    });
    // Same bytes, same metadata, same creation time: the same manifest, in two repositories.
    expect(b.id).toBe(a.id);
    const config = (await raw.resolve(`${registry.registry}/${ref2.namespace}/${ref2.name}:1.0.0`)).config;
    expect(config?.created).toBe("2023-11-14T22:13:20Z");
  });
});

describe("backend configuration", () => {
  let basic: TestRegistry;
  let tls: TestRegistry;
  beforeAll(async () => {
    [basic, tls] = await Promise.all([startRegistry({ mode: "basic" }), startRegistry({ mode: "tls" })]);
  });
  afterAll(async () => {
    await Promise.all([basic?.stop(), tls?.stop()]);
  });

  it("takes auth as a table or as base64 user:pass", async () => {
    for (const auth of [
      { username: basic.username, password: basic.password },
      Buffer.from(`${basic.username}:${basic.password}`).toString("base64"),
    ]) {
      const backend = await ociBackend.create(context(basic, { backendConfig: { auth } }));
      await backend.publish(pkg(), Version.parse("1.0.0"), fakeComponent(20));
    }
  });

  it("rejects invalid settings with the table and key in the message", async () => {
    const cases: Array<[unknown, string]> = [
      [{ protocol: "ftp" }, 'Unknown OCI protocol "ftp"'],
      [{ auth: "%%%" }, "invalid base64-encoded creds"],
      [{ auth: Buffer.from("nocolon").toString("base64") }, "expected <username>:<password> but no ':' found"],
      [{ auth: { username: "a" } }, "needs both `username` and `password`"],
      [{ accept_invalid_certificates: "yes" }, "must be true or false"],
      [{ extra_root_certificates: [{ encoding: "pem", data: "nope" }] }, "not a PEM certificate"],
    ];
    for (const [backendConfig, message] of cases) {
      const error = await Promise.resolve()
        .then(() => ociBackend.create(context(basic, { backendConfig })))
        .catch((e: unknown) => e);
      expect(isWkgError(error, "INVALID_CONFIG"), String(error)).toBe(true);
      expect((error as Error).message).toContain(message);
      expect((error as Error).message).toContain(`[registry."${basic.registry}".oci]`);
    }
  });

  it("warns about unknown keys", async () => {
    const logger = recordingLogger();
    await ociBackend.create(context(basic, { logger, backendConfig: { protocl: "http" } }));
    expect(logger.events).toContainEqual(expect.objectContaining({ type: "warn", message: expect.stringContaining('"protocl"') }));
  });

  it("trusts extra_root_certificates (PEM or base64 DER), or any certificate when told to", async () => {
    const der = (tls.caCert as string).replace(/-----[A-Z ]+-----|\s/g, "");
    const configs = [
      { protocol: "https", extra_root_certificates: [{ encoding: "pem", data: tls.caCert }] },
      { protocol: "https", extra_root_certificates: [{ encoding: "der", data: der }] },
      { protocol: "https", accept_invalid_certificates: true },
    ];
    for (const backendConfig of configs) {
      const backend = await ociBackend.create(context(tls, { backendConfig }));
      await backend.publish(pkg(), Version.parse("1.0.0"), fakeComponent(20));
    }
    const untrusted = await ociBackend.create(context(tls, { backendConfig: { protocol: "https" }, transport: { retries: 0 } }));
    const error = await untrusted.listAllVersions(pkg()).catch((e: unknown) => e);
    expect(isWkgError(error, "NETWORK")).toBe(true);
    expect((error as { hint?: string }).hint).toContain("extra_root_certificates");
  });

  it("lets WKG_REGISTRY_<HOST>_AUTH_BEARER win over config auth", async () => {
    const name = `WKG_REGISTRY_127_0_0_1_${basic.port}_AUTH_BEARER`;
    const backend = await ociBackend.create(
      context(basic, {
        env: { [name]: "not-a-valid-token" },
        backendConfig: { auth: { username: basic.username, password: basic.password } },
      }),
    );
    // The bearer token is sent instead of the (valid) Basic credentials, so the registry refuses.
    const error = await backend.listAllVersions(pkg()).catch((e: unknown) => e);
    expect(isWkgError(error, "UNAUTHORIZED")).toBe(true);
  });
});
