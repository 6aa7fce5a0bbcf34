import { type Logger, WkgError, isWkgError } from "@wasm-pkg/common";
import { type CallContext, type WargApi, isApiError } from "./api.js";
import { bytesEqual } from "./protocol/bytes.js";
import { type SignedCheckpoint, verifyCheckpointSignature } from "./protocol/checkpoint.js";
import { parseAnyHash } from "./protocol/hash.js";
import { evaluateInclusion, logLeafHash, verifyConsistency } from "./protocol/log-tree.js";
import { OperatorLog } from "./protocol/operator-log.js";
import { PackageLog } from "./protocol/package-log.js";
import { OPERATOR_LOG_ID, type PublishedEnvelope, packageLogId } from "./protocol/records.js";
import { evaluateMapProof } from "./protocol/sparse-map.js";
import type { LogHead, TrustStore, TrustState } from "./trust-store.js";

/** One registry as seen through one base URL (and optionally a `Warg-Registry` domain). */
export interface SyncTarget {
  api: WargApi;
  /** `Warg-Registry` domain for a federated registry; undefined for the home registry. */
  registry?: string;
  store: TrustStore;
  /** For messages: the registry's URL or domain. */
  label: string;
  logger: Logger;
}

export interface VerifiedPackage {
  name: string;
  logId: string;
  log: PackageLog;
  head: LogHead;
}

/** Everything one update proved, against one checkpoint. */
export interface Verified {
  checkpoint: SignedCheckpoint;
  operator: OperatorLog;
  operatorHead: LogHead;
  packages: Map<string, VerifiedPackage>;
}

const PAGE_LIMIT = 100;

function sameRoots(a: SignedCheckpoint, b: SignedCheckpoint): boolean {
  return (
    a.contents.logLength === b.contents.logLength && a.contents.logRoot === b.contents.logRoot && a.contents.mapRoot === b.contents.mapRoot
  );
}

/** The registry broke the protocol's guarantees: nothing from this update is kept. */
function verification(target: SyncTarget, message: string, hint?: string, cause?: unknown): WkgError {
  return new WkgError("VERIFICATION", `warg registry ${target.label}: ${message}`, {
    hint:
      hint ??
      "the registry sent data that does not verify, so nothing was used or stored; try again later and report it to the registry operator if it persists",
    ...(cause === undefined ? {} : { cause }),
    details: { registry: target.label, ...(isWkgError(cause) && cause.details ? cause.details : {}) },
  });
}

function wrapVerification<T>(target: SyncTarget, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (isWkgError(error, "VERIFICATION")) throw verification(target, `${what}: ${error.message}`, undefined, error);
    throw error;
  }
}

/**
 * The update flow: fetch the latest checkpoint and the logs of `names`, replay and
 * validate every record, check the checkpoint's signature against the operator log,
 * prove every log head included in the checkpoint (log and map), prove the checkpoint
 * consistent with the one trusted before, and only then record the new trust state.
 * Throws PACKAGE_NOT_FOUND for a package the registry has no log for.
 */
