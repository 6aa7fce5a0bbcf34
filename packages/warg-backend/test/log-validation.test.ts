import { describe, expect, it } from "vitest";
import {
  type Envelope,
  OperatorLog,
  PackageLog,
  PrivateKey,
  type PackageEntry,
  type OperatorEntry,
  encodeOperatorRecord,
  encodePackageRecord,
  logErrorKind,
  signEnvelope,
  type Timestamp,
} from "../src/protocol/index.js";
import { fixtureRecords, parseStoredTime, readFixture } from "./helpers/fixtures.js";
import { highS, isHighS } from "./helpers/signatures.js";

const ALICE = PrivateKey.parse("ecdsa-p256:I+UlDo0HxyBBFeelhPPWmD+LnklOpqZDkrFP5VduASk=");
const BOB = PrivateKey.parse("ecdsa-p256:2CV1EpLaSYEn4In4OAEDAj5O4Hzu8AFAxgHXuG310Ew=");
const DIGEST = "sha256:7d38b5cd25a2baf85ad3bb5b9311383e671a8a142eb302b324d4a5fba8748c69";

interface Output {
  Valid: {
    algorithm: string;
    head: { digest: string; timestamp: string };
    permissions: Record<string, string[]>;
    keys: Record<string, string>;
    releases?: Record<string, { recordId: string; version: string; by: string; timestamp: string; state: Record<string, string> }>;
  };
}

function expected(path: string) {
  const v = readFixture<Output>(path).Valid;
  return {
    algorithm: v.algorithm,
    head: { recordId: v.head.digest, timestamp: parseStoredTime(v.head.timestamp) },
    permissions: Object.fromEntries(Object.entries(v.permissions).map(([k, p]) => [k, [...p].sort()])),
    keys: v.keys,
    releases: Object.fromEntries(
      Object.entries(v.releases ?? {}).map(([version, r]) => [
        version,
        {
          recordId: r.recordId,
          version: r.version,
          by: r.by,
          timestamp: parseStoredTime(r.timestamp),
          state:
            r.state.status === "yanked"
              ? { status: "yanked", by: r.state.by, timestamp: parseStoredTime(r.state.timestamp as string) }
              : { status: "released", content: r.state.content },
        },
      ]),
    ),
  };
}

describe("package log fixtures", () => {
  for (const name of ["minimal", "longer"]) {
    it(`replays package-logs/${name}.json to the upstream state`, () => {
      const log = new PackageLog();
      for (const r of fixtureRecords("package", `package-logs/${name}.json`)) log.apply(r.envelope);
      expect(log.toJSON()).toEqual(expected(`package-logs/output/${name}.json`));
    });
  }
});

describe("high-S signatures", () => {
  it("replay the fixtures with every signature in its high-S form", () => {
    const log = new PackageLog();
    for (const r of fixtureRecords("package", "package-logs/longer.json")) {
      const signature = highS(r.envelope.signature);
      expect(isHighS(signature)).toBe(true);
      log.apply({ ...r.envelope, signature });
    }
    expect(log.head?.recordId).toBe(expected("package-logs/output/longer.json").head.recordId);
    const operator = new OperatorLog();
    for (const r of fixtureRecords("operator", "operator-logs/longer.json"))
      operator.apply({ ...r.envelope, signature: highS(r.envelope.signature) });
    expect(operator.head?.recordId).toBe(expected("operator-logs/output/longer.json").head.recordId);
  });
});

describe("operator log fixtures", () => {
  for (const name of ["minimal", "longer"]) {
    it(`replays operator-logs/${name}.json to the upstream state`, () => {
      const log = new OperatorLog();
      for (const r of fixtureRecords("operator", `operator-logs/${name}.json`)) log.apply(r.envelope);
      const { releases: _, ...want } = expected(`operator-logs/output/${name}.json`);
      expect(log.toJSON()).toEqual({ ...want, namespaces: {} });
    });
  }
});

const T0: Timestamp = { seconds: 1700000000, nanos: 0 };

function pkg(key: PrivateKey, entries: PackageEntry[], prev?: string, time: Timestamp = T0): Envelope {
  return signEnvelope("package", encodePackageRecord({ ...(prev ? { prev } : {}), version: 0, time, entries }), key);
}

