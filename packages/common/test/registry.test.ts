import { describe, expect, it } from "vitest";
import { Registry } from "../src/index.js";

describe("Registry.parse", () => {
  it.each([
    ["wasi.dev", "wasi.dev", undefined],
    ["localhost:5000", "localhost", 5000],
    ["GHCR.io", "ghcr.io", undefined],
    ["127.0.0.1:8080", "127.0.0.1", 8080],
    ["[::1]:5000", "[::1]", 5000],
  ])("parses %s", (text, host, port) => {
    const r = Registry.parse(text);
    expect(r.host).toBe(host);
    expect(r.port).toBe(port);
  });

  it("suggests dropping a scheme", () => {
    expect(() => Registry.parse("https://ghcr.io/foo")).toThrow(/has a scheme/);
    try {
      Registry.parse("https://ghcr.io/foo");
    } catch (error) {
      expect((error as { hint: string }).hint).toBe("drop the scheme: `ghcr.io`");
    }
  });

  it.each(["", "a b", "host/path", "user@host", "host:99999", "-bad.com"])("rejects %j", (text) => {
    expect(() => Registry.parse(text)).toThrow(/invalid registry/);
  });

  it("knows loopback hosts", () => {
    expect(Registry.parse("localhost:1").isLoopback).toBe(true);
    expect(Registry.parse("127.0.0.1").isLoopback).toBe(true);
    expect(Registry.parse("[::1]:1").isLoopback).toBe(true);
    expect(Registry.parse("wasi.dev").isLoopback).toBe(false);
  });
});