export async function syncPackages(target: SyncTarget, names: string[], signal?: AbortSignal, previous?: Verified): Promise<Verified> {
  const ctx: CallContext = { ...(target.registry ? { registry: target.registry } : {}), ...(signal ? { signal } : {}) };
  const cp = await target.api.fetchCheckpoint(ctx);
  const { logLength } = cp.contents;
  const trusted = await target.store.read();
  const forget = `if the registry was really reset, delete ${target.store.file} to trust it anew`;
  if (trusted) {
    const old = trusted.checkpoint.contents;
    if (old.logLength > logLength) {
      throw verification(
        target,
        `the registry rolled back: it now shows log length ${logLength}, but ${old.logLength} was verified before`,
        `the registry is serving old state; ${forget}`,
      );
    }
    if (old.logLength === logLength && !sameRoots(trusted.checkpoint, cp)) {
      throw verification(
        target,
        `the registry forked: its checkpoint at log length ${logLength} differs from the one verified before`,
        `the registry shows different histories to different clients; ${forget}`,
      );
    }
  }
  if (logLength < 1) throw verification(target, "the checkpoint covers an empty log");

  // Nothing changed since the last update of this backend: reuse what was proven then.
  if (previous && sameRoots(previous.checkpoint, cp) && names.every((n) => previous.packages.has(n))) {
    checkSignature(target, cp, previous.operator);
    return { ...previous, checkpoint: cp };
  }

  // ---- fetch and replay
  const operator = new OperatorLog();
  const operatorRecords: LogHead[] = [];
  const logIds = new Map(names.map((name) => [packageLogId(name), name]));
  const packages = new Map<string, { log: PackageLog; records: LogHead[] }>();
  for (const logId of logIds.keys()) packages.set(logId, { log: new PackageLog(), records: [] });

  const replay = (what: string, records: PublishedEnvelope[], seen: LogHead[], apply: (r: PublishedEnvelope) => { recordId: string }) => {
    for (const record of records) {
      const last = seen[seen.length - 1];
      if (record.registryIndex >= logLength)
        throw verification(target, `${what} has a record at index ${record.registryIndex}, beyond the checkpoint's ${logLength}`);
      if (last && record.registryIndex <= last.index)
        throw verification(target, `${what} lists records out of order (index ${record.registryIndex} after ${last.index})`);
      const { recordId } = wrapVerification(target, `${what}, record at index ${record.registryIndex}`, () => apply(record));
      seen.push({ index: record.registryIndex, recordId });
    }
  };

  let operatorToken: string | undefined;
  const tokens: Record<string, string | null> = Object.fromEntries([...logIds.keys()].map((id) => [id, null]));
  for (;;) {
    let response: Awaited<ReturnType<WargApi["fetchLogs"]>>;
    try {
      response = await target.api.fetchLogs(
        { logLength, limit: PAGE_LIMIT, ...(operatorToken ? { operator: operatorToken } : {}), packages: { ...tokens } },
        ctx,
      );
    } catch (error) {
      if (isApiError(error, 404, "log") && typeof error.details?.id === "string" && logIds.has(error.details.id)) {
        throw packageNotFound(target, logIds.get(error.details.id) as string, error);
      }
      throw error;
    }
    replay("the operator log", response.operator, operatorRecords, (r) => operator.apply(r));
    let progressed = response.operator.length > 0;
    const lastOperator = response.operator[response.operator.length - 1];
    if (lastOperator) operatorToken = lastOperator.fetchToken;
    for (const [logId, state] of packages) {
      const records = response.packages[logId] ?? [];
      replay(`the package log of ${logIds.get(logId)}`, records, state.records, (r) => state.log.apply(r));
      const last = records[records.length - 1];
      if (last) {
        tokens[logId] = last.fetchToken;
        progressed = true;
      }
    }
    if (!response.more) break;
    if (!progressed) throw verification(target, "fetch/logs keeps saying there is more but sends nothing new");
  }

  const operatorHead = operatorRecords[operatorRecords.length - 1];
  if (!operatorHead) throw verification(target, "the registry sent no operator records");
  for (const [logId, state] of packages) {
    // The log exists but has no record this checkpoint covers: the package does not exist yet.
    if (state.records.length === 0) {
      throw new WkgError("PACKAGE_NOT_FOUND", `package ${logIds.get(logId)} has no records on warg registry ${target.label} yet`, {
        details: { package: logIds.get(logId), registry: target.label },
      });
    }
  }

  // ---- checkpoint signature: a key of the operator log holding `commit`
  checkSignature(target, cp, operator);

  // ---- inclusion of every head, in the log and in the map
  const heads: Array<{ logId: string; head: LogHead }> = [{ logId: OPERATOR_LOG_ID, head: operatorHead }];
  for (const [logId, state] of packages) heads.push({ logId, head: state.records[state.records.length - 1] as LogHead });
  const leafs = heads.map((h) => h.head.index);
  const proof = await target.api.proveInclusion(logLength, leafs, ctx);
  const logRoot = parseAnyHash(cp.contents.logRoot, "log root");
  const mapRoot = parseAnyHash(cp.contents.mapRoot, "map root");
  if (proof.log.logLength !== logLength)
    throw verification(target, `the inclusion proof is for log length ${proof.log.logLength}, not ${logLength}`);
  if (proof.log.includedIndices.length !== leafs.length || proof.log.includedIndices.some((node, i) => node !== 2 * (leafs[i] as number))) {
    throw verification(target, "the inclusion proof does not prove the requested records");
  }
  if (proof.map.length !== heads.length)
    throw verification(target, `the registry sent ${proof.map.length} map proofs for ${heads.length} logs`);
  heads.forEach(({ logId, head }, i) => {
    const what = logId === OPERATOR_LOG_ID ? "the operator log" : `the package log of ${logIds.get(logId)}`;
    const root = wrapVerification(target, `inclusion proof of ${what}`, () =>
      evaluateInclusion(2 * head.index, logLeafHash(logId, head.recordId), logLength, proof.log.hashes),
    );
    if (!bytesEqual(root, logRoot))
      throw verification(target, `the newest record of ${what} (index ${head.index}) is not in the checkpoint's log`);
    const mapped = wrapVerification(target, `map proof of ${what}`, () =>
      evaluateMapProof(logId, head.recordId, proof.map[i] as Array<Uint8Array | undefined>),
    );
    if (!bytesEqual(mapped, mapRoot)) {
      throw verification(
        target,
        `the checkpoint's map does not name record ${head.recordId} as the newest of ${what}: records were withheld or the map is wrong`,
      );
    }
  });

  // ---- consistency with what was trusted before
  if (trusted && trusted.checkpoint.contents.logLength < logLength) {
    const old = trusted.checkpoint.contents;
    const bundle = await target.api.proveConsistency(old.logLength, logLength, ctx);
    if (bundle.logLength !== logLength || bundle.consistentLengths.length !== 1 || bundle.consistentLengths[0] !== old.logLength) {
      throw verification(target, `the consistency proof is not from length ${old.logLength} to ${logLength}`);
    }
    try {
      verifyConsistency(old.logLength, parseAnyHash(old.logRoot, "log root"), logLength, logRoot, bundle.hashes);
    } catch (error) {
      if (!isWkgError(error, "VERIFICATION")) throw error;
      throw verification(
        target,
        `the log at length ${logLength} is not an extension of the log verified before at length ${old.logLength}: ${error.message}`,
        `the registry rewrote its history (a fork); ${forget}`,
        error,
      );
    }
  }
  checkKnownHeads(target, trusted, OPERATOR_LOG_ID, "the operator log", operatorRecords);
  for (const [logId, state] of packages) checkKnownHeads(target, trusted, logId, `the package log of ${logIds.get(logId)}`, state.records);

  // ---- all verified: remember it
  const newHeads: Record<string, LogHead> = { [OPERATOR_LOG_ID]: operatorHead };
  const verified = new Map<string, VerifiedPackage>();
  for (const [logId, state] of packages) {
    const head = state.records[state.records.length - 1] as LogHead;
    newHeads[logId] = head;
    const name = logIds.get(logId) as string;
    verified.set(name, { name, logId, log: state.log, head });
  }
  await target.store.write({ checkpoint: cp, heads: newHeads });
  target.logger({
    type: "debug",
    message: `warg: verified ${target.label} at log length ${logLength}${trusted ? "" : " (first use: trusted as seen)"}`,
  });
  return { checkpoint: cp, operator, operatorHead, packages: verified };
}

