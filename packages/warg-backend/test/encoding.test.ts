import { describe, expect, it } from "vitest";
import { OPERATOR_LOG_ID, fromBase64, hashText, lp, packageLogId, parseAnyHash, sha256, toHex, uleb, utf8 } from "../src/protocol/index.js";
import { vector } from "./helpers/fixtures.js";

describe("AnyHash", () => {
  it("prints sha256 digests as the reference does", () => {
    const v = vector<{ input: { text: string }; output: string }>("anyhash.sha256-text");
    expect(hashText(sha256(utf8(v.input.text)))).toBe(v.output);
    expect(hashText(sha256())).toBe(vector<{ output: string }>("anyhash.empty-content").output);
  });

  it("round-trips and rejects uppercase hex, other algorithms and wrong lengths", () => {
    const text = vector<{ output: string }>("anyhash.sha256-text").output;
    expect(hashText(parseAnyHash(text, "hash"))).toBe(text);
    expect(() => parseAnyHash(text.toUpperCase().replace("SHA256", "sha256"), "hash")).toThrow(/not a sha256 hash/);
    expect(() => parseAnyHash(`sha512:${text.slice(7)}`, "hash")).toThrow(/not a sha256 hash/);
    expect(() => parseAnyHash(text.slice(0, -2), "record id")).toThrow(/record id is not a sha256 hash/);
    expect(() => parseAnyHash(42, "hash")).toThrow(/not a sha256 hash/);
  });
});

describe("prefix encodings", () => {
  it("writes unsigned LEB128 like the vectors", () => {
    for (const c of vector<{ cases: Array<{ input: number; outputHex: string }> }>("uleb128").cases) {
      expect(toHex(uleb(c.input))).toBe(c.outputHex);
    }
    expect(toHex(uleb(2 ** 35))).toBe("808080808001");
    expect(() => uleb(-1)).toThrow(RangeError);
  });

  it("length-prefixes by UTF-8 byte length", () => {
    expect(toHex(lp("é"))).toBe("02c3a9");
  });

  it("accepts only padded standard base64", () => {
    expect(toHex(fromBase64("AQI=", "x"))).toBe("0102");
    expect(() => fromBase64("AQI", "x")).toThrow(/not valid base64/);
    expect(() => fromBase64("AQ-_", "x")).toThrow(/not valid base64/);
  });
});

describe("log ids", () => {
  it("derives the operator log id", () => {
    expect(OPERATOR_LOG_ID).toBe(vector<{ output: string }>("log-id.operator").output);
  });

  it("derives package log ids with the tag, no second colon, and a length-prefixed name", () => {
    for (const c of vector<{ cases: Array<{ input: string; output: string }> }>("log-id.package").cases) {
      expect(packageLogId(c.input)).toBe(c.output);
    }
  });
});
