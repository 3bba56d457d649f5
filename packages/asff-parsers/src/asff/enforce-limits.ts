import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { LIMITS, TRUNCATION_MARKER, truncateBytes, truncateChars } from './limits';

/** Fields whose values identify the finding: never shortened by the size pass. */
const PROTECTED_KEYS = new Set([
  'SchemaVersion', 'Id', 'ProductArn', 'AwsAccountId', 'CreatedAt', 'UpdatedAt', 'Label', 'Partition', 'Region', 'RecordState',
]);

/**
 * Brings a finding within every Security Hub limit by shortening, never by
 * dropping the finding: long texts end with a visible marker, surplus
 * Resources and ProductFields are cut and the cut is recorded in
 * ProductFields, and a finding still over 240 KB has its largest strings and
 * lists halved until it fits.
 */
export function enforceLimits(input: AwsSecurityFinding): AwsSecurityFinding {
  return enforceLimitsInPlace(structuredClone(input));
}

/**
 * `enforceLimits` without the defensive copy, for a finding nobody else holds
 * (the builder's own): copying every finding would cost more than the rest of
 * the conversion.
 */
export function enforceLimitsInPlace(f: AwsSecurityFinding): AwsSecurityFinding {
  const notes: Record<string, string> = {};
  f.Title = truncateChars(f.Title ?? '', LIMITS.titleChars);
  f.Description = truncateChars(f.Description ?? '', LIMITS.descriptionChars);
  if (f.GeneratorId !== undefined) f.GeneratorId = truncateChars(f.GeneratorId, LIMITS.generatorIdChars);
  if (f.Severity?.Original !== undefined) f.Severity.Original = truncateChars(f.Severity.Original, LIMITS.severityOriginalChars);
  const providerSeverity = f.FindingProviderFields?.Severity;
  if (providerSeverity?.Original !== undefined) providerSeverity.Original = truncateChars(providerSeverity.Original, LIMITS.severityOriginalChars);
  const recommendation = f.Remediation?.Recommendation;
  if (recommendation?.Text !== undefined) recommendation.Text = truncateChars(recommendation.Text, LIMITS.remediationTextChars);
  if (f.Types !== undefined) {
    f.Types = [...new Set(f.Types)].slice(0, LIMITS.types);
    if (f.FindingProviderFields?.Types !== undefined) f.FindingProviderFields.Types = [...f.Types];
  }
  if (f.Resources !== undefined) {
    if (f.Resources.length > LIMITS.resources) {
      notes.ResourcesTruncated = `${LIMITS.resources} of ${f.Resources.length} resources shown`;
      f.Resources = f.Resources.slice(0, LIMITS.resources);
    }
    for (const r of f.Resources) r.Type = truncateChars(r.Type ?? 'Other', LIMITS.resourceTypeChars);
  }
  f.ProductFields = limitProductFields(f.ProductFields ?? {}, notes);
  // JSON escaping at most multiplies a string's length by 6 (\u0000); below
  // that bound the exact (and costly) serialised size need not be computed.
  const chars = capStrings(f);
  if (chars * 6 > LIMITS.findingBytes) shrinkToSize(f);
  return f;
}

function limitProductFields(fields: Record<string, string>, notes: Record<string, string>): Record<string, string> {
  const entries = Object.entries(fields).map(([k, v]) => [
    truncateChars(k, LIMITS.productFieldKeyChars),
    truncateChars(String(v), LIMITS.productFieldValueChars),
  ] as const);
  const noteEntries = Object.entries(notes);
  const room = LIMITS.productFields - noteEntries.length;
  const limited: Record<string, string> = {};
  if (entries.length > room) {
    for (const [k, v] of entries.slice(0, room - 1)) limited[k] = v;
    limited.ProductFieldsTruncated = `${entries.length - (room - 1)} more fields not shown`;
  } else {
    for (const [k, v] of entries) limited[k] = v;
  }
  for (const [k, v] of noteEntries) limited[k] = v;
  return limited;
}

/**
 * Every string anywhere stays under 32 KB. Returns an upper bound of the
 * characters the finding serialises to (strings and keys, plus punctuation).
 */
function capStrings(node: unknown): number {
  let chars = 0;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const value: unknown = node[i];
      if (typeof value === 'string') {
        if (value.length * 3 > LIMITS.stringBytes) node[i] = truncateBytes(value, LIMITS.stringBytes);
        chars += (node[i] as string).length + 3;
      } else {
        chars += capStrings(value) + 1;
      }
    }
  } else if (node !== null && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const value = record[key];
      chars += key.length + 4;
      if (typeof value === 'string') {
        if (value.length * 3 > LIMITS.stringBytes) record[key] = truncateBytes(value, LIMITS.stringBytes);
        chars += (record[key] as string).length;
      } else {
        chars += capStrings(value) + 2;
      }
    }
  } else {
    chars += 24;
  }
  return chars;
}

interface Leaf {
  readonly parent: Record<string, unknown> | unknown[];
  readonly key: string | number;
  readonly bytes: number;
}

function collect(node: unknown, leaves: Leaf[], arrays: { parent: Record<string, unknown>; key: string; length: number }[]): void {
  if (Array.isArray(node)) {
    node.forEach((value, i) => {
      if (typeof value === 'string') leaves.push({ parent: node, key: i, bytes: Buffer.byteLength(value) });
      else collect(value, leaves, arrays);
    });
  } else if (node !== null && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    for (const [key, value] of Object.entries(record)) {
      if (typeof value === 'string') {
        if (!PROTECTED_KEYS.has(key)) leaves.push({ parent: record, key, bytes: Buffer.byteLength(value) });
      } else {
        if (Array.isArray(value) && value.length > 1 && key !== 'Types') arrays.push({ parent: record, key, length: value.length });
        collect(value, leaves, arrays);
      }
    }
  }
}

function sizeOf(f: AwsSecurityFinding): number {
  return Buffer.byteLength(JSON.stringify(f), 'utf8');
}

/** Halves the largest strings, then the longest lists, until the finding fits in 240 KB. */
function shrinkToSize(f: AwsSecurityFinding): void {
  for (let round = 0; round < 500 && sizeOf(f) > LIMITS.findingBytes; round++) {
    const leaves: Leaf[] = [];
    const arrays: { parent: Record<string, unknown>; key: string; length: number }[] = [];
    collect(f, leaves, arrays);
    const largest = leaves.reduce<Leaf | undefined>((best, leaf) => (best === undefined || leaf.bytes > best.bytes ? leaf : best), undefined);
    if (largest !== undefined && largest.bytes > 1024) {
      const parent = largest.parent as Record<string | number, string>;
      parent[largest.key] = truncateBytes(parent[largest.key], Math.floor(largest.bytes / 2));
      continue;
    }
    const longest = arrays.reduce<(typeof arrays)[number] | undefined>(
      (best, a) => (best === undefined || a.length > best.length ? a : best),
    undefined,
    );
    if (longest === undefined) return;
    const list = longest.parent[longest.key] as unknown[];
    longest.parent[longest.key] = list.slice(0, Math.ceil(list.length / 2));
    const fields = (f.ProductFields ??= {});
    if (Object.keys(fields).length < LIMITS.productFields || 'SizeTruncated' in fields) {
      fields.SizeTruncated = `${TRUNCATION_MARKER.trim()} lists shortened to fit 240 KB`;
    }
  }
}