function op(key: PrivateKey, entries: OperatorEntry[], prev?: string, time: Timestamp = T0): Envelope {
  return signEnvelope("operator", encodeOperatorRecord({ ...(prev ? { prev } : {}), version: 0, time, entries }), key);
}

function kindOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return logErrorKind(error);
  }
  return undefined;
}

function initialized(): { log: PackageLog; head: string } {
  const log = new PackageLog();
  const { recordId } = log.apply(pkg(ALICE, [{ kind: "init", key: ALICE.publicKey, hashAlgorithm: "sha256" }]));
  return { log, head: recordId };
}

describe("package log rules", () => {
  it("fails a whole record when one entry is invalid and leaves the state untouched", () => {
    const { log, head } = initialized();
    const before = JSON.stringify(log.toJSON());
    const bad = pkg(
      ALICE,
      [
        { kind: "grant", key: BOB.publicKey, permissions: ["release"] },
        { kind: "revoke", keyId: BOB.publicKey.keyId, permissions: ["yank"] },
      ],
      head,
    );
    expect(kindOf(() => log.apply(bad))).toBe("PermissionNotFoundToRevoke");
    expect(JSON.stringify(log.toJSON())).toBe(before);
  });

  it("enforces the chain, version and clock", () => {
    const { log, head } = initialized();
    expect(kindOf(() => log.apply(pkg(ALICE, [{ kind: "yank", version: "1.0.0" }])))).toBe("NoPreviousHashAfterInit");
    expect(kindOf(() => log.apply(pkg(ALICE, [{ kind: "release", version: "1.0.0", content: DIGEST }], DIGEST)))).toBe(
      "RecordHashDoesNotMatch",
    );
    expect(kindOf(() => log.apply(pkg(ALICE, [], head, { seconds: T0.seconds - 1, nanos: 0 })))).toBe("TimestampLowerThanPrevious");
    const v1 = signEnvelope("package", encodePackageRecord({ prev: head, version: 1, time: T0, entries: [] }), ALICE);
    expect(kindOf(() => log.apply(v1))).toBe("ProtocolVersionNotAllowed");
    expect(kindOf(() => new PackageLog().apply(pkg(ALICE, [{ kind: "init", key: ALICE.publicKey, hashAlgorithm: "sha256" }], head)))).toBe(
      "PreviousHashOnFirstRecord",
    );
  });

  it("requires init first, by its own key, exactly once", () => {
    expect(kindOf(() => new PackageLog().apply(pkg(ALICE, [{ kind: "release", version: "1.0.0", content: DIGEST }])))).toBe(
      "FirstEntryIsNotInit",
    );
    expect(kindOf(() => new PackageLog().apply(pkg(BOB, [{ kind: "init", key: ALICE.publicKey, hashAlgorithm: "sha256" }])))).toBe(
      "KeyIDNotRecognized",
    );
    expect(kindOf(() => new PackageLog().apply(pkg(ALICE, [])))).toBe("InitialRecordDoesNotInit");
    const { log, head } = initialized();
    expect(kindOf(() => log.apply(pkg(ALICE, [{ kind: "init", key: ALICE.publicKey, hashAlgorithm: "sha256" }], head)))).toBe(
      "InitialEntryAfterBeginning",
    );
  });

  it("checks permissions, releases and yanks", () => {
    const { log, head } = initialized();
    expect(kindOf(() => log.apply(pkg(BOB, [{ kind: "release", version: "1.0.0", content: DIGEST }], head)))).toBe("UnauthorizedAction");
    const r1 = log.apply(pkg(ALICE, [{ kind: "release", version: "1.0.0", content: DIGEST }], head)).recordId;
    expect(kindOf(() => log.apply(pkg(ALICE, [{ kind: "release", version: "1.0.0", content: DIGEST }], r1)))).toBe("ReleaseOfReleased");
    expect(kindOf(() => log.apply(pkg(ALICE, [{ kind: "yank", version: "2.0.0" }], r1)))).toBe("YankOfUnreleased");
    const r2 = log.apply(pkg(ALICE, [{ kind: "yank", version: "1.0.0" }], r1)).recordId;
    expect(kindOf(() => log.apply(pkg(ALICE, [{ kind: "yank", version: "1.0.0" }], r2)))).toBe("YankOfYanked");
    expect(kindOf(() => log.apply(pkg(ALICE, [{ kind: "release", version: "1.0.0", content: DIGEST }], r2)))).toBe("ReleaseOfReleased");
    // Build metadata is significant: 1.0.0+b is another release.
    log.apply(pkg(ALICE, [{ kind: "release", version: "1.0.0+b", content: DIGEST }], r2));
    expect([...log.releases.keys()]).toEqual(["1.0.0", "1.0.0+b"]);
  });

  it("rejects a record whose signature does not verify or whose signer is unknown", () => {
    const { log, head } = initialized();
    const good = pkg(ALICE, [{ kind: "release", version: "1.0.0", content: DIGEST }], head);
    expect(kindOf(() => log.apply({ ...good, signature: BOB.sign(good.contentBytes) }))).toBe("SignatureError");
    expect(kindOf(() => log.apply({ ...good, keyId: BOB.publicKey.keyId }))).toBe("UnauthorizedAction");
    expect(kindOf(() => log.apply(pkg(BOB, [], head)))).toBe("KeyIDNotRecognized");
    expect(kindOf(() => log.apply({ ...good, contentBytes: Uint8Array.of(0xff) }))).toBe("MalformedRecord");
    expect(log.releases.size).toBe(0);
  });

  it("lets any key register itself with an empty grant, as the reference validator does", () => {
    const { log, head } = initialized();
    log.apply(pkg(BOB, [{ kind: "grant", key: BOB.publicKey, permissions: [] }], head));
    expect(log.permissions.get(BOB.publicKey.keyId)).toEqual(new Set());
    expect(log.keys.has(BOB.publicKey.keyId)).toBe(true);
  });
});