function checkSignature(target: SyncTarget, cp: SignedCheckpoint, operator: OperatorLog): void {
  const key = operator.keys.get(cp.keyId);
  if (!key) throw verification(target, `the checkpoint is signed by key ${cp.keyId}, which the operator log does not know`);
  // The reference client skips this; a key the operator revoked must not sign checkpoints.
  if (!operator.canCommit(cp.keyId))
    throw verification(target, `the checkpoint is signed by key ${cp.keyId}, which may not commit checkpoints`);
  if (!verifyCheckpointSignature(cp, key)) throw verification(target, `the checkpoint signature does not verify (key ${cp.keyId})`);
}

/** A log must still hold the newest record we verified before, at the same index. */
function checkKnownHeads(target: SyncTarget, trusted: TrustState | undefined, logId: string, what: string, records: LogHead[]): void {
  const known = trusted?.heads[logId];
  if (!known) return;
  const found = records.find((r) => r.index === known.index);
  if (!found || found.recordId !== known.recordId) {
    throw verification(target, `${what} no longer holds record ${known.recordId} (index ${known.index}) verified before`);
  }
}

function packageNotFound(target: SyncTarget, name: string, cause: WkgError): WkgError {
  const hint = typeof cause.details?.registryHint === "string" ? cause.details.registryHint : undefined;
  return new WkgError("PACKAGE_NOT_FOUND", `package ${name} not found on warg registry ${target.label}`, {
    hint: hint ? `the registry suggests another registry for it (${hint})` : "check the package name, or publish it first",
    cause,
    details: { package: name, registry: target.label, ...(hint ? { registryHint: hint } : {}) },
  });
}
