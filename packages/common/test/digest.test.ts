import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Digest, isWkgError, streamContent, verifyDigest, PackageRef, Version } from "../src/index.js";

const hex = (s: string) => createHash("sha256").update(s).digest("hex");

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(stream).text();
}

describe("Digest.parse", () => {
  it("accepts upper case and stores lower case", () => {
    const d = Digest.parse(`sha256:${hex("x").toUpperCase()}`);
    expect(d.toString()).toBe(`sha256:${hex("x")}`);
  });

  it.each([
    ["sha512:abc", "must start with 'sha256:'"],
    ["sha256:abc", "must be 64 hex digits; got 3 chars"],
    [`sha256:${"g".repeat(64)}`, "must be hex; got 'g'"],
    [hex("x"), "must start with 'sha256:'"],
  ])("rejects %j", (text, reason) => {
    let caught: unknown;
    try {
      Digest.parse(text);
    } catch (error) {
      caught = error;
    }
    expect(isWkgError(caught, "INVALID_DIGEST")).toBe(true);
    expect((caught as Error).message).toContain(reason);
  });
});

describe("verifyDigest", () => {
  it("passes matching content through unchanged", async () => {
    const out = await drain(streamOf("hello ", "world").pipeThrough(verifyDigest(Digest.of("hello world"))));
    expect(out).toBe("hello world");
  });

  it("errors at end of stream with expected, actual and size", async () => {
    const expected = Digest.of("hello world");
    const promise = drain(streamOf("hello", " there").pipeThrough(verifyDigest(expected, { source: "http://r/x" })));
    await expect(promise).rejects.toMatchObject({
      code: "INTEGRITY",
      details: { expected: expected.toString(), actual: Digest.of("hello there").toString(), size: 11 },
    });
    await expect(promise).rejects.toThrow(/from http:\/\/r\/x does not match/);
  });

  it("fails early when more bytes arrive than the stated size", async () => {
    const promise = drain(streamOf("abcdef").pipeThrough(verifyDigest(Digest.of("abc"), { size: 3 })));
    await expect(promise).rejects.toThrow(/larger than the expected 3 bytes/);
  });
});

describe("streamContent", () => {
  it("verifies what a backend returns", async () => {
    const pkg = PackageRef.parse("a:b");
    const release = { version: Version.parse("1.0.0"), contentDigest: Digest.of("good") };
    const loader = {
      listAllVersions: async () => [],
      getRelease: async () => release,
      streamContentUnvalidated: async () => streamOf("evil"),
    };
    await expect(drain(await streamContent(loader, pkg, release))).rejects.toMatchObject({ code: "INTEGRITY" });
  });
});
