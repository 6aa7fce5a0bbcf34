import { afterEach, describe, expect, it } from "vitest";
import {
  OPERATOR_LOG_ID,
  PrivateKey,
  decodeLogProofBundle,
  decodeMapProofBundle,
  envelopeToJson,
  evaluateInclusion,
  evaluateMapProof,
  fromBase64,
  hashText,
  logLeafHash,
  packageLogId,
  parseAnyHash,
  parseSignedCheckpoint,
  sha256,
  signPackageRecord,
  verifyCheckpointSignature,
  verifyConsistency,
} from "@wasm-pkg/warg-backend/protocol";
import { TEST_KEYS, type WargTestServer, startWargServer } from "../src/index.js";

const ALICE = PrivateKey.parse(TEST_KEYS.alice);
const BOB = PrivateKey.parse(TEST_KEYS.bob);
const COMPONENT = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00);

let server: WargTestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function call(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const response = await fetch(`${server!.url}/${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: { ...(init.body === undefined ? {} : { "content-type": "application/json" }), ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const type = response.headers.get("content-type");
  const text = await response.text();
  return {
    status: response.status,
    type,
    text,
    json: type === "application/json" ? JSON.parse(text) : undefined,
    headers: response.headers,
  };
}

function releaseRecord(version: string, content: Uint8Array, key: PrivateKey, init = true, prev?: string) {
  const digest = hashText(sha256(content));
  const record = {
    ...(prev ? { prev } : {}),
    version: 0,
    time: { seconds: Math.floor(Date.now() / 1000), nanos: 0 },
    entries: [
      ...(init ? [{ kind: "init" as const, key: key.publicKey, hashAlgorithm: "sha256" as const }] : []),
      { kind: "release" as const, version, content: digest },
    ],
  };
  return { envelope: signPackageRecord(record, key), digest };
}

async function waitFor(logId: string, recordId: string) {
  for (let i = 0; i < 100; i++) {
    const status = await call(`v1/package/${logId}/record/${recordId}`);
    if (status.json.state !== "processing") return status.json;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("record never left processing");
}

describe("warg test server", () => {
  it("starts with a signed checkpoint over the operator record, as exactly application/json", async () => {
    server = await startWargServer();
    const res = await call("v1/fetch/checkpoint");
    expect(res.status).toBe(200);
    expect(res.type).toBe("application/json");
    const cp = parseSignedCheckpoint(res.json);
    expect(cp.contents.logLength).toBe(1);
    expect(cp.keyId).toBe(ALICE.publicKey.keyId);
    expect(verifyCheckpointSignature(cp, ALICE.publicKey)).toBe(true);
    expect(cp.contents.logRoot).toBe(hashText(logLeafHash(OPERATOR_LOG_ID, server.core.leaves[0]!.recordId)));
  });

  it("publishes a component: sourcing, upload, published, checkpoint, names", async () => {
    server = await startWargServer({ requireWasm: true });
    const name = "test:component";
    const logId = packageLogId(name);
    const { envelope, digest } = releaseRecord("0.1.0", COMPONENT, BOB);
    const submitted = await call(`v1/package/${logId}/record`, { body: { packageName: name, record: envelopeToJson(envelope) } });
    expect(submitted.status).toBe(202);
    expect(submitted.json.state).toBe("sourcing");
    const upload = submitted.json.missingContent[digest].upload[0];
    expect(upload).toEqual({
      type: "http",
      method: "POST",
      url: `v1/package/${logId}/record/${submitted.json.recordId}/content/${digest}`,
    });
    const up = await fetch(`${server.url}/${upload.url}`, { method: "POST", body: COMPONENT });
    expect(up.status).toBe(201);
    const final = await waitFor(logId, submitted.json.recordId);
    expect(final).toEqual({ recordId: submitted.json.recordId, state: "published", registryIndex: 1 });
    expect((await call("v1/fetch/checkpoint")).json.contents.logLength).toBe(2);
    expect((await call("v1/fetch/names", { body: { packages: [logId] } })).json).toEqual({ packages: { [logId]: name } });

    const sources = await call(`v1/content/${digest}`);
    const [source] = sources.json.contentSources[digest];
    expect(source.url).toBe(`${server.url}/content/${digest.replace(":", "-")}`);
    expect(new Uint8Array(await (await fetch(source.url)).arrayBuffer())).toEqual(COMPONENT);
  });

  it("rejects bad signatures, unknown keys, undefined namespaces and non-Wasm content", async () => {
    server = await startWargServer({ requireWasm: true });
    const name = "test:pkg";
    const logId = packageLogId(name);
    const { envelope } = releaseRecord("1.0.0", COMPONENT, ALICE);
    const forged = {
      ...envelopeToJson(envelope),
      signature: "ecdsa-p256:MEUCIQCzWZBW6ux9LecP66Y+hjmLZTP/hZVz7puzlPTXcRT2wwIgQZO7nxP0nugtw18MwHZ26ROFWcJmgCtKOguK031Y1D0=",
    };
    const bad = await call(`v1/package/${logId}/record`, { body: { packageName: name, record: forged } });
    expect(bad.status).toBe(401);
    expect(bad.json.message).toContain("verification failed");

    server.release(name, "1.0.0", COMPONENT, ALICE);
    const head = server.core.logs.get(logId)!.records[0]!.recordId;
    const stranger = releaseRecord("2.0.0", COMPONENT, BOB, false, head);
    const unknown = await call(`v1/package/${logId}/record`, { body: { packageName: name, record: envelopeToJson(stranger.envelope) } });
    expect(unknown.status).toBe(401);
    expect(unknown.json.message).toBe(`unknown key id \`${BOB.publicKey.keyId}\``);

    const other = releaseRecord("1.0.0", COMPONENT, ALICE);
    const ns = await call(`v1/package/${packageLogId("nope:pkg")}/record`, {
      body: { packageName: "nope:pkg", record: envelopeToJson(other.envelope) },
    });
    expect(ns.json).toEqual({ status: 404, type: "namespace", id: "nope" });

    const empty = releaseRecord("1.0.0", new Uint8Array(), ALICE);
    const emptyLog = packageLogId("test:empty");
    const sub = await call(`v1/package/${emptyLog}/record`, {
      body: { packageName: "test:empty", record: envelopeToJson(empty.envelope) },
    });
    const up = await fetch(`${server.url}/${sub.json.missingContent[empty.digest].upload[0].url}`, {
      method: "POST",
      body: new Uint8Array(),
    });
    expect(up.status).toBe(422);
    expect(await up.json()).toEqual({ status: 422, message: "content is not valid WebAssembly: unexpected end-of-file (at offset 0x0)" });
    const status = await call(`v1/package/${emptyLog}/record/${sub.json.recordId}`);
    expect(status.json.state).toBe("rejected");
    expect(status.json.reason).toContain("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("rejects a record that does not follow its log and reports the reason", async () => {
    server = await startWargServer();
    const name = "test:chain";
    const logId = packageLogId(name);
    server.release(name, "1.0.0", COMPONENT, ALICE);
    const wrongPrev = releaseRecord("1.0.1", COMPONENT, ALICE, false, hashText(sha256(new Uint8Array([1]))));
    const sub = await call(`v1/package/${logId}/record`, { body: { packageName: name, record: envelopeToJson(wrongPrev.envelope) } });
    expect(sub.json.state).toBe("processing");
    const final = await waitFor(logId, sub.json.recordId);
    expect(final.state).toBe("rejected");
    expect(final.reason).toContain("previous record hash does not match");
  });

  it("answers fetch/logs with pagination, exact 404 shapes and strict request fields", async () => {
    server = await startWargServer();
    const name = "test:many";
    const logId = packageLogId(name);
    for (let i = 0; i < 5; i++) server.release(name, `1.0.${i}`, Uint8Array.of(i), ALICE);
    const logLength = server.core.latest.contents.logLength;
    const page = await call("v1/fetch/logs", { body: { logLength, limit: 2, packages: { [logId]: null } } });
    expect(page.json.more).toBe(true);
    expect(page.json.packages[logId]).toHaveLength(2);
    expect(page.json.operator).toHaveLength(1);
    const token = page.json.packages[logId][1].fetchToken;
    const next = await call("v1/fetch/logs", {
      body: { logLength, limit: 10, operator: page.json.operator[0].fetchToken, packages: { [logId]: token } },
    });
    expect(next.json.more).toBe(false);
    expect(next.json.packages[logId].map((r: { registryIndex: number }) => r.registryIndex)).toEqual([3, 4, 5]);
    expect(next.json.operator).toEqual([]);

    const missing = packageLogId("test:missing");
    expect((await call("v1/fetch/logs", { body: { logLength, packages: { [missing]: null } } })).json).toEqual({
      status: 404,
      type: "log",
      id: missing,
    });
    expect((await call("v1/fetch/logs", { body: { logLength: 999 } })).json).toEqual({ status: 404, type: "logLength", id: 999 });
    const badToken = hashText(sha256(new Uint8Array([9])));
    expect((await call("v1/fetch/logs", { body: { logLength, operator: badToken } })).json).toEqual({
      status: 404,
      type: "fetchToken",
      id: badToken,
    });
    expect((await call("v1/fetch/logs", { body: { logLength, limit: 0 } })).status).toBe(400);
    expect((await call("v1/fetch/logs", { body: { logLength, extra: 1 } })).status).toBe(422);
    const wrongType = await fetch(`${server.url}/v1/fetch/logs`, { method: "POST", body: JSON.stringify({ logLength }) });
    expect(wrongType.status).toBe(415);
  });

  it("produces inclusion and consistency proofs that verify", async () => {
    server = await startWargServer();
    const first = server.core.latest.contents;
    for (let i = 0; i < 6; i++) server.release(`test:p${i % 3}`, `1.0.${i}`, Uint8Array.of(i), ALICE);
    const cp = server.core.latest.contents;
    const leafs = [0, 4, 5, 6];
    const res = await call("v1/proof/inclusion", { body: { logLength: cp.logLength, leafs } });
    const log = decodeLogProofBundle(fromBase64(res.json.log, "log"));
    const map = decodeMapProofBundle(fromBase64(res.json.map, "map"));
    expect(log.includedIndices).toEqual(leafs.map((i) => 2 * i));
    leafs.forEach((index, i) => {
      const leaf = server!.core.leaves[index]!;
      expect(evaluateInclusion(2 * index, logLeafHash(leaf.logId, leaf.recordId), cp.logLength, log.hashes)).toEqual(
        parseAnyHash(cp.logRoot, "root"),
      );
      expect(evaluateMapProof(leaf.logId, leaf.recordId, map[i]!)).toEqual(parseAnyHash(cp.mapRoot, "root"));
    });
    // Leaf 1 is no longer the latest record of its log.
    expect((await call("v1/proof/inclusion", { body: { logLength: cp.logLength, leafs: [1] } })).json).toMatchObject({
      status: 422,
      reason: "packageNotIncluded",
    });
    expect((await call("v1/proof/inclusion", { body: { logLength: cp.logLength, leafs: [99] } })).json).toEqual({
      status: 404,
      type: "leaf",
      id: 99,
    });

    const proof = await call("v1/proof/consistency", { body: { from: first.logLength, to: cp.logLength } });
    const bundle = decodeLogProofBundle(fromBase64(proof.json.proof, "proof"));
    expect(bundle.consistentLengths).toEqual([first.logLength]);
    expect(() =>
      verifyConsistency(first.logLength, parseAnyHash(first.logRoot, "r"), cp.logLength, parseAnyHash(cp.logRoot, "r"), bundle.hashes),
    ).not.toThrow();
    expect((await call("v1/proof/consistency", { body: { from: 5, to: 2 } })).json).toMatchObject({ status: 422, reason: "failure" });
  });

  it("serves the ledger, verifies checkpoints, refuses Warg-Registry and unknown routes", async () => {
    server = await startWargServer();
    server.release("test:a", "1.0.0", Uint8Array.of(1), ALICE);
    const ledger = await call("v1/ledger");
    expect(ledger.json.sources).toEqual([
      { firstRegistryIndex: 0, lastRegistryIndex: 1, url: "v1/ledger/records/0", contentType: "application/vnd.warg.ledger.packed" },
    ]);
    const records = await fetch(`${server.url}/v1/ledger/records/0`);
    expect((await records.arrayBuffer()).byteLength).toBe(64 * 2);
    expect((await call("v1/verify/checkpoint", { body: server.core.latest })).json).toEqual({
      checkpoint: "verified",
      signature: "verified",
    });
    const forged = { ...server.core.latest, contents: { ...server.core.latest.contents, logLength: 1 } };
    expect((await call("v1/verify/checkpoint", { body: forged })).json).toEqual({ checkpoint: "invalid", signature: "invalid" });

    const federated = await call("v1/fetch/checkpoint", { headers: { "warg-registry": "other.example" } });
    expect(federated.status).toBe(501);
    expect(federated.type).toMatch(/^text\/plain/);
    expect(federated.text).toBe("`Warg-Registry` header is not supported");
    expect((await call("v1/nothing")).json).toEqual({ status: 404, message: "the requested resource was not found" });
  });

  it("demands the bearer token on the API only, and serves under a path prefix", async () => {
    server = await startWargServer({ authToken: "s3cret-token", prefix: "/warg" });
    expect(server.url).toMatch(/\/warg$/);
    expect((await call("v1/fetch/checkpoint")).status).toBe(401);
    expect((await call("v1/fetch/checkpoint", { headers: { authorization: "Bearer s3cret-token" } })).status).toBe(200);
    server.release("test:a", "1.0.0", Uint8Array.of(7), ALICE);
    const digest = hashText(sha256(Uint8Array.of(7)));
    expect((await fetch(`${server.url}/content/${digest.replace(":", "-")}`)).status).toBe(200);
  });

  it("routes Warg-Registry to a peer and hints at it for its packages", async () => {
    server = await startWargServer({ peers: { "other.example": { namespaces: ["other"] } } });
    server
      .peer("other.example")
      .commit("other:thing", [{ kind: "release", version: "1.0.0", content: hashText(sha256(Uint8Array.of(1))) }], BOB, [Uint8Array.of(1)]);
    const logId = packageLogId("other:thing");
    const home = await call("v1/fetch/logs", { body: { logLength: 1, packages: { [logId]: null } } });
    expect(home.status).toBe(404);
    expect(home.headers.get("warg-registry-hint")).toBe("other=other.example");
    const peerCp = await call("v1/fetch/checkpoint", { headers: { "warg-registry": "other.example" } });
    expect(peerCp.json.contents.logLength).toBe(2);
  });

  it("misbehaves on demand and is honest again afterwards", async () => {
    server = await startWargServer();
    server.release("test:a", "1.0.0", Uint8Array.of(1), ALICE);
    const honest = (await call("v1/fetch/checkpoint")).json;
    server.misbehave("rollback");
    expect((await call("v1/fetch/checkpoint")).json.contents.logLength).toBe(honest.contents.logLength - 1);
    server.misbehave("checkpoint-signature");
    const bad = parseSignedCheckpoint((await call("v1/fetch/checkpoint")).json);
    expect(verifyCheckpointSignature(bad, ALICE.publicKey)).toBe(false);
    server.misbehave("fork");
    const forked = (await call("v1/fetch/checkpoint")).json;
    expect(forked.contents.logLength).toBe(honest.contents.logLength);
    expect(forked.contents.logRoot).not.toBe(honest.contents.logRoot);
    server.misbehave("wrong-content");
    const digest = hashText(sha256(Uint8Array.of(1)));
    expect(new Uint8Array(await (await fetch(`${server.url}/content/${digest.replace(":", "-")}`)).arrayBuffer())).toEqual(
      Uint8Array.of(0xfe),
    );
    server.misbehave(null);
    expect((await call("v1/fetch/checkpoint")).json.contents.logRoot).toBe(honest.contents.logRoot);
    expect(() => server!.misbehave("nonsense" as never)).toThrow(/unknown misbehaviour/);
  });
});
