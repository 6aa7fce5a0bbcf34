import {
  type Envelope,
  type EnvelopeJson,
  OPERATOR_LOG_ID,
  type OperatorEntry,
  OperatorLog,
  PackageLog,
  type PackageEntry,
  type PackageRecord,
  type PrivateKey,
  SIGNATURE_PREFIX,
  type SignedCheckpoint,
  compareTime,
  consistencyNodes,
  decodePackageRecord,
  encodeLogProofBundle,
  encodeMapProofBundle,
  encodeOperatorRecord,
  encodePackageRecord,
  envelopeToJson,
  hashText,
  inclusionWalk,
  logLeafHash,
  mapKey,
  mapLeafHash,
  nodeExists,
  packageLogId,
  parseSignedCheckpoint,
  recordId as computeRecordId,
  sha256,
  signCheckpoint,
  signEnvelope,
  signingMessage,
  timeFromDate,
  toBase64,
  verifyCheckpointSignature,
  walkNodes,
} from "@wasm-pkg/warg-backend/protocol";
import { ApiError, badRequest, notFound, proofFailure, unprocessable } from "./api-error.js";
import { LogTree, type MapEntry, mapProof, mapRoot } from "./merkle.js";
import { toHighS } from "./signatures.js";

export interface CoreOptions {
  operatorKey: PrivateKey;
  /** Namespaces the operator defines in its init record. */
  namespaces: string[];
  /** Namespaces the operator imports from other registries (namespace -> registry domain). */
  imports: Record<string, string>;
  /** Reject content that does not start with the Wasm magic, as the reference policy. */
  requireWasm: boolean;
  /** Give every signature the server makes (records it seeds, checkpoints) its high-S form. */
  highS?: boolean;
  /** Shift of the operator record's clock; a different value gives a different history. */
  epochOffsetSeconds?: number;
}

interface StoredRecord {
  envelope: Envelope;
  recordId: string;
  registryIndex: number;
}

interface Log {
  kind: "operator" | "package";
  name?: string;
  records: StoredRecord[];
  state: PackageLog | OperatorLog;
}

export type RecordState = "sourcing" | "processing" | "rejected" | "published";

interface PendingRecord {
  recordId: string;
  logId: string;
  name: string;
  envelope: Envelope;
  missing: Set<string>;
  state: RecordState;
  reason?: string;
  registryIndex?: number;
}

export interface FetchedRecord extends EnvelopeJson {
  registryIndex: number;
  fetchToken: string;
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

/**
 * One registry's state: the registry log, per-log records and replay state, checkpoints,
 * content and records in flight. Pure in-memory; the HTTP layer turns calls into responses.
 */
export class RegistryCore {
  readonly tree = new LogTree();
  readonly leaves: Array<{ logId: string; recordId: string }> = [];
  readonly logs = new Map<string, Log>();
  readonly checkpoints = new Map<number, SignedCheckpoint>();
  readonly content = new Map<string, Uint8Array>();
  readonly records = new Map<string, PendingRecord>();
  latest!: SignedCheckpoint;
  private readonly queue: string[] = [];

  constructor(readonly options: CoreOptions) {
    const entries: OperatorEntry[] = [
      { kind: "init", key: options.operatorKey.publicKey, hashAlgorithm: "sha256" },
      ...options.namespaces.map((namespace) => ({ kind: "defineNamespace" as const, namespace })),
      ...Object.entries(options.imports).map(([namespace, registry]) => ({ kind: "importNamespace" as const, namespace, registry })),
    ];
    this.appendOperatorRecord(entries);
  }

  get operator(): OperatorLog {
    return this.logs.get(OPERATOR_LOG_ID)?.state as OperatorLog;
  }

  private sign<T extends { signature: string }>(signed: T): T {
    return this.options.highS ? { ...signed, signature: toHighS(signed.signature) } : signed;
  }

  private now(): Date {
    return new Date(Date.now() + (this.options.epochOffsetSeconds ?? 0) * 1000);
  }

