import type { DraftSeverity, SeverityLabel, SeverityTable } from './parser';

/**
 * Looks a raw severity up in a tool's table, whatever its case or
 * surrounding spaces (`Critical`, `critical`, `CRITICAL` are one value).
 * A missing value, or one the table does not know, gets `fallback`; a missing
 * value is never looked up as `unknown`, so a table's `unknown` entry (the
 * tool's own word) cannot shadow the caller's fallback. Severity.Original keeps
 * the raw value (`unknown` when there was none) so nothing the tool said is lost.
 */
export function severityFrom(table: SeverityTable, raw: unknown, fallback: SeverityLabel = 'INFORMATIONAL'): DraftSeverity {
  if (raw === undefined || raw === null || String(raw).trim() === '') return { label: fallback, original: 'unknown' };
  const original = String(raw).trim();
  const label = Object.prototype.hasOwnProperty.call(table, original.toLowerCase()) ? table[original.toLowerCase()] : fallback;
  return { label, original };
}

/**
 * Severity from a CVSS-style score 0-10 (the Security Hub bands: 0 INFORMATIONAL,
 * 0.1-3.9 LOW, 4.0-6.9 MEDIUM, 7.0-8.9 HIGH, 9.0-10 CRITICAL).
 */
export function labelFromScore(score: number): SeverityLabel {
  if (!(score > 0)) return 'INFORMATIONAL';
  if (score < 4) return 'LOW';
  if (score < 7) return 'MEDIUM';
  if (score < 9) return 'HIGH';
  return 'CRITICAL';
}

/** Parses a CVSS score given as number or string; undefined when absent or out of range. */
export function parseScore(raw: unknown): number | undefined {
  const score = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  return Number.isFinite(score) && score >= 0 && score <= 10 ? score : undefined;
}

/** The usual vulnerability-scanner scale, shared by several tools. */
export const VULNERABILITY_SEVERITIES: SeverityTable = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  moderate: 'MEDIUM',
  low: 'LOW',
  negligible: 'INFORMATIONAL',
  informational: 'INFORMATIONAL',
  info: 'INFORMATIONAL',
  unknown: 'INFORMATIONAL',
  untriaged: 'INFORMATIONAL',
  undefined: 'INFORMATIONAL',
};
