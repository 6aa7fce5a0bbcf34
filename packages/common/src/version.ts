// Only the pieces used: semver's index loads all of its ~50 modules, noticeable at every start.
import Range from "semver/classes/range.js";
import SemVer from "semver/classes/semver.js";
import compareBuild from "semver/functions/compare-build.js";
import satisfies from "semver/functions/satisfies.js";
import { WkgError } from "./errors.js";

// Strict SemVer 2.0.0 (semver.org): no leading `v`, no leading zeros, all three numbers.
const STRICT =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** A semantic version, parsed strictly as upstream's `semver::Version::parse`. */
export class Version {
  readonly text: string;
  /** @internal the npm `semver` representation used for comparisons. */
  readonly sem: SemVer;

  private constructor(text: string) {
    this.text = text;
    this.sem = new SemVer(text);
  }

  static parse(text: string): Version {
    if (!STRICT.test(text)) {
      throw new WkgError("INVALID_VERSION", `invalid version ${JSON.stringify(text)}: expected MAJOR.MINOR.PATCH`, {
        hint: "versions follow semver 2.0, e.g. `0.2.0` or `1.0.0-rc.1` (no leading `v`)",
      });
    }
    return new Version(text);
  }

  static tryParse(text: string): Version | undefined {
    return STRICT.test(text) ? new Version(text) : undefined;
  }

  static isValid(text: string): boolean {
    return STRICT.test(text);
  }

  get major(): number {
    return this.sem.major;
  }
  get minor(): number {
    return this.sem.minor;
  }
  get patch(): number {
    return this.sem.patch;
  }
  get isPrerelease(): boolean {
    return this.sem.prerelease.length > 0;
  }

  /** Total order: prereleases before their release, build metadata breaks ties (as the Rust crate). */
  static compare(a: Version, b: Version): number {
    return compareBuild(a.sem, b.sem);
  }

  equals(other: Version): boolean {
    return Version.compare(this, other) === 0;
  }

  toString(): string {
    return this.text;
  }

  toJSON(): string {
    return this.text;
  }
}

const PART = "(?:0|[1-9]\\d*|\\*|x|X)";
const PRE = "(?:-[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?";
const COMPARATOR = new RegExp(`^(=|>=|<=|>|<|~|\\^)?\\s*(\\*|${PART}(?:\\.${PART}(?:\\.${PART}${PRE})?)?)$`);

/**
 * A version requirement in the Rust `semver` crate's syntax, which `wkg.lock` and
 * upstream use: comma-separated comparators, a bare version means `^`, `*` matches
 * every release. Prereleases match only when a comparator names a prerelease of the
 * same MAJOR.MINOR.PATCH (both ecosystems agree on that rule).
 */
export class VersionReq {
  /** Normalised display form (`=0.2.0`, `^1.2.3`, `>=1.0.0, <2.0.0`, `*`). */
  readonly text: string;
  private readonly range: Range;

  private constructor(text: string, range: Range) {
    this.text = text;
    this.range = range;
  }

  static readonly STAR = VersionReq.parse("*");

  static parse(text: string): VersionReq {
    const trimmed = text.trim();
    if (trimmed === "") return invalidReq(text, "requirement is empty");
    const parts: string[] = [];
    for (const raw of trimmed.split(",")) {
      const comparator = raw.trim();
      const match = COMPARATOR.exec(comparator);
      if (!match) return invalidReq(text, `cannot parse comparator ${JSON.stringify(comparator)}`);
      const op = match[1] ?? "";
      const version = match[2] as string;
      const wildcard = /[*xX]/.test(version.split(/[-+]/)[0] as string);
      parts.push(op === "" && !wildcard ? `^${version}` : `${op}${version}`);
    }
    const normalised = parts.join(", ");
    let range: Range;
    try {
      range = new Range(parts.join(" "));
    } catch (error) {
      return invalidReq(text, error instanceof Error ? error.message : String(error));
    }
    return new VersionReq(normalised, range);
  }

  /** `=<version>`: what a versioned WIT import requires. */
  static exact(version: Version): VersionReq {
    return VersionReq.parse(`=${version.text}`);
  }

  /** Whether `version` satisfies this requirement; `includePrerelease` lets prereleases match any comparator. */
  matches(version: Version, options: { includePrerelease?: boolean } = {}): boolean {
    return satisfies(version.sem, this.range, { includePrerelease: options.includePrerelease === true });
  }

  /** True when this requirement can only ever match one version (`=x.y.z`). */
  get isExact(): boolean {
    return /^=\d+\.\d+\.\d+/.test(this.text) && !this.text.includes(",");
  }

  equals(other: VersionReq): boolean {
    return this.text === other.text;
  }

  toString(): string {
    return this.text;
  }

  toJSON(): string {
    return this.text;
  }
}

function invalidReq(text: string, reason: string): never {
  throw new WkgError("INVALID_VERSION_REQ", `invalid version requirement ${JSON.stringify(text)}: ${reason}`, {
    hint: "use the Cargo-style syntax: `=1.2.3`, `^1.2`, `>=1.0.0, <2.0.0` or `*`",
  });
}

/** Versions sorted ascending (or descending), for any list of things that carry one. */
export function sortByVersion<T>(items: T[], get: (item: T) => Version, order: "ascending" | "descending" = "ascending"): T[] {
  const sign = order === "ascending" ? 1 : -1;
  return [...items].sort((a, b) => sign * Version.compare(get(a), get(b)));
}
