/**
 * The semantic versions WIT package names carry (`wasi:io@0.2.0`), parsed and ordered like
 * the Rust `semver` crate that wit-parser uses, so error texts and ordering agree with it.
 * Kept local (not common's `Version`) because the parser needs the crate's exact messages.
 */
export class SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Pre-release identifiers joined with `.` (empty when none). */
  readonly pre: string;
  /** Build metadata joined with `.` (empty when none). */
  readonly build: string;
  private readonly text: string;

  constructor(major: number, minor: number, patch: number, pre = "", build = "") {
    this.major = major;
    this.minor = minor;
    this.patch = patch;
    this.pre = pre;
    this.build = build;
    this.text = `${major}.${minor}.${patch}${pre ? `-${pre}` : ""}${build ? `+${build}` : ""}`;
  }

  /** Parses strictly; returns the crate's error message on failure. */
  static tryParse(text: string): SemVer | string {
    const m = /^(\d+)\.(\d+)\.(\d+)(?:-([^+]*))?(?:\+(.*))?$/.exec(text);
    if (!m) return semverShapeError(text);
    const nums: number[] = [];
    for (const part of [m[1], m[2], m[3]] as string[]) {
      if (part.length > 1 && part.startsWith("0")) return "invalid leading zero in major version number";
      const n = Number(part);
      if (!Number.isSafeInteger(n)) return "value out of range";
      nums.push(n);
    }
    const pre = m[4];
    const build = m[5];
    if (pre !== undefined) {
      const problem = identifierProblem(pre, "pre-release", true);
      if (problem) return problem;
    }
    if (build !== undefined) {
      const problem = identifierProblem(build, "build metadata", false);
      if (problem) return problem;
    }
    return new SemVer(nums[0] as number, nums[1] as number, nums[2] as number, pre ?? "", build ?? "");
  }

  static parse(text: string): SemVer {
    const v = SemVer.tryParse(text);
    if (typeof v === "string") throw new Error(v);
    return v;
  }

  get isPrerelease(): boolean {
    return this.pre !== "";
  }

  /** Total order as the crate's `Ord`: numbers, then pre-release (none sorts last), then build. */
  static compare(a: SemVer, b: SemVer): number {
    if (a.major !== b.major) return a.major < b.major ? -1 : 1;
    if (a.minor !== b.minor) return a.minor < b.minor ? -1 : 1;
    if (a.patch !== b.patch) return a.patch < b.patch ? -1 : 1;
    const pre = comparePre(a.pre, b.pre);
    if (pre !== 0) return pre;
    return compareIdentifiers(a.build, b.build, true);
  }

  equals(other: SemVer): boolean {
    return this.text === other.text;
  }

  toString(): string {
    return this.text;
  }
}

function semverShapeError(text: string): string {
  if (text === "") return "empty string, expected a semver version";
  if (!/^\d/.test(text)) return "unexpected character in major version number";
  const parts = text.split(/[-+]/)[0]?.split(".") ?? [];
  if (parts.length < 3) return "unexpected end of input while parsing minor version number";
  return "unexpected character after patch version number";
}

function identifierProblem(text: string, what: string, numericLeadingZero: boolean): string | undefined {
  for (const id of text.split(".")) {
    if (id === "") return `empty identifier segment in ${what}`;
    if (!/^[0-9A-Za-z-]+$/.test(id)) return `unexpected character in ${what}`;
    if (numericLeadingZero && /^\d+$/.test(id) && id.length > 1 && id.startsWith("0")) {
      return `invalid leading zero in ${what} identifier`;
    }
  }
  return undefined;
}

function comparePre(a: string, b: string): number {
  if (a === b) return 0;
  if (a === "") return 1;
  if (b === "") return -1;
  return compareIdentifiers(a, b, false);
}

function compareIdentifiers(a: string, b: string, build: boolean): number {
  if (a === b) return 0;
  if (a === "") return -1;
  if (b === "") return 1;
  const xs = a.split(".");
  const ys = b.split(".");
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const x = xs[i] as string;
    const y = ys[i] as string;
    if (x === y) continue;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) {
      if (build && x.length !== y.length) {
        // The crate compares numeric build identifiers numerically, ties broken by length.
        const d = Number(x) - Number(y);
        if (d !== 0) return d < 0 ? -1 : 1;
        return x.length < y.length ? -1 : 1;
      }
      const d = x.length !== y.length ? x.length - y.length : x < y ? -1 : 1;
      return d < 0 ? -1 : 1;
    }
    if (xn) return -1;
    if (yn) return 1;
    return x < y ? -1 : 1;
  }
  return xs.length < ys.length ? -1 : 1;
}

/**
 * The "semver compatible track" of a version, as wit-parser's `version_compat_track`:
 * `1.2.3` → `1.0.0`, `0.2.3` → `0.2.0`, `0.0.3` and pre-releases stay as they are.
 */
export function compatTrack(version: SemVer): SemVer {
  if (version.isPrerelease) return new SemVer(version.major, version.minor, version.patch, version.pre);
  if (version.major !== 0) return new SemVer(version.major, 0, 0);
  if (version.minor !== 0) return new SemVer(0, version.minor, 0);
  return new SemVer(0, 0, version.patch);
}

/** The string form of {@link compatTrack} used in canonical interface names (`1`, `0.2`, `0.0.3`). */
export function compatTrackString(version: SemVer): string {
  if (version.isPrerelease) return version.toString();
  if (version.major !== 0) return `${version.major}`;
  if (version.minor !== 0) return `0.${version.minor}`;
  return `0.0.${version.patch}`;
}
