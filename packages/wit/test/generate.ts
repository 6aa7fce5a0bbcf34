export interface GenerateOptions {
  /** Component validators (wasmparser) reject empty records and flags, which WIT accepts. */
  nonEmpty?: boolean;
  /**
   * Also generate what only this toolchain is checked against (not older external tools):
   * one interface imported and exported under several names, plain and named forms mixed,
   * `@external-id`, stability attributes on world items, docs on every item that has them
   * (fields, cases, resource functions, world items, the package) and empty packages.
   */
  full?: boolean;
}

/**
 * Generates valid WIT packages from a stream of random numbers (fast-check supplies the
 * stream), covering records, variants, enums, flags, aliases, resources with methods,
 * `use` between interfaces, worlds with imports/exports/inline interfaces, docs and gates
 * (and with `full`, see {@link GenerateOptions}).
 */
export function generatePackage(stream: number[], options: GenerateOptions = {}): string {
  const full = options.full === true;
  // Component validators (wasmparser) reject empty records and flags, which WIT accepts.
  const min = options.nonEmpty ? 1 : 0;
  let pos = 0;
  const next = (n: number) => (n <= 1 ? 0 : (stream[pos++ % stream.length] as number) % n);
  const chance = (percent: number) => next(100) < percent;
  const prims = ["u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64", "bool", "char", "string"];
  const version = chance(60) ? `@${1 + next(3)}.${next(5)}.${next(5)}` : "";
  const gate = (): string => {
    if (version && chance(10)) return "@since(version = 1.0.0)\n";
    if (chance(8)) return `@unstable(feature = feat${next(3)})\n`;
    return "";
  };
  const doc = (indent: string): string => (chance(20) ? `${indent}/// docs ${next(1000)}\n` : "");
  // `full` only: draws nothing otherwise, so the packages generated without it stay as they were.
  const fullDoc = (indent: string): string => (full ? doc(indent) : "");
  const EXTERNAL_IDS = ["x", "hi there", "a/b:c.d_e-f", 'tab\\t and \\"quote\\"', "\\u{e9}t\\u{e9}"];
  const externalId = (indent: string): string =>
    full && chance(12) ? `${indent}@external-id("${EXTERNAL_IDS[next(EXTERNAL_IDS.length)]}")\n` : "";
  const worldGate = (): string => (full ? gate().replace(/^@/gm, "  @") : "");
  /** A comma-separated body: one line when no member has docs, one member a line otherwise. */
  const members = (parts: Array<[string, string]>): string =>
    parts.some(([d]) => d !== "")
      ? `{\n${parts.map(([d, m]) => `${d}    ${m},`).join("\n")}\n  }`
      : `{ ${parts.map(([, m]) => m).join(", ")} }`;
  const ty = (named: string[], resources: string[], depth: number, allowBorrow: boolean): string => {
    const choice = next(depth > 2 ? 2 : 10);
    if (choice === 0 || (choice === 1 && named.length === 0)) return prims[next(prims.length)] as string;
    if (choice === 1) return named[next(named.length)] as string;
    const inner = () => ty(named, resources, depth + 1, false);
    switch (choice) {
      case 2:
        return `list<${inner()}>`;
      case 3:
        return `option<${inner()}>`;
      case 4:
        return ["result", `result<${inner()}>`, `result<_, ${inner()}>`, `result<${inner()}, ${inner()}>`][next(4)] as string;
      case 5:
        return `tuple<${inner()}, ${inner()}>`;
      case 6:
        return `list<${inner()}, ${1 + next(8)}>`;
      case 7:
        return resources.length > 0 && allowBorrow ? `borrow<${resources[next(resources.length)]}>` : "string";
      case 8:
        return resources.length > 0 ? (resources[next(resources.length)] as string) : "u32";
      default:
        return `future<${inner()}>`;
    }
  };
  const lines: string[] = [`${fullDoc("")}package gen:pkg${next(5)}${version};`, ""];
  const ifaces: Array<{ name: string; types: string[] }> = [];
  /** Every interface an interface depends on, transitively, through `use`. */
  const deps = new Map<string, Set<string>>();
  // An empty package (`package x:y;` alone) is common in WASI 0.3 trees.
  const nIfaces = full && chance(5) ? 0 : 1 + next(3);
  for (let i = 0; i < nIfaces; i++) {
    const name = `iface${i}`;
    const named: string[] = [];
    const resources: string[] = [];
    const body: string[] = [];
    const uses = new Set<string>();
    deps.set(name, uses);
    if (i > 0 && chance(60)) {
      const from = ifaces[next(i)] as { name: string; types: string[] };
      if (from.types.length > 0) {
        const t = from.types[next(from.types.length)] as string;
        body.push(`${externalId("  ")}  use ${from.name}.{${t}};`);
        named.push(t);
        uses.add(from.name);
        for (const dep of deps.get(from.name) ?? []) uses.add(dep);
      }
    }
    const nTypes = next(6);
    for (let t = 0; t < nTypes; t++) {
      const tname = `t${i}x${t}`;
      const head = `${doc("  ")}${gate().replace(/^@/gm, "  @")}${externalId("  ")}`;
      switch (next(6)) {
        case 0:
          body.push(
            `${head}  record ${tname} ${members(Array.from({ length: min + next(3) }, (_, f) => [fullDoc("    "), `f${f}: ${ty(named, [], 0, false)}`]))}`,
          );
          break;
        case 1:
          body.push(
            `${head}  variant ${tname} ${members(Array.from({ length: 1 + next(3) }, (_, c) => [fullDoc("    "), chance(50) ? `c${c}(${ty(named, [], 0, false)})` : `c${c}`]))}`,
          );
          break;
        case 2:
          body.push(`${head}  enum ${tname} ${members(Array.from({ length: 1 + next(3) }, (_, c) => [fullDoc("    "), `e${c}`]))}`);
          break;
        case 3:
          body.push(`${head}  flags ${tname} ${members(Array.from({ length: min + next(4) }, (_, c) => [fullDoc("    "), `g${c}`]))}`);
          break;
        case 4: {
          resources.push(tname);
          const funcs: string[] = [];
          const fhead = () => `${fullDoc("    ")}${externalId("    ")}`;
          if (chance(50)) funcs.push(`${fhead()}    constructor(a: ${ty(named, resources, 0, true)});`);
          for (let m = 0; m < next(3); m++)
            funcs.push(
              `${fhead()}    m${m}: ${chance(20) ? "async " : ""}func(x: ${ty(named, resources, 0, true)}) -> ${ty(named, resources, 0, false)};`,
            );
          if (chance(40)) funcs.push(`${fhead()}    s0: static func() -> ${tname};`);
          body.push(funcs.length ? `${head}  resource ${tname} {\n${funcs.join("\n")}\n  }` : `${head}  resource ${tname};`);
          break;
        }
        default:
          body.push(`${head}  type ${tname} = ${ty(named, resources, 0, false)};`);
      }
      named.push(tname);
    }
    for (let f = 0; f < next(4); f++) {
      const params = Array.from({ length: next(3) }, (_, p) => `p${p}: ${ty(named, resources, 0, true)}`).join(", ");
      const result = chance(60) ? ` -> ${ty(named, resources, 0, false)}` : "";
      body.push(`${doc("  ")}${externalId("  ")}  fn${f}: ${chance(15) ? "async " : ""}func(${params})${result};`);
    }
    lines.push(`${doc("")}${gate()}interface ${name} {`, ...body, "}", "");
    ifaces.push({ name, types: named.filter((n) => n.startsWith(`t${i}x`)) });
  }
  for (let w = 0; w < (ifaces.length === 0 && full ? 0 : next(3)); w++) {
    const items: string[] = [];
    const used = new Set<string>();
    const head = () => `${fullDoc("  ")}${worldGate()}${externalId("  ")}`;
    // At most one interface exported under its own name: its dependencies become imports,
    // which stays valid.
    let exported: string | undefined;
    for (const iface of ifaces) {
      const k = next(4);
      if (k === 1) items.push(`${head()}  import ${iface.name};`);
      if (k === 2 && exported === undefined) {
        items.push(`${head()}  export ${iface.name};`);
        exported = iface.name;
      }
    }
    if (full) {
      // The same interfaces again under labels (`import a: i;`, `export b: i;`), several times
      // each. An export's dependencies are imported (unless exported under their own name), and
      // wit-parser rejects a world that would need one interface both imported and exported
      // that way: a labelled export must not be such a dependency, nor depend on the interface
      // exported under its own name.
      const needImported = new Set(exported === undefined ? [] : deps.get(exported));
      for (let n = 0; n < next(5) && ifaces.length > 0; n++) {
        const iface = ifaces[next(ifaces.length)] as { name: string };
        const isExport = chance(50);
        const its = deps.get(iface.name) ?? new Set<string>();
        if (isExport && (needImported.has(iface.name) || (exported !== undefined && its.has(exported)))) continue;
        if (isExport) for (const d of its) needImported.add(d);
        items.push(`${head()}  ${isExport ? "export" : "import"} n${n}: ${iface.name};`);
      }
    }
    for (let f = 0; f < next(3); f++) {
      const name = `wf${f}`;
      if (used.has(name)) continue;
      used.add(name);
      items.push(
        `${head()}  ${chance(50) ? "import" : "export"} ${name}: func(a: ${ty([], [], 0, false)})${chance(50) ? ` -> ${ty([], [], 0, false)}` : ""};`,
      );
    }
    if (chance(40)) items.push("  import inline: interface {\n    record r { a: u32 }\n    get: func() -> r;\n  }");
    if (chance(30)) items.push("  record wr { a: string }\n  import use-wr: func(x: wr);");
    lines.push(`${doc("")}world world${w} {`, ...items, "}", "");
  }
  return lines.join("\n");
}