  /** Sign and append an operator record (e.g. to define another namespace later). */
  appendOperatorRecord(entries: OperatorEntry[]): string {
    const log = this.logs.get(OPERATOR_LOG_ID);
    const state = log ? (log.state as OperatorLog) : new OperatorLog();
    const prev = state.head?.recordId;
    const time = timeFromDate(this.now());
    if (state.head && state.head.timestamp.seconds > time.seconds) time.seconds = state.head.timestamp.seconds;
    const bytes = encodeOperatorRecord({ ...(prev ? { prev } : {}), version: 0, time, entries });
    const envelope = this.sign(signEnvelope("operator", bytes, this.options.operatorKey));
    const { recordId } = state.apply(envelope);
    if (!log) this.logs.set(OPERATOR_LOG_ID, { kind: "operator", records: [], state });
    this.append(OPERATOR_LOG_ID, envelope, recordId);
    this.checkpoint();
    return recordId;
  }

  private append(logId: string, envelope: Envelope, recordId: string): number {
    const registryIndex = this.leaves.length;
    this.leaves.push({ logId, recordId });
    this.tree.push(logLeafHash(logId, recordId));
    this.logs.get(logId)?.records.push({ envelope, recordId, registryIndex });
    return registryIndex;
  }

  /** Latest record of every log among the first `length` leaves. */
  mapEntries(length: number): Map<string, string> {
    const latest = new Map<string, string>();
    for (const leaf of this.leaves.slice(0, length)) latest.set(leaf.logId, leaf.recordId);
    return latest;
  }

  private mapTree(length: number): MapEntry[] {
    return [...this.mapEntries(length)].map(([logId, recordId]) => ({ key: mapKey(logId), leaf: mapLeafHash(recordId) }));
  }

  checkpoint(): SignedCheckpoint {
    const logLength = this.leaves.length;
    const contents = {
      logLength,
      logRoot: hashText(this.tree.root(logLength)),
      mapRoot: hashText(mapRoot(this.mapTree(logLength))),
      timestamp: Math.floor(this.now().getTime() / 1000),
    };
    const signed = this.sign(signCheckpoint(contents, this.options.operatorKey));
    this.checkpoints.set(logLength, signed);
    this.latest = signed;
    for (const record of this.records.values()) {
      if (record.state === "processing" && record.registryIndex !== undefined && record.registryIndex < logLength)
        record.state = "published";
    }
    return signed;
  }

  // ------------------------------------------------------------ publishing

  submit(logIdParam: string, body: unknown): Record<string, unknown> {
    const req = body as { packageName?: unknown; record?: unknown; contentSources?: unknown };
    if (typeof req?.packageName !== "string") throw unprocessable("missing field `packageName`");
    const name = req.packageName;
    if (packageLogId(name) !== logIdParam) throw badRequest(`package log id \`${logIdParam}\` does not match package name \`${name}\``);
    const r = req.record as Record<string, unknown> | undefined;
    if (typeof r?.contentBytes !== "string" || typeof r.keyId !== "string" || typeof r.signature !== "string") {
      throw unprocessable("missing field `record`");
    }
    const envelope: Envelope = {
      contentBytes: new Uint8Array(Buffer.from(r.contentBytes, "base64")),
      keyId: r.keyId,
      signature: r.signature,
    };
    let record: PackageRecord;
    try {
      record = decodePackageRecord(envelope.contentBytes);
    } catch (error) {
      throw badRequest(`invalid package record: ${(error as Error).message}`);
    }
    if (req.contentSources && Object.keys(req.contentSources as object).length > 0) {
      throw new ApiError(501, { status: 501, message: "specifying content sources is not supported" });
    }
    const namespace = name.slice(0, name.lastIndexOf(":"));
    const ns = this.operator.namespace(namespace);
    if (!ns) throw notFound("namespace", namespace);
    if (ns.state === "imported") throw new ApiError(409, { status: 409, type: "namespaceImport", id: namespace });

    const log = this.logs.get(logIdParam);
    let key = (log?.state as PackageLog | undefined)?.keys.get(envelope.keyId);
    const first = record.entries[0];
    if (!key && first?.kind === "init" && first.key.keyId === envelope.keyId) key = first.key;
    if (!key) throw new ApiError(401, { status: 401, message: `unknown key id \`${envelope.keyId}\`` });
    if (!key.verify(signingMessage(SIGNATURE_PREFIX.package, envelope.contentBytes), envelope.signature)) {
      throw new ApiError(401, { status: 401, message: `signature \`${envelope.signature}\` verification failed` });
    }

    const recordId = computeRecordId("package", envelope.contentBytes);
    const existing = this.records.get(recordId);
    if (existing) return this.statusJson(existing);
    const conflict = [...this.records.values()].find(
      (p) => p.logId === logIdParam && (p.state === "sourcing" || (p.state === "processing" && p.registryIndex === undefined)),
    );
    if (conflict) throw new ApiError(409, { status: 409, type: "record", id: conflict.recordId });

    const missing = new Set<string>();
    for (const entry of record.entries) if (entry.kind === "release" && !this.content.has(entry.content)) missing.add(entry.content);
    const pending: PendingRecord = {
      recordId,
      logId: logIdParam,
      name,
      envelope,
      missing,
      state: missing.size > 0 ? "sourcing" : "processing",
    };
    this.records.set(recordId, pending);
    if (missing.size === 0) this.queue.push(recordId);
    return this.statusJson(pending);
  }

