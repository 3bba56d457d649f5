/**
 * Defensive readers for values of untrusted JSON: a report that has a
 * string where an object was expected yields "absent", never a TypeError.
 */

export function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A non-empty string, numbers and booleans rendered; anything else undefined. */
export function asString(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

export function asNumber(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** Joins the defined, non-empty parts. */
export function joinNonEmpty(parts: readonly (string | undefined)[], separator: string): string {
  return parts.filter((p): p is string => p !== undefined && p !== '').join(separator);
}
