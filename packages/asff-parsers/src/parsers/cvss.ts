import type { Cvss } from '@aws-sdk/client-securityhub';
import { Cvss3P0, Cvss3P1, Cvss4P0 } from 'ae-cvss-calculator';
import type { DraftSeverity } from './parser';
import { labelFromScore } from './severity';

/**
 * CVSS v3.0, v3.1 and v4.0 base scores from a vector, with FIRST's formulas as
 * ae-cvss-calculator implements them: some tools (OSV records, CycloneDX
 * ratings) give only the vector, and a vulnerability nobody scored would
 * otherwise reach Security Hub without a BaseScore and with a guessed severity.
 */

/** A well-formed v3/v4 vector: `CVSS:3.1/AV:N/...`, metrics as `Name:Value`. Longer ones are not CVSS. */
const VECTOR = /^CVSS:(3\.0|3\.1|4\.0)((?:\/[A-Za-z]{1,4}:[A-Za-z]{1,2}){1,40})$/;
const MAX_VECTOR_CHARS = 300;

/** Vectors repeat across the findings of one report (one advisory, many packages): score each once. */
const scores = new Map<string, number | undefined>();
const MAX_REMEMBERED = 2_000;

/** The base score of a CVSS v3.0/v3.1/v4.0 vector, or undefined when it is not one the calculator accepts. */
export function cvssBaseScore(vector: string): number | undefined {
  const text = vector.trim();
  if (text.length > MAX_VECTOR_CHARS) return undefined;
  if (scores.has(text)) return scores.get(text);
  const score = computeBaseScore(text);
  if (scores.size >= MAX_REMEMBERED) scores.clear();
  scores.set(text, score);
  return score;
}

function computeBaseScore(text: string): number | undefined {
  const match = VECTOR.exec(text);
  if (match === null) return undefined;
  try {
    const vector = match[1] === '4.0' ? new Cvss4P0(text) : match[1] === '3.1' ? new Cvss3P1(text) : new Cvss3P0(text);
    const base = vector.calculateScores().base;
    return typeof base === 'number' && Number.isFinite(base) && base >= 0 && base <= 10 ? base : undefined;
  } catch {
    // The calculator throws on an unknown metric or value: such a vector has no score, not an error of the report.
    return undefined;
  }
}

/** The entry with a BaseScore computed from its vector when the tool gave none (a tool's own score is kept). */
export function withBaseScore(cvss: Cvss): Cvss {
  if (cvss.BaseScore !== undefined || cvss.BaseVector === undefined) return cvss;
  const score = cvssBaseScore(cvss.BaseVector);
  return score === undefined ? cvss : { ...cvss, BaseScore: score };
}

/**
 * The severity of the highest-scoring v3/v4 vector among `cvss`, for a tool
 * that gives vectors but no severity; undefined when none can be scored.
 * Severity.Original names the score and its CVSS version (`CVSS:3.1 9.8`).
 */
export function severityFromCvss(cvss: readonly Cvss[]): DraftSeverity | undefined {
  let best: { score: number; version: string } | undefined;
  for (const entry of cvss) {
    const vector = entry.BaseVector;
    const version = vector !== undefined && vector.length <= MAX_VECTOR_CHARS ? VECTOR.exec(vector.trim())?.[1] : undefined;
    const score = version !== undefined ? entry.BaseScore ?? cvssBaseScore(vector!) : undefined;
    if (score !== undefined && version !== undefined && (best === undefined || score > best.score)) best = { score, version };
  }
  return best === undefined ? undefined : { label: labelFromScore(best.score), original: `CVSS:${best.version} ${best.score}` };
}