  upload(logId: string, recordId: string, digest: string, bytes: Uint8Array): void {
    const pending = this.records.get(recordId);
    if (!pending || pending.logId !== logId) throw notFound("record", recordId);
    if (pending.state !== "sourcing") throw new ApiError(405, { status: 405 });
    if (!pending.missing.has(digest)) throw badRequest(`content digest \`${digest}\` is not missing for record \`${recordId}\``);
    const actual = hashText(sha256(bytes));
    if (actual !== digest) throw badRequest(`content digest \`${actual}\` does not match expected digest \`${digest}\``);
    if (this.options.requireWasm && !WASM_MAGIC.every((b, i) => bytes[i] === b)) {
      const message =
        bytes.length < 4
          ? "content is not valid WebAssembly: unexpected end-of-file (at offset 0x0)"
          : "content is not valid WebAssembly: magic header not detected";
      pending.state = "rejected";
      pending.reason = `content with digest \`${digest}\` was rejected by policy: ${message}`;
      throw unprocessable(message);
    }
    this.content.set(digest, bytes);
    pending.missing.delete(digest);
    if (pending.missing.size === 0) {
      pending.state = "processing";
      this.queue.push(recordId);
    }
  }

  /** Validate queued records in order; each accepted one gets an index and a checkpoint. */
  processQueue(): void {
    for (let id = this.queue.shift(); id !== undefined; id = this.queue.shift()) {
      const pending = this.records.get(id);
      if (pending?.state !== "processing") continue;
      let log = this.logs.get(pending.logId);
      const state = log ? (log.state as PackageLog).clone() : new PackageLog();
      try {
        state.apply(pending.envelope);
      } catch (error) {
        pending.state = "rejected";
        pending.reason = (error as Error).message;
        continue;
      }
      if (!log) {
        log = { kind: "package", name: pending.name, records: [], state };
        this.logs.set(pending.logId, log);
      }
      log.state = state;
      pending.registryIndex = this.append(pending.logId, pending.envelope, pending.recordId);
      this.checkpoint();
    }
  }

  get hasQueued(): boolean {
    return this.queue.length > 0;
  }

  status(logId: string, recordId: string): Record<string, unknown> {
    const pending = this.records.get(recordId);
    if (!pending || pending.logId !== logId)
      throw notFound(this.logs.has(logId) ? "record" : "log", this.logs.has(logId) ? recordId : logId);
    return this.statusJson(pending);
  }

  private statusJson(p: PendingRecord): Record<string, unknown> {
    const out: Record<string, unknown> = { recordId: p.recordId, state: p.state };
    if (p.state === "sourcing") {
      out.missingContent = Object.fromEntries(
        [...p.missing].map((digest) => [
          digest,
          { upload: [{ type: "http", method: "POST", url: `v1/package/${p.logId}/record/${p.recordId}/content/${digest}` }] },
        ]),
      );
    }
    if (p.state === "rejected") out.reason = p.reason;
    if (p.state === "published") out.registryIndex = p.registryIndex;
    return out;
  }

