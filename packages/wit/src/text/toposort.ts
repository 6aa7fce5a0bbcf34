import { syntaxError, type WitError } from "../errors.js";
import type { Id } from "./ast.js";

/**
 * Topological sort of named nodes, stable by source order: among the nodes whose
 * dependencies are all placed, the earliest-declared goes first (wit-parser's binary-heap
 * scheme, so the resulting arena order matches upstream).
 */
export function toposort(kind: string, deps: Map<string, Id[]>, hint?: (name: string) => string | undefined): string[] {
  const names = [...deps.keys()];
  const index = new Map<string, number>();
  for (let i = 0; i < names.length; i++) index.set(names[i] as string, i);
  const remaining = new Array<number>(names.length).fill(0);
  const reverse: number[][] = names.map(() => []);
  names.forEach((name, i) => {
    const edges = deps.get(name) as Id[];
    remaining[i] = edges.length;
    for (const edge of edges) {
      const j = index.get(edge.name);
      if (j === undefined) throw notFound(kind, edge, hint);
      (reverse[j] as number[]).push(i);
    }
  });
  // A min-heap on declaration index.
  const heap: number[] = [];
  const push = (i: number) => {
    heap.push(i);
    let k = heap.length - 1;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if ((heap[parent] as number) <= i) break;
      heap[k] = heap[parent] as number;
      k = parent;
    }
    heap[k] = i;
  };
  const pop = (): number => {
    const top = heap[0] as number;
    const last = heap.pop() as number;
    if (heap.length > 0) {
      let k = 0;
      for (;;) {
        const l = 2 * k + 1;
        if (l >= heap.length) break;
        const r = l + 1;
        const c = r < heap.length && (heap[r] as number) < (heap[l] as number) ? r : l;
        if ((heap[c] as number) >= last) break;
        heap[k] = heap[c] as number;
        k = c;
      }
      heap[k] = last;
    }
    return top;
  };
  names.forEach((_, i) => {
    if (remaining[i] === 0) push(i);
  });
  const order: string[] = [];
  while (heap.length > 0) {
    const i = pop();
    order.push(names[i] as string);
    for (const j of reverse[i] as number[]) {
      remaining[j] = (remaining[j] as number) - 1;
      if (remaining[j] === 0) push(j);
    }
    (reverse[i] as number[]).length = 0;
  }
  if (order.length === names.length) return order;
  for (let i = 0; i < names.length; i++) {
    if (remaining[i] === 0) continue;
    for (const dep of deps.get(names[i] as string) as Id[]) {
      const j = index.get(dep.name) as number;
      if (remaining[j] === 0) continue;
      throwCycle(kind, dep);
    }
  }
  throw new Error("toposort: cycle not found");
}

function throwCycle(kind: string, dep: Id): never {
  throw syntaxError(`${kind} \`${dep.name}\` depends on itself`, dep.span);
}

function notFound(kind: string, edge: Id, hint?: (name: string) => string | undefined): WitError {
  const extra = hint?.(edge.name);
  return syntaxError(`${kind} \`${edge.name}\` does not exist${extra ? `\n${extra}` : ""}`, edge.span);
}
