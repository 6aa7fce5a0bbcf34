/** Backend-table keys that hold credentials, at any depth (`auth` may be a string or a table). */
export const SECRET_KEYS: ReadonlySet<string> = new Set(["password", "auth", "auth_token", "token", "signing_key", "identitytoken"]);

export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key);
}

/**
 * The first credential in a backend table, as its key path below the table, or undefined.
 * A key counts whatever its value, so an empty `auth = {}` is found too.
 */
export function findCredential(value: unknown, path: string[] = []): string[] | undefined {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findCredential(item, [...path, String(i)]);
      if (found) return found;
    }
    return undefined;
  }
  if (!value || typeof value !== "object" || value instanceof Date) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (SECRET_KEYS.has(key)) return [...path, key];
    const found = findCredential(item, [...path, key]);
    if (found) return found;
  }
  return undefined;
}
