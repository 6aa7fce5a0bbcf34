import { WkgError } from "./errors.js";

/**
 * Why a string is not a valid label (a namespace or package name), in upstream's words,
 * or undefined when it is valid. Labels are kebab-case words of lowercase ASCII letters
 * and digits, each word starting with a letter: `wasi`, `http-types`, `my-pkg2`.
 */
export function labelProblem(label: string): string | undefined {
  if (label.length === 0) return "labels may not be empty";
  for (const word of label.split("-")) {
    if (word.length === 0) return "dash-separated words may not be empty";
    const first = word.charCodeAt(0);
    if (first < 0x61 || first > 0x7a) return "dash-separated words must begin with an ASCII lowercase letter";
    if (!/^[a-z0-9]+$/.test(word)) return "dash-separated words may contain only lowercase alphanumeric ASCII characters";
  }
  return undefined;
}

export function isLabel(label: string): boolean {
  return labelProblem(label) === undefined;
}

/** Throws INVALID_LABEL naming the offending label and the rule it breaks. */
export function parseLabel(label: string, what = "label"): string {
  const problem = labelProblem(label);
  if (problem) {
    throw new WkgError("INVALID_LABEL", `invalid ${what} ${JSON.stringify(label)}: ${problem}`, {
      hint: "use lowercase kebab-case words that start with a letter, e.g. `wasi` or `my-pkg2`",
    });
  }
  return label;
}

/** A package name `namespace:name`, immutable and comparable by its string form. */
export class PackageRef {
  readonly namespace: string;
  readonly name: string;

  private constructor(namespace: string, name: string) {
    this.namespace = namespace;
    this.name = name;
  }

  static of(namespace: string, name: string): PackageRef {
    return new PackageRef(parseLabel(namespace, "namespace"), parseLabel(name, "package name"));
  }

  /** Parses `ns:name`, splitting at the first colon as upstream does (so `a:b:c` fails on the name). */
  static parse(text: string): PackageRef {
    const colon = text.indexOf(":");
    if (colon < 0) {
      throw new WkgError("INVALID_PACKAGE_REF", `invalid package ref ${JSON.stringify(text)}: missing expected ':'`, {
        hint: "package names look like `namespace:name`, e.g. `wasi:http`",
      });
    }
    try {
      return PackageRef.of(text.slice(0, colon), text.slice(colon + 1));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new WkgError("INVALID_PACKAGE_REF", `invalid package ref ${JSON.stringify(text)}: ${reason}`, {
        hint: "package names look like `namespace:name`, e.g. `wasi:http`",
        cause: error,
      });
    }
  }

  static tryParse(text: string): PackageRef | undefined {
    try {
      return PackageRef.parse(text);
    } catch {
      return undefined;
    }
  }

  equals(other: PackageRef): boolean {
    return this.namespace === other.namespace && this.name === other.name;
  }

  /** Orders by namespace, then name, as upstream's `Ord`. */
  static compare(a: PackageRef, b: PackageRef): number {
    if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1;
    if (a.name !== b.name) return a.name < b.name ? -1 : 1;
    return 0;
  }

  toString(): string {
    return `${this.namespace}:${this.name}`;
  }

  toJSON(): string {
    return this.toString();
  }
}
