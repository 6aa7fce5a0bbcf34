/** One challenge of a `WWW-Authenticate` header: the scheme (lowercased) and its parameters. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parse `WWW-Authenticate` (RFC 7235): `Bearer realm="…",service="…",scope="a b",error="…"`,
 * `Basic realm="…"`, or several challenges in one header. Parameter names are lowercased;
 * quoted values may contain commas and escaped quotes.
 */
export function parseChallenges(header: string | null): Challenge[] {
  if (!header) return [];
  const out: Challenge[] = [];
  let i = 0;
  const n = header.length;
  const skip = (re: RegExp) => {
    while (i < n && re.test(header[i] as string)) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < n && /[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(header[i] as string)) i++;
    return header.slice(start, i);
  };
  let current: Challenge | undefined;
  while (i < n) {
    skip(/[\s,]/);
    if (i >= n) break;
    const start = i;
    const name = token();
    if (!name) {
      i++;
      continue;
    }
    skip(/[ \t]/);
    if (header[i] === "=" && current) {
      i++;
      skip(/[ \t]/);
      let value: string;
      if (header[i] === '"') {
        i++;
        value = "";
        while (i < n && header[i] !== '"') {
          if (header[i] === "\\" && i + 1 < n) i++;
          value += header[i];
          i++;
        }
        i++;
      } else {
        value = token();
      }
      current.params[name.toLowerCase()] = value;
      continue;
    }
    // A bare token starts a new challenge; token68 values (`Negotiate abc==`) are skipped.
    if (header[i] === "=" && !current) {
      i = start + name.length + 1;
      continue;
    }
    current = { scheme: name.toLowerCase(), params: {} };
    out.push(current);
  }
  return out;
}

/** The scopes of a Bearer challenge: `scope` holds several, space-separated. */
export function challengeScopes(challenge: Challenge): string[] {
  return (challenge.params.scope ?? "").split(" ").filter(Boolean).map(normalizeScope);
}

/** `repository:x:push,pull` -> `repository:x:pull,push`: registries do not keep action order stable. */
export function normalizeScope(scope: string): string {
  const last = scope.lastIndexOf(":");
  if (last < 0) return scope;
  const actions = [
    ...new Set(
      scope
        .slice(last + 1)
        .split(",")
        .filter(Boolean),
    ),
  ].sort();
  return `${scope.slice(0, last)}:${actions.join(",")}`;
}

/**
 * Merge scopes on the same resource: `repository:x:pull` and `repository:x:pull,push` are one
 * request for `repository:x:pull,push`. Sorted, so equal needs give equal cache keys.
 */
export function mergeScopes(scopes: string[]): string[] {
  const byResource = new Map<string, Set<string>>();
  for (const scope of scopes) {
    const last = scope.lastIndexOf(":");
    if (last < 0) continue;
    const resource = scope.slice(0, last);
    const actions = byResource.get(resource) ?? new Set<string>();
    for (const action of scope.slice(last + 1).split(",")) if (action) actions.add(action);
    byResource.set(resource, actions);
  }
  return [...byResource].map(([resource, actions]) => `${resource}:${[...actions].sort().join(",")}`).sort();
}
