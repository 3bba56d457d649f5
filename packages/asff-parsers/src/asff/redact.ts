import { sha256Hex } from './sha256';

/** A short, non-reversible name for a secret: enough to tell two secrets apart, useless to an attacker. */
export function secretFingerprint(secret: string): string {
  return `sha256:${sha256Hex(secret).slice(0, 12)}`;
}

/** What replaces a secret wherever it appears. */
export function redactionFor(secret: string): string {
  return `[REDACTED ${secretFingerprint(secret)}]`;
}

/**
 * Returns a deep copy of `value` in which every occurrence of every secret, in
 * any string (keys included), is replaced by its fingerprint. Longer secrets
 * go first so a secret containing another is replaced whole.
 */
export function redactSecrets<T>(value: T, secrets: readonly string[]): T {
  const ordered = [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return value;
  const replacements = ordered.map((s) => [s, redactionFor(s)] as const);
  const redactString = (text: string): string => {
    let result = text;
    for (const [secret, replacement] of replacements) {
      if (result.includes(secret)) result = result.split(secret).join(replacement);
    }
    return result;
  };
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return redactString(node);
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === 'object') {
      const copy: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) copy[redactString(k)] = walk(v);
      return copy;
    }
    return node;
  };
  return walk(value) as T;
}