  /**
   * Test seeding: sign a package record with `key` (adding `init` when the log is new),
   * store `content` and process it at once, as if a client had published it.
   */
  commit(name: string, entries: PackageEntry[], key: PrivateKey, content: Uint8Array[] = []): string {
    const logId = packageLogId(name);
    const state = this.logs.get(logId)?.state as PackageLog | undefined;
    const all: PackageEntry[] = state ? entries : [{ kind: "init", key: key.publicKey, hashAlgorithm: "sha256" }, ...entries];
    const time = timeFromDate(this.now());
    if (state?.head && compareTime(time, state.head.timestamp) < 0) Object.assign(time, state.head.timestamp);
    const prev = state?.head?.recordId;
    const envelope = this.sign(
      signEnvelope("package", encodePackageRecord({ ...(prev ? { prev } : {}), version: 0, time, entries: all }), key),
    );
    for (const bytes of content) this.content.set(hashText(sha256(bytes)), bytes);
    const status = this.submit(logId, { packageName: name, record: envelopeToJson(envelope) });
    this.processQueue();
    const final = this.records.get(status.recordId as string) as PendingRecord;
    if (final.state !== "published") throw new Error(`seeding ${name} failed: ${final.state} ${final.reason ?? ""}`);
    return final.recordId;
  }

  // ------------------------------------------------------------ reading

  private recordsAfter(log: Log, token: string | null | undefined, logLength: number, limit: number): FetchedRecord[] {
    let start = 0;
    if (token !== undefined && token !== null) {
      const at = log.records.findIndex((r) => r.recordId === token);
      if (at < 0) throw notFound("fetchToken", token);
      start = at + 1;
    }
    return log.records
      .slice(start)
      .filter((r) => r.registryIndex < logLength)
      .slice(0, limit)
      .map((r) => ({ ...envelopeToJson(r.envelope), registryIndex: r.registryIndex, fetchToken: r.recordId }));
  }

  fetchLogs(
    body: unknown,
    hint: (logId: string) => Record<string, string>,
  ): { more: boolean; operator: FetchedRecord[]; packages: Record<string, FetchedRecord[]> } {
    const req = (body ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(req)) {
      if (!["logLength", "limit", "operator", "packages"].includes(key)) throw unprocessable(`unknown field \`${key}\``);
    }
    const logLength = req.logLength;
    if (!Number.isSafeInteger(logLength)) throw unprocessable("missing field `logLength`");
    if (!this.checkpoints.has(logLength as number)) throw notFound("logLength", logLength as number);
    const limit = req.limit === undefined ? 100 : (req.limit as number);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw badRequest(`invalid records limit value \`${String(req.limit)}\``);
    const operatorLog = this.logs.get(OPERATOR_LOG_ID) as Log;
    const operator = this.recordsAfter(operatorLog, req.operator as string | undefined, logLength as number, limit);
    let more = operator.length === limit;
    const packages: Record<string, FetchedRecord[]> = {};
    for (const [logId, token] of Object.entries((req.packages ?? {}) as Record<string, string | null>)) {
      const log = this.logs.get(logId);
      if (log?.kind !== "package") throw new ApiError(404, { status: 404, type: "log", id: logId }, hint(logId));
      packages[logId] = this.recordsAfter(log, token, logLength as number, limit);
      if (packages[logId].length === limit) more = true;
    }
    return { more, operator, packages };
  }

  names(body: unknown): Record<string, unknown> {
    const ids = (body as { packages?: unknown })?.packages;
    if (!Array.isArray(ids)) throw unprocessable("missing field `packages`");
    const out: Record<string, string | null> = {};
    for (const id of ids.slice(0, 1000) as string[]) {
      const log = this.logs.get(id);
      if (!log) throw notFound("log", id);
      out[id] = log.name ?? null;
    }
    return { packages: out };
  }

