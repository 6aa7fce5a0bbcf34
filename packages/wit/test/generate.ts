/**
 * Generates valid WIT packages from a stream of random numbers (fast-check supplies the
 * stream), covering records, variants, enums, flags, aliases, resources with methods,
 * `use` between interfaces, worlds with imports/exports/inline interfaces, docs and gates.
 */
export function generatePackage(stream: number[], options: { nonEmpty?: boolean } = {}): string {
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
  const lines: string[] = [`package gen:pkg${next(5)}${version};`, ""];
  const ifaces: Array<{ name: string; types: string[] }> = [];
  const nIfaces = 1 + next(3);
  for (let i = 0; i < nIfaces; i++) {
    const name = `iface${i}`;
    const named: string[] = [];
    const resources: string[] = [];
    const body: string[] = [];
    if (i > 0 && chance(60)) {
      const from = ifaces[next(i)] as { name: string; types: string[] };
      if (from.types.length > 0) {
        const t = from.types[next(from.types.length)] as string;
        body.push(`  use ${from.name}.{${t}};`);
        named.push(t);
      }
    }
    const nTypes = next(6);
    for (let t = 0; t < nTypes; t++) {
      const tname = `t${i}x${t}`;
      const head = `${doc("  ")}${gate().replace(/^@/gm, "  @")}`;
      switch (next(6)) {
        case 0:
          body.push(
            `${head}  record ${tname} { ${Array.from({ length: min + next(3) }, (_, f) => `f${f}: ${ty(named, [], 0, false)}`).join(", ")} }`,
          );
          break;
        case 1:
          body.push(
            `${head}  variant ${tname} { ${Array.from({ length: 1 + next(3) }, (_, c) => (chance(50) ? `c${c}(${ty(named, [], 0, false)})` : `c${c}`)).join(", ")} }`,
          );
          break;
        case 2:
          body.push(`${head}  enum ${tname} { ${Array.from({ length: 1 + next(3) }, (_, c) => `e${c}`).join(", ")} }`);
          break;
        case 3:
          body.push(`${head}  flags ${tname} { ${Array.from({ length: min + next(4) }, (_, c) => `g${c}`).join(", ")} }`);
          break;
        case 4: {
          resources.push(tname);
          const funcs: string[] = [];
          if (chance(50)) funcs.push(`    constructor(a: ${ty(named, resources, 0, true)});`);
          for (let m = 0; m < next(3); m++)
            funcs.push(
              `    m${m}: ${chance(20) ? "async " : ""}func(x: ${ty(named, resources, 0, true)}) -> ${ty(named, resources, 0, false)};`,
            );
          if (chance(40)) funcs.push(`    s0: static func() -> ${tname};`);
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
      body.push(`${doc("  ")}  fn${f}: ${chance(15) ? "async " : ""}func(${params})${result};`);
    }
    lines.push(`${doc("")}${gate()}interface ${name} {`, ...body, "}", "");
    ifaces.push({ name, types: named.filter((n) => n.startsWith(`t${i}x`)) });
  }
  for (let w = 0; w < next(3); w++) {
    const items: string[] = [];
    const used = new Set<string>();
    // At most one exported interface: its dependencies become imports, which stays valid.
    let exported = false;
    for (const iface of ifaces) {
      const k = next(4);
      if (k === 1) items.push(`  import ${iface.name};`);
      if (k === 2 && !exported) {
        items.push(`  export ${iface.name};`);
        exported = true;
      }
    }
    for (let f = 0; f < next(3); f++) {
      const name = `wf${f}`;
      if (used.has(name)) continue;
      used.add(name);
      items.push(
        `  ${chance(50) ? "import" : "export"} ${name}: func(a: ${ty([], [], 0, false)})${chance(50) ? ` -> ${ty([], [], 0, false)}` : ""};`,
      );
    }
    if (chance(40)) items.push("  import inline: interface {\n    record r { a: u32 }\n    get: func() -> r;\n  }");
    if (chance(30)) items.push("  record wr { a: string }\n  import use-wr: func(x: wr);");
    lines.push(`${doc("")}world world${w} {`, ...items, "}", "");
  }
  return lines.join("\n");
}
