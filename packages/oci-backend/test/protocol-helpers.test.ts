import { isWkgError } from "@wasm-pkg/common";
import { describe, expect, it } from "vitest";
import { mergeScopes } from "../src/auth/challenge.js";
import { errorFromParts } from "../src/errors.js";
import { rangeEnd, withDigest } from "../src/upload.js";
import { Digest } from "@wasm-pkg/common";
import {
  bearerEnvVar,
  nextLink,
  normalizeDockerKey,
  parseChallenges,
  parseErrorBody,
  parseInsecureHosts,
  parseOciMetadata,
} from "../src/index.js";

describe("WWW-Authenticate", () => {
  it("parses Bearer challenges with several scopes, errors, odd spacing and case", () => {
    expect(
      parseChallenges(
        'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push repository:c:pull",error="insufficient_scope"',
      ),
    ).toEqual([
      {
        scheme: "bearer",
        params: {
          realm: "https://auth.example/token",
          service: "registry.example",
          scope: "repository:a/b:pull,push repository:c:pull",
          error: "insufficient_scope",
        },
      },
    ]);
    expect(parseChallenges('basic Realm="x \\"y\\", z"')).toEqual([{ scheme: "basic", params: { realm: 'x "y", z' } }]);
    expect(parseChallenges('Basic realm="a", Bearer realm="b",service=s')).toEqual([
      { scheme: "basic", params: { realm: "a" } },
      { scheme: "bearer", params: { realm: "b", service: "s" } },
    ]);
    expect(parseChallenges(null)).toEqual([]);
  });

  it("merges scopes per resource, whatever the action order", () => {
    expect(mergeScopes(["repository:x:push,pull", "repository:x:pull", "repository:y:pull"])).toEqual([
      "repository:x:pull,push",
      "repository:y:pull",
    ]);
  });
});

describe("registry errors", () => {
  it("reads the error envelope defensively", () => {
    expect(parseErrorBody('{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known","detail":{"name":"x"}}]}')).toEqual([
      { code: "NAME_UNKNOWN", message: "repository name not known", detail: { name: "x" } },
    ]);
    expect(parseErrorBody('{"errors":[{"message":"no code"}, 7]}')).toEqual([{ code: "UNKNOWN", message: "no code" }]);
    expect(parseErrorBody("404 page not found")).toEqual([]);
    expect(parseErrorBody('{"errors":null}')).toEqual([]);
  });

  it("maps statuses and codes to stable error codes with hints", () => {
    const at = "http://r.example/v2/a/b/manifests/1.0.0";
    const notFound = { code: "VERSION_NOT_FOUND" as const, message: "no 1.0.0" };
    const cases: Array<[number, string, Parameters<typeof errorFromParts>[4], string]> = [
      [
        404,
        '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}',
        { what: "x", method: "GET", notFound },
        "VERSION_NOT_FOUND",
      ],
      [
        404,
        '{"errors":[{"code":"NAME_UNKNOWN","message":"?"}]}',
        { what: "x", method: "GET", notFound, nameUnknown: { code: "PACKAGE_NOT_FOUND", message: "no pkg" } },
        "PACKAGE_NOT_FOUND",
      ],
      [401, "", { what: "x", method: "GET" }, "UNAUTHORIZED"],
      [403, "", { what: "x", method: "PUT", write: true }, "UNAUTHORIZED"],
      [
        400,
        '{"errors":[{"code":"DIGEST_INVALID","message":"provided digest did not match uploaded content"}]}',
        { what: "x", method: "PUT" },
        "REGISTRY",
      ],
      [503, "", { what: "x", method: "GET" }, "REGISTRY"],
    ];
    for (const [status, body, context, code] of cases) {
      const error = errorFromParts(status, "", body, at, context);
      expect(isWkgError(error, code as never), `${status} ${body}`).toBe(true);
      expect(error.message).toContain(`GET ${at}`.replace("GET", context.method));
      expect(error.details?.status).toBe(status);
    }
    expect(errorFromParts(403, "", "", at, { what: "pushing", method: "PUT", write: true }).message).toContain("not authorized");
    expect(errorFromParts(403, "", "", at, { what: "pushing", method: "PUT", write: true }).message).not.toContain("not found");
    expect(
      errorFromParts(400, "", '{"errors":[{"code":"DIGEST_INVALID","message":"m"}]}', at, { what: "x", method: "PUT" }).hint,
    ).toContain("changed during the push");
  });
});

describe("small protocol helpers", () => {
  it("follows Link rel=next, relative or absolute", () => {
    expect(nextLink('</v2/a/tags/list?last=b&n=2>; rel="next"', "https://r.example/v2/a/tags/list")).toBe(
      "https://r.example/v2/a/tags/list?last=b&n=2",
    );
    expect(nextLink('<https://other.example/x>; rel="prev", <https://r.example/y>; rel=next', "https://r.example/")).toBe(
      "https://r.example/y",
    );
    expect(nextLink(null, "https://r.example/")).toBeUndefined();
  });

  it("appends the digest to an upload URL that may have a query, and reads Range", () => {
    const d = Digest.parse(`sha256:${"a".repeat(64)}`);
    expect(withDigest("http://r/v2/a/blobs/uploads/u?_state=x%3D", d)).toBe(
      `http://r/v2/a/blobs/uploads/u?_state=x%3D&digest=sha256%3A${"a".repeat(64)}`,
    );
    expect(withDigest("/v2/a/blobs/uploads/u", d)).toBe(`/v2/a/blobs/uploads/u?digest=sha256%3A${"a".repeat(64)}`);
    expect([rangeEnd("0-1023"), rangeEnd("bytes=0-9"), rangeEnd("5-9"), rangeEnd(null)]).toEqual([1023, 9, undefined, undefined]);
  });

  it("names the bearer env var after the OCI host", () => {
    expect(bearerEnvVar("ghcr.io")).toBe("WKG_REGISTRY_GHCR_IO_AUTH_BEARER");
    expect(bearerEnvVar("localhost:1234")).toBe("WKG_REGISTRY_LOCALHOST_1234_AUTH_BEARER");
  });

  it("normalises Docker config keys", () => {
    expect(normalizeDockerKey("https://ghcr.io")).toBe("ghcr.io");
    expect(normalizeDockerKey("https://index.docker.io/v1/")).toBe("index.docker.io");
    expect(normalizeDockerKey("registry-1.docker.io")).toBe("index.docker.io");
    expect(normalizeDockerKey("Localhost:5000/path")).toBe("localhost:5000");
  });

  it("splits WKG_OCI_INSECURE and validates registry metadata", () => {
    expect(parseInsecureHosts("")).toEqual([]);
    expect(parseInsecureHosts(" a.example , ,B.example:5000")).toEqual(["a.example", "b.example:5000"]);
    expect(parseOciMetadata({ registry: "ghcr.io", namespacePrefix: "webassembly/" }, "m")).toEqual({
      registry: "ghcr.io",
      namespacePrefix: "webassembly/",
    });
    expect(parseOciMetadata(undefined, "m")).toEqual({ registry: undefined, namespacePrefix: "" });
    expect(() => parseOciMetadata({ registry: "https://ghcr.io" }, "m")).toThrow(/scheme/);
  });
});