  /**
   * Log and map inclusion proofs of registry indices at a checkpoint. With `lenient`, a
   * leaf that is no longer the latest of its log is proven anyway (a server withholding
   * records would do that; the map proof then fails on the client).
   */
  inclusion(body: unknown, lenient = false): { log: string; map: string } {
    const req = body as { logLength?: unknown; leafs?: unknown };
    const logLength = req?.logLength as number;
    if (!Number.isSafeInteger(logLength) || !Array.isArray(req.leafs)) throw unprocessable("expected `logLength` and `leafs`");
    if (!this.checkpoints.has(logLength)) throw notFound("logLength", logLength);
    const latest = this.mapEntries(logLength);
    const entries = this.mapTree(logLength);
    const hashes = new Map<number, Uint8Array>();
    const mapProofs: Array<Array<Uint8Array | undefined>> = [];
    for (const index of req.leafs as number[]) {
      if (!Number.isSafeInteger(index) || index < 0 || index >= logLength) throw notFound("leaf", index);
      const leaf = this.leaves[index] as { logId: string; recordId: string };
      if (!lenient && latest.get(leaf.logId) !== leaf.recordId) {
        throw new ApiError(422, { status: 422, reason: "packageNotIncluded", log_id: leaf.logId });
      }
      for (const node of walkNodes(inclusionWalk(2 * index, logLength))) hashes.set(node, this.tree.nodeHash(node));
      mapProofs.push(mapProof(entries, mapKey(leaf.logId)));
    }
    const log = encodeLogProofBundle({
      logLength,
      consistentLengths: [],
      includedIndices: (req.leafs as number[]).map((i) => 2 * i),
      hashes,
    });
    return { log: toBase64(log), map: toBase64(encodeMapProofBundle(mapProofs)) };
  }

  consistency(body: unknown): { proof: string } {
    const { from, to } = (body ?? {}) as { from?: number; to?: number };
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) throw unprocessable("expected `from` and `to`");
    if ((from as number) < 1 || (from as number) > (to as number) || (to as number) > this.leaves.length) {
      throw proofFailure(`no consistency proof from ${from} to ${to}`);
    }
    const hashes = new Map<number, Uint8Array>();
    for (const node of consistencyNodes(from as number, to as number)) {
      if (!nodeExists(node, to as number)) throw proofFailure(`node ${node} does not exist`);
      hashes.set(node, this.tree.nodeHash(node));
    }
    return {
      proof: toBase64(encodeLogProofBundle({ logLength: to as number, consistentLengths: [from as number], includedIndices: [], hashes })),
    };
  }

  ledgerRecords(start: number): Uint8Array {
    const slice = this.leaves.slice(start, start + 1000);
    const out = new Uint8Array(64 * slice.length);
    slice.forEach((leaf, i) => {
      out.set(Buffer.from(leaf.logId.slice(7), "hex"), 64 * i);
      out.set(Buffer.from(leaf.recordId.slice(7), "hex"), 64 * i + 32);
    });
    return out;
  }

  /** The monitor endpoint: is this checkpoint one we issued, and is its signature an operator's? */
  verifyCheckpoint(body: unknown): Record<string, string> {
    let cp: SignedCheckpoint;
    try {
      cp = parseSignedCheckpoint(body);
    } catch (error) {
      throw unprocessable((error as Error).message);
    }
    const stored = this.checkpoints.get(cp.contents.logLength);
    const same = stored !== undefined && stored.contents.logRoot === cp.contents.logRoot && stored.contents.mapRoot === cp.contents.mapRoot;
    const key = this.operator.keys.get(cp.keyId);
    const signed =
      (stored !== undefined && stored.signature === cp.signature) ||
      (key !== undefined && this.operator.canCommit(cp.keyId) && verifyCheckpointSignature(cp, key));
    return { checkpoint: same ? "verified" : "invalid", signature: signed ? "verified" : "invalid" };
  }

  // ------------------------------------------------------------ forks

  /**
   * The same packages on a different history: the operator record is re-created with
   * another timestamp, so every root differs while each log still validates. A client that
   * trusted the original must notice; a fresh client cannot.
   */
  fork(): RegistryCore {
    const other = new RegistryCore({ ...this.options, epochOffsetSeconds: (this.options.epochOffsetSeconds ?? 0) + 3600 });
    for (const leaf of this.leaves) {
      if (leaf.logId === OPERATOR_LOG_ID) continue;
      const source = this.logs.get(leaf.logId) as Log;
      const stored = source.records.find((r) => r.recordId === leaf.recordId) as StoredRecord;
      let log = other.logs.get(leaf.logId);
      if (!log) {
        log = { kind: "package", name: source.name as string, records: [], state: new PackageLog() };
        other.logs.set(leaf.logId, log);
      }
      (log.state as PackageLog).apply(stored.envelope);
      other.append(leaf.logId, stored.envelope, leaf.recordId);
    }
    for (const [digest, bytes] of this.content) other.content.set(digest, bytes);
    other.checkpoint();
    return other;
  }
}
