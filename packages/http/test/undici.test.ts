import { describe, expect, it } from "vitest";
import { undici } from "../src/undici.js";

describe("undici, loaded piecewise", () => {
  it("finds the pieces in this undici release rather than falling back to the whole package", () => {
    // A failure here means undici moved its files: startup gets ~60 ms slower, nothing breaks.
    expect(undici.source).toBe("parts");
    expect(typeof undici.fetch).toBe("function");
    // Proxy agents call `connect`, which undici's index puts on every dispatcher.
    expect(typeof (new undici.Agent() as unknown as { connect: unknown }).connect).toBe("function");
  });
});
