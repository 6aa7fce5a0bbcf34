import { PackageRef, Version, WkgError } from "@wasm-pkg/common";

/**
 * A stand-in for the WIT decoder behind the client's `WasmInspector` seam, for tests of the
 * logic around it (publish identity and semver gate, `get --format`). Its "wasm" is JSON naming
 * a package, its kind, the functions its one world exports, its WIT text and metadata. A newer
 * version is compatible when it keeps every export with the same signature.
 */
export interface FakeWasm {
  kind?: "wit-package" | "component";
  /** `ns:name@version`, or `ns:name` for an unversioned package. */
  package?: string;
  exports?: Record<string, string>;
  wit?: string;
  meta?: Record<string, string>;
}

export function fakeWasm(f: FakeWasm): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(f));
}

function decode(bytes: Uint8Array): FakeWasm {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as FakeWasm;
  } catch {
    throw new WkgError("INVALID_COMPONENT", "malformed component: not a fake wasm binary");
  }
}

export const fakeInspector = {
  identify(bytes: Uint8Array) {
    const f = decode(bytes);
    const [ref, version] = (f.package ?? "").split("@");
    return {
      kind: f.kind ?? ("wit-package" as const),
      ...(ref ? { package: PackageRef.parse(ref) } : {}),
      ...(version ? { version: Version.parse(version) } : {}),
    };
  },
  toWitText(bytes: Uint8Array): string {
    const f = decode(bytes);
    return f.wit ?? `package ${f.package};\n`;
  },
  metadata(bytes: Uint8Array): Record<string, string> {
    return decode(bytes).meta ?? {};
  },
  semverCheck(previous: Uint8Array, next: Uint8Array): { compatible: true } | { compatible: false; reason: string } {
    const [a, b] = [decode(previous).exports ?? {}, decode(next).exports ?? {}];
    for (const [name, sig] of Object.entries(a)) {
      if (!(name in b)) return { compatible: false, reason: `export \`${name}\` was removed` };
      if (b[name] !== sig) return { compatible: false, reason: `export \`${name}\` changed from ${sig} to ${b[name]}` };
    }
    return { compatible: true };
  },
};
