/**
 * Credential redaction for every message that may reach a terminal, a log or `--json`.
 * Patterns catch the usual carriers (URL userinfo, auth headers, token query parameters);
 * `registerSecret` catches configured values that have no recognisable shape.
 */
const secrets = new Set<string>();

/** Remember a secret (password, token) so that it is masked wherever it appears later. */
export function registerSecret(value: string | undefined | null): void {
  // Very short values would mask ordinary words; they are not worth hiding by text match.
  if (value && value.length >= 6) secrets.add(value);
}

const MASK = "***";

const patterns: Array<[RegExp, string]> = [
  // scheme://user:pass@host -> scheme://***@host
  [/([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+(?::[^\s/@]*)?@/gi, `$1${MASK}@`],
  // Authorization header values and challenge-free bearer tokens
  [/\b(Basic|Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/g, `$1 ${MASK}`],
  // token-ish query or form parameters
  [/([?&](?:access_token|token|password|passwd|secret|sig|signature|X-Amz-Signature|X-Amz-Credential)=)[^&\s"']+/gi, `$1${MASK}`],
  // JSON fields that carry secrets
  [/("(?:password|token|access_token|identitytoken|auth|secret|Secret)"\s*:\s*")[^"]*"/g, `$1${MASK}"`],
];

export function redact(text: string): string {
  let out = text;
  for (const [pattern, replacement] of patterns) out = out.replace(pattern, replacement);
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  return out;
}

/** A URL with userinfo removed and secret query parameters masked, for messages and events. */
export function redactUrl(url: string | URL): string {
  return redact(String(url));
}