describe("operator log rules", () => {
  function base(): { log: OperatorLog; head: string } {
    const log = new OperatorLog();
    const { recordId } = log.apply(op(ALICE, [{ kind: "init", key: ALICE.publicKey, hashAlgorithm: "sha256" }]));
    return { log, head: recordId };
  }

  it("defines and imports namespaces once, lowercase kebab only", () => {
    const { log, head } = base();
    const r1 = log.apply(
      op(
        ALICE,
        [
          { kind: "defineNamespace", namespace: "my-namespace" },
          { kind: "importNamespace", namespace: "imported-namespace", registry: "registry.example.com" },
        ],
        head,
      ),
    ).recordId;
    expect(log.namespace("my-namespace")).toEqual({ state: "defined" });
    expect(log.namespace("imported-namespace")).toEqual({ state: "imported", registry: "registry.example.com" });
    expect(kindOf(() => log.apply(op(ALICE, [{ kind: "defineNamespace", namespace: "my-namespace" }], r1)))).toBe(
      "NamespaceAlreadyDefined",
    );
    expect(kindOf(() => log.apply(op(ALICE, [{ kind: "importNamespace", namespace: "my-namespace", registry: "x" }], r1)))).toBe(
      "NamespaceAlreadyDefined",
    );
    expect(kindOf(() => log.apply(op(ALICE, [{ kind: "defineNamespace", namespace: "my-NAMESPACE" }], r1)))).toBe("InvalidNamespace");
  });

  it("needs commit to grant and leaves the state alone when a record fails", () => {
    const { log, head } = base();
    const r1 = log.apply(op(ALICE, [{ kind: "grant", key: BOB.publicKey, permissions: ["defineNamespace"] }], head)).recordId;
    expect(log.canCommit(BOB.publicKey.keyId)).toBe(false);
    expect(log.canCommit(ALICE.publicKey.keyId)).toBe(true);
    const before = JSON.stringify(log.toJSON());
    expect(kindOf(() => log.apply(op(BOB, [{ kind: "grant", key: BOB.publicKey, permissions: ["defineNamespace"] }], r1)))).toBe(
      "UnauthorizedAction",
    );
    expect(
      kindOf(() =>
        log.apply(
          op(
            ALICE,
            [
              { kind: "defineNamespace", namespace: "ok" },
              { kind: "revoke", keyId: BOB.publicKey.keyId, permissions: ["commit"] },
            ],
            r1,
          ),
        ),
      ),
    ).toBe("PermissionNotFoundToRevoke");
    expect(JSON.stringify(log.toJSON())).toBe(before);
  });
});
