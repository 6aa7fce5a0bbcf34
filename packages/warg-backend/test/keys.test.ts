import { describe, expect, it } from "vitest";
import { PrivateKey, PublicKey, parseSignature, toBase64, utf8 } from "../src/protocol/index.js";
import { vector } from "./helpers/fixtures.js";
import { flipS, isHighS } from "./helpers/signatures.js";

interface KeyVector {
  input: { privateKey: string };
  output: { publicKey: string; keyId: string };
}

describe("keys", () => {
  it("derives the upstream test keys' public keys and key ids", () => {
    for (const id of ["keys.alice", "keys.bob"]) {
      const v = vector<KeyVector>(id);
      const key = PrivateKey.parse(v.input.privateKey);
      expect(key.toString()).toBe(v.input.privateKey);
      expect(key.publicKey.text).toBe(v.output.publicKey);
      expect(key.publicKey.keyId).toBe(v.output.keyId);
      expect(PublicKey.parse(v.output.publicKey).text).toBe(v.output.publicKey);
    }
    const grantee = vector<{ input: { publicKey: string }; output: { keyId: string } }>("keys.grantee-A4yB");
    expect(PublicKey.parse(grantee.input.publicKey).keyId).toBe(grantee.output.keyId);
  });

  it("prints uncompressed public keys in compressed form", () => {
    const alice = PrivateKey.parse(vector<KeyVector>("keys.alice").input.privateKey);
    const jwk = alice.publicKey.keyObject.export({ format: "jwk" });
    const point = Uint8Array.of(4, ...Buffer.from(jwk.x as string, "base64url"), ...Buffer.from(jwk.y as string, "base64url"));
    expect(PublicKey.parse(`ecdsa-p256:${toBase64(point)}`).text).toBe(alice.publicKey.text);
  });

  it("rejects malformed keys", () => {
    expect(() => PrivateKey.parse("ecdsa-p256:AAAA")).toThrow(/32-byte scalar/);
    expect(() => PrivateKey.parse(`ecdsa-p256:${toBase64(new Uint8Array(32))}`)).toThrow(/not a valid P-256 scalar/);
    expect(() => PrivateKey.parse(`ecdsa-p256:${toBase64(new Uint8Array(32).fill(255))}`)).toThrow(/not a valid P-256 scalar/);
    expect(() => PrivateKey.parse("ed25519:I+UlDo0HxyBBFeelhPPWmD+LnklOpqZDkrFP5VduASk=")).toThrow(/unsupported algorithm/);
    expect(() => PublicKey.parse("ecdsa-p256:A1OfZz5Y9Ny7VKPVwroCTQPAr9tmlI4U/UTYHZHA87AF:x")).toThrow(/must look like/);
    expect(() => PublicKey.parse(`ecdsa-p256:${toBase64(Uint8Array.of(2, ...new Uint8Array(32).fill(255)))}`)).toThrow(/not a point/);
    expect(JSON.stringify({ k: PrivateKey.generate() })).not.toMatch(/ecdsa-p256:[A-Za-z0-9+/]{40}/);
  });
});

describe("signatures", () => {
  const alice = PrivateKey.parse(vector<KeyVector>("keys.alice").input.privateKey);
  const bob = PrivateKey.parse(vector<KeyVector>("keys.bob").input.privateKey);
  const message = utf8("WARG-PACKAGE-RECORD-SIGNATURE-V0:hello");

  it("verifies with the right key and fails with another key or message", () => {
    const sig = alice.sign(message);
    expect(alice.publicKey.verify(message, sig)).toBe(true);
    expect(bob.publicKey.verify(message, sig)).toBe(false);
    expect(alice.publicKey.verify(utf8("other"), sig)).toBe(false);
  });

  it("accepts high-S signatures, which the reference neither normalizes nor rejects", () => {
    let high = 0;
    for (let i = 0; i < 16; i++) {
      const sig = alice.sign(message);
      const other = flipS(sig);
      expect(isHighS(sig)).not.toBe(isHighS(other));
      expect(alice.publicKey.verify(message, sig)).toBe(true);
      expect(alice.publicKey.verify(message, other)).toBe(true);
      if (isHighS(sig) || isHighS(other)) high++;
    }
    expect(high).toBe(16);
  });

  it("rejects the upstream well-formed signature that signs nothing, and non-DER text", () => {
    const bogus = "ecdsa-p256:MEUCIQCzWZBW6ux9LecP66Y+hjmLZTP/hZVz7puzlPTXcRT2wwIgQZO7nxP0nugtw18MwHZ26ROFWcJmgCtKOguK031Y1D0=";
    expect(parseSignature(bogus).byteLength).toBe(71);
    expect(alice.publicKey.verify(message, bogus)).toBe(false);
    expect(alice.publicKey.verify(message, "ecdsa-p256:AAAA")).toBe(false);
    expect(() => parseSignature("ecdsa-p256:MAYCAQECAQE=")).not.toThrow();
    expect(() => parseSignature("ecdsa-p256:MAcCAgABAgEB")).toThrow(/non-minimal/);
    expect(() => parseSignature("ecdsa-p256:MAYCAQACAQE=")).toThrow(/out of range/);
    expect(() => parseSignature("ecdsa-p256:MAYCAYECAQE=")).toThrow(/negative/);
  });
});
