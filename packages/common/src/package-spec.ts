import { WkgError } from "./errors.js";
import { PackageRef } from "./package-ref.js";
import { Version, VersionReq } from "./version.js";

/**
 * `ns:name`, `ns:name@1.2.3` (an exact version, as upstream) or `ns:name@^1.2` (a requirement,
 * our extension): what `wkg get` and friends accept on the command line.
 */
export class PackageSpec {
  readonly ref: PackageRef;
  readonly version: Version | undefined;
  readonly requirement: VersionReq | undefined;

  private constructor(ref: PackageRef, version?: Version, requirement?: VersionReq) {
    this.ref = ref;
    this.version = version;
    this.requirement = requirement;
  }

  static parse(text: string): PackageSpec {
    const at = text.indexOf("@");
    const ref = PackageRef.parse(at < 0 ? text : text.slice(0, at));
    if (at < 0) return new PackageSpec(ref);
    const rest = text.slice(at + 1);
    if (rest === "") {
      throw new WkgError("INVALID_VERSION", `invalid package spec ${JSON.stringify(text)}: nothing after '@'`, {
        hint: "write `ns:name@1.2.3`, `ns:name@^1.2`, or just `ns:name` for the latest version",
      });
    }
    const version = Version.tryParse(rest);
    if (version) return new PackageSpec(ref, version);
    return new PackageSpec(ref, undefined, VersionReq.parse(rest));
  }

  toString(): string {
    if (this.version) return `${this.ref}@${this.version}`;
    if (this.requirement) return `${this.ref}@${this.requirement}`;
    return this.ref.toString();
  }
}
