import { WkgError } from "@wasm-pkg/common";

/** One package of a publish set, as read from its path. */
export interface PlanInput {
  /** `ns:name` */
  name: string;
  version?: string;
  /** Where it comes from (a WIT directory or a `.wasm` file), for messages and the plan. */
  path: string;
  /** Every package (`ns:name`) it uses; those in the set become edges. */
  uses: string[];
}

export interface PlanStep {
  name: string;
  version: string;
  path: string;
  /** The packages of the set it needs published first, sorted. */
  dependsOn: string[];
  /** 0 for packages needing nothing from the set; each wave needs only earlier ones. */
  wave: number;
}

/**
 * Order a publish set so every package comes after the packages of the set it uses (upstream's
 * `PublishPlan`, as waves: within a wave, sorted by name, so the order is stable). Edges go by
 * package name, as upstream; the versions must then agree, which building each package against
 * the others checks. Errors: a package named twice, a package without a version, a cycle
 * (named, member by member).
 */
export function planPublish(inputs: PlanInput[]): PlanStep[] {
  const byName = new Map<string, PlanInput>();
  for (const input of inputs) {
    const other = byName.get(input.name);
    if (other) {
      throw new WkgError("USAGE", `${input.name} is in the publish set twice: ${other.path} and ${input.path}`, {
        hint: "pass each package once",
      });
    }
    byName.set(input.name, input);
  }
  const unversioned = inputs.filter((i) => !i.version);
  if (unversioned.length > 0) {
    throw new WkgError(
      "INVALID_PACKAGE",
      `cannot publish packages without a version: ${unversioned.map((i) => `${i.name} (${i.path})`).join(", ")}`,
      {
        hint: "give each package a version in its WIT (`package example:my-package@1.0.0;`)",
      },
    );
  }
  const deps = new Map(inputs.map((i) => [i.name, [...new Set(i.uses)].filter((u) => u !== i.name && byName.has(u)).sort()]));
  const cycle = findCycle(deps);
  if (cycle) {
    throw new WkgError("WIT_RESOLVE", `the packages being published depend on each other in a cycle: ${cycle.join(" -> ")}`, {
      hint: `${cycle.map((n) => `${n} (${byName.get(n)?.path})`).join(", ")}: break the cycle, a package cannot be published before itself`,
    });
  }
  const steps: PlanStep[] = [];
  const done = new Set<string>();
  for (let wave = 0; done.size < inputs.length; wave++) {
    const ready = inputs
      .filter((i) => !done.has(i.name) && (deps.get(i.name) ?? []).every((d) => done.has(d)))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const i of ready) {
      steps.push({ name: i.name, version: i.version as string, path: i.path, dependsOn: deps.get(i.name) ?? [], wave });
    }
    for (const i of ready) done.add(i.name);
  }
  return steps;
}

/** The first cycle found by a depth-first walk, as `a -> b -> a`; undefined when there is none. */
function findCycle(deps: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    state.set(name, "open");
    stack.push(name);
    for (const dep of deps.get(name) ?? []) {
      if (state.get(dep) === "open") return [...stack.slice(stack.indexOf(dep)), dep];
      if (!state.has(dep)) {
        const found = visit(dep);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(name, "done");
    return undefined;
  };
  for (const name of [...deps.keys()].sort()) {
    if (state.has(name)) continue;
    const found = visit(name);
    if (found) return found;
  }
  return undefined;
}
