import { setTimeout as delay } from "node:timers/promises";
import { type Digest, type PublishSource, WkgError, isWkgError } from "@wasm-pkg/common";
import { type RecordStatus, isApiError } from "./api.js";
import type { PrivateKey } from "./protocol/keys.js";
import {
  type PackageEntry,
  type Timestamp,
  compareTime,
  envelopeToJson,
  packageLogId,
  recordId as computeRecordId,
  signPackageRecord,
  timeFromDate,
} from "./protocol/records.js";
import { type SyncTarget, type Verified, syncPackages } from "./sync.js";

export interface PublishPlan {
  name: string;
  version: string;
  digest: Digest;
  source: PublishSource;
  key: PrivateKey;
  /** Add `init` for a package the registry does not have yet (warg's default). */
  autoInit: boolean;
  pollIntervalMs: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Most times a publish restarts after another pending record for the same package. */
const MAX_CONFLICTS = 5;

/**
 * Publish one release: verify the package's log, sign a record on top of its head (with
 * `init` for a new package), submit it, upload the content the registry asks for, and wait
 * until a checkpoint covers the record; then verify the log again, now including it.
 */
export async function publishRelease(target: SyncTarget, plan: PublishPlan): Promise<{ recordId: string; verified: Verified }> {
  const ctx = { ...(target.registry ? { registry: target.registry } : {}), ...(plan.signal ? { signal: plan.signal } : {}) };
  const logId = packageLogId(plan.name);
  const deadline = Date.now() + plan.timeoutMs;
  for (let attempt = 0; ; attempt++) {
    const { entries, prev, headTime } = await prepare(target, plan);
    let time = timeFromDate(new Date());
    // Clocks differ between publishers; a record older than the head would be rejected.
    if (headTime && compareTime(time, headTime) < 0) time = { ...headTime };
    const envelope = signPackageRecord({ ...(prev ? { prev } : {}), version: 0, time, entries }, plan.key);
    const recordId = computeRecordId("package", envelope.contentBytes);

    let status: RecordStatus;
    try {
      status = await target.api.publishRecord(logId, plan.name, envelopeToJson(envelope), ctx);
    } catch (error) {
      if (isApiError(error, 409, "record") && typeof error.details?.id === "string" && attempt < MAX_CONFLICTS) {
        // Someone else's record for this package is pending: wait for it, then build on it.
        await waitForRecord(target, logId, error.details.id, plan, deadline, true);
        continue;
      }
      throw publishError(target, plan, error);
    }
    if (status.recordId !== recordId) {
      throw new WkgError("VERIFICATION", `warg registry ${target.label} acknowledged record ${status.recordId}, but ${recordId} was sent`);
    }
    for (const [digest, endpoint] of Object.entries(status.missingContent)) {
      if (digest !== plan.digest.toString()) {
        throw new WkgError("REGISTRY", `warg registry ${target.label} asks for content ${digest}, which this release does not contain`);
      }
      if (!endpoint) throw new WkgError("UNSUPPORTED", `warg registry ${target.label} offers no supported way to upload ${digest}`);
      try {
        await target.api.upload(endpoint, plan.source, plan.signal);
      } catch (error) {
        throw publishError(target, plan, error);
      }
    }
    await waitForRecord(target, logId, recordId, plan, deadline, false);
    const verified = await syncPackages(target, [plan.name], plan.signal);
    const release = verified.packages.get(plan.name)?.log.releases.get(plan.version);
    if (release?.recordId !== recordId) {
      throw new WkgError(
        "VERIFICATION",
        `warg registry ${target.label} says ${plan.name}@${plan.version} is published, but its verified log does not contain it`,
      );
    }
    return { recordId, verified };
  }
}

async function prepare(target: SyncTarget, plan: PublishPlan): Promise<{ entries: PackageEntry[]; prev?: string; headTime?: Timestamp }> {
  const release: PackageEntry = { kind: "release", version: plan.version, content: plan.digest.toString() };
  let verified: Verified;
  try {
    verified = await syncPackages(target, [plan.name], plan.signal);
  } catch (error) {
    if (!isWkgError(error, "PACKAGE_NOT_FOUND")) throw error;
    if (!plan.autoInit) {
      throw new WkgError(
        "PACKAGE_NOT_FOUND",
        `package ${plan.name} does not exist on warg registry ${target.label}, and automatic init is disabled`,
        {
          hint: "remove disableAutoPackageInit from the warg config, or initialize the package with the warg CLI first",
          cause: error,
        },
      );
    }
    return { entries: [{ kind: "init", key: plan.key.publicKey, hashAlgorithm: "sha256" }, release] };
  }
  const pkg = verified.packages.get(plan.name);
  if (!pkg?.log.head) throw new WkgError("INTERNAL", `verified log of ${plan.name} has no head`);
  if (pkg.log.releases.has(plan.version)) {
    const yanked = pkg.log.releases.get(plan.version)?.state.status === "yanked";
    throw new WkgError(
      "VERSION_EXISTS",
      `${plan.name}@${plan.version} already exists on warg registry ${target.label}${yanked ? " (yanked)" : ""}`,
      {
        hint: "warg versions are immutable, even once yanked; publish a new version",
      },
    );
  }
  if (!pkg.log.permissions.get(plan.key.publicKey.keyId)?.has("release")) {
    throw new WkgError(
      "UNAUTHORIZED",
      `the signing key ${plan.key.publicKey.keyId} may not release ${plan.name} on warg registry ${target.label}`,
      {
        hint: "ask the package owner to grant this key the release permission, or configure their signing_key",
      },
    );
  }
  return { entries: [release], prev: pkg.log.head.recordId, headTime: pkg.log.head.timestamp };
}

/** Poll a record until it leaves `processing`; with `settleOnly`, any final state will do. */
async function waitForRecord(
  target: SyncTarget,
  logId: string,
  recordId: string,
  plan: PublishPlan,
  deadline: number,
  settleOnly: boolean,
): Promise<void> {
  const ctx = { ...(target.registry ? { registry: target.registry } : {}), ...(plan.signal ? { signal: plan.signal } : {}) };
  let interval = Math.min(100, plan.pollIntervalMs);
  for (;;) {
    const status = await target.api.recordStatus(logId, recordId, ctx);
    if (status.state === "published") return;
    if (status.state === "rejected") {
      if (settleOnly) return;
      throw new WkgError(
        "REGISTRY",
        `warg registry ${target.label} rejected ${plan.name}@${plan.version}: ${status.reason ?? "no reason given"}`,
        {
          details: { recordId, reason: status.reason },
        },
      );
    }
    if (status.state === "sourcing" && !settleOnly) {
      throw new WkgError(
        "REGISTRY",
        `warg registry ${target.label} still waits for content of ${plan.name}@${plan.version} after the upload`,
      );
    }
    if (Date.now() > deadline) {
      throw new WkgError("TIMEOUT", `warg registry ${target.label} did not publish record ${recordId} in time (still ${status.state})`, {
        hint: "the registry may still publish it; run `wkg get` later to check before publishing again",
      });
    }
    await delay(interval, undefined, plan.signal ? { signal: plan.signal } : {});
    interval = Math.min(interval * 2, plan.pollIntervalMs);
  }
}

function publishError(target: SyncTarget, plan: PublishPlan, error: unknown): unknown {
  if (!isWkgError(error)) return error;
  const status = error.details?.status;
  if (status === 422) {
    return new WkgError("REGISTRY", `warg registry ${target.label} rejected ${plan.name}@${plan.version}: ${error.message}`, {
      cause: error,
      details: error.details,
    });
  }
  if (isApiError(error, 404, "namespace")) {
    return new WkgError("REGISTRY", `namespace ${plan.name.split(":")[0]} is not defined on warg registry ${target.label}`, {
      hint: "ask the registry operator to define the namespace, or publish to a registry that hosts it",
      cause: error,
    });
  }
  if (isApiError(error, 409, "namespaceImport")) {
    return new WkgError("REGISTRY", `namespace ${plan.name.split(":")[0]} is imported from another registry; publish there`, {
      cause: error,
    });
  }
  return error;
}
