import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

/** The copied corpus (see fixtures/README.md for sources, commits and licenses). */
export const FIXTURES = join(import.meta.dirname, "../fixtures");
export const WASM_TOOLS = join(FIXTURES, "wasm-tools");
export const WIT_PARSER = join(WASM_TOOLS, "crates/wit-parser");
export const WIT_COMPONENT = join(WASM_TOOLS, "crates/wit-component");

/** suite -> case -> reason. */
type Listing = Record<string, Record<string, string>>;

function listing(file: string): Listing {
  const parsed = JSON.parse(readFileSync(join(import.meta.dirname, "..", file), "utf8")) as Record<string, unknown>;
  const { $comment: _, ...suites } = parsed;
  return suites as Listing;
}

/** Cases that cannot apply to a WIT library (e.g. they need core-module linking), with why. */
export const NOT_APPLICABLE = listing("not-applicable.json");
/** Cases that still disagree, with a one-line cause each; the goal is an empty list. */
export const KNOWN_DISAGREEMENTS = listing("known-disagreements.json");

/**
 * How many not-applicable entries each suite may have. Growing the list means editing this
 * number too, so a case never becomes "not applicable" without a reviewed change.
 */
const NOT_APPLICABLE_COUNTS: Record<string, number> = {
  components: 19,
  targets: 4,
  cli: 31,
};

export interface ConformanceCase {
  name: string;
  /** Compares our result with upstream's golden output; throws (an assertion) when they differ. */
  run: () => void | Promise<void>;
}

export interface SuiteOptions {
  /** Checks that a not-applicable case really has the shape its reason names. */
  cannotApply?: (name: string) => boolean | Promise<boolean>;
}

/**
 * Registers one vitest test per case of an upstream suite. A case listed in
 * `known-disagreements.json` must still disagree (fixing it fails the test until the entry
 * is removed); a case listed in `not-applicable.json` is counted and checked, never run
 * quietly as a pass. After the suite, prints `<suite>: N/M agree`.
 */
export function conformanceSuite(suite: string, cases: ConformanceCase[], options: SuiteOptions = {}): void {
  const notApplicable = NOT_APPLICABLE[suite] ?? {};
  const known = KNOWN_DISAGREEMENTS[suite] ?? {};
  const names = new Set(cases.map((c) => c.name));
  let agree = 0;
  let applicable = 0;
  let stillKnown = 0;

  describe(suite, () => {
    it("lists: every entry names a case of this suite, with a reason", () => {
      expect(cases.length).toBeGreaterThan(0);
      for (const [name, reason] of [...Object.entries(notApplicable), ...Object.entries(known)]) {
        expect(names.has(name), `${suite}: listed case ${name} does not exist`).toBe(true);
        expect(reason.trim().length, `${suite}: ${name} has no reason`).toBeGreaterThan(0);
      }
      for (const name of Object.keys(notApplicable)) expect(known[name], `${name} is listed twice`).toBeUndefined();
      expect(Object.keys(notApplicable).length, `${suite}: not-applicable.json grew or shrank`).toBe(NOT_APPLICABLE_COUNTS[suite] ?? 0);
    });

    for (const c of cases) {
      const na = notApplicable[c.name];
      if (na !== undefined) {
        it(`${c.name} (not applicable: ${na})`, async () => {
          if (options.cannotApply) expect(await options.cannotApply(c.name)).toBe(true);
        });
        continue;
      }
      applicable++;
      const cause = known[c.name];
      if (cause !== undefined) {
        it(`${c.name} (known disagreement: ${cause})`, async () => {
          let failure: unknown;
          try {
            await c.run();
          } catch (error) {
            failure = error;
          }
          expect(failure, `${suite}/${c.name} agrees now: remove it from known-disagreements.json`).toBeDefined();
          stillKnown++;
        });
        continue;
      }
      it(c.name, async () => {
        await c.run();
        agree++;
      });
    }

    afterAll(() => {
      const extra = stillKnown > 0 ? ` (${stillKnown} known disagreements)` : "";
      const na = Object.keys(notApplicable).length;
      console.log(`${suite}: ${agree}/${applicable} agree${extra}${na > 0 ? `; ${na} not applicable` : ""}`);
    });
  });
}

/** What all.rs and cli.rs do to a golden file and to our output before comparing. */
export function normalizeResult(text: string): string {
  return text.trim().replaceAll("\\", "/").replaceAll("\r\n", "\n");
}

/** The message of an error as upstream renders it (our errors carry the rendered chain). */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs `f` and returns its error's message; throws when it succeeds. */
export async function failureOf(f: () => unknown): Promise<string> {
  try {
    await f();
  } catch (error) {
    return errorText(error);
  }
  throw new Error("expected an error, but it succeeded");
}
