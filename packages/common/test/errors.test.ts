import { describe, expect, it } from "vitest";
import { ErrorCodes, WkgError, isWkgError, redact, registerSecret, wrapError } from "../src/index.js";

describe("WkgError", () => {
  it("carries a code, a hint and details, and serialises them", () => {
    const error = new WkgError("PACKAGE_NOT_FOUND", "package wasi:nope not found", { hint: "check the name", details: { a: 1 } });
    expect(error.toJSON()).toEqual({
      code: "PACKAGE_NOT_FOUND",
      message: "package wasi:nope not found",
      hint: "check the name",
      details: { a: 1 },
    });
    expect(isWkgError(error, "PACKAGE_NOT_FOUND")).toBe(true);
    expect(isWkgError(error, "CACHE")).toBe(false);
  });

  it("is recognised across duplicate installs by its brand", () => {
    const foreign = Object.assign(new Error("x"), { code: "CACHE" });
    Object.defineProperty(foreign, Symbol.for("wasm-pkg.WkgError"), { value: true });
    expect(isWkgError(foreign)).toBe(true);
    expect(isWkgError(new Error("plain"))).toBe(false);
  });

  it("redacts credentials in its message and hint", () => {
    const error = new WkgError("HTTP", "failed: GET https://alice:s3cret@r.example/v2/?token=abcdef123", {
      hint: "sent Authorization: Bearer eyJhbGciOiJFUzI1NiJ9.payload",
    });
    expect(error.message).toBe("failed: GET https://***@r.example/v2/?token=***");
    expect(error.hint).toBe("sent Authorization: Bearer ***");
  });

  it("never wraps an abort", () => {
    const abort = new DOMException("stop", "AbortError");
    expect(() => wrapError(abort, "IO", "x")).toThrow(abort);
    expect(() => wrapError(new Error("boom"), "IO", "reading x")).toThrow(/reading x: boom/);
  });

  it("has unique, append-only style codes", () => {
    expect(new Set(ErrorCodes).size).toBe(ErrorCodes.length);
    expect(ErrorCodes.slice(0, 3)).toEqual(["PACKAGE_NOT_FOUND", "VERSION_NOT_FOUND", "VERSION_EXISTS"]);
  });
});

describe("redact", () => {
  it("masks registered secrets wherever they appear", () => {
    registerSecret("hunter2-very-secret");
    expect(redact("password is hunter2-very-secret!")).toBe("password is ***!");
  });

  it("masks JSON secret fields", () => {
    expect(redact('{"username":"u","password":"pw1234567"}')).toBe('{"username":"u","password":"***"}');
  });

  it("leaves ordinary text alone", () => {
    expect(redact("GET http://127.0.0.1:5000/v2/wasi/http/tags/list")).toBe("GET http://127.0.0.1:5000/v2/wasi/http/tags/list");
  });
});
