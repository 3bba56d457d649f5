import { DEFAULT_FINDINGS_SLA, parseFindingsSla } from './finding-metrics';
import type { SlaLimits } from '../policy/security-policy';

/**
 * Environment variables of the findings-processor function. Prefixes must
 * end with `/`; the S3 notification must be limited to `RAW_PREFIX` so that
 * the function's own writes never trigger it.
 */
export interface ProcessorSettings {
  /** RAW_PREFIX: where raw reports arrive. Default `raw/`. */
  readonly rawPrefix: string;
  /** CONVERTED_PREFIX: where the converted ASFF is written. Default `converted/`. */
  readonly convertedPrefix: string;
  /** DEAD_LETTER_PREFIX: where refused findings and rejected reports are written. Default `dead-letter/`. */
  readonly deadLetterPrefix: string;
  /** POLICIES_PREFIX: where builds upload the policy files their reports name (`policy-key`). Default `policies/`. */
  readonly policiesPrefix: string;
  /**
   * MAX_SUPPRESSION_DAYS: the policy files the builds upload are the application repository's: their
   * suppressions are applied in Security Hub only when they end within this many days (0: none). Default 90.
   */
  readonly maxSuppressionDays: number;
  /** ARCHIVE_MISSING: archive the scope's findings absent from the report. Default `true`. */
  readonly archiveMissing: boolean;
  /** SSE_KMS_KEY_ID: KMS key for the objects written. Default: the bucket's default encryption. */
  readonly kmsKeyId?: string;
  /**
   * FINDINGS_SLA: the maximum age per severity past which an open finding counts as overdue in the
   * `OverdueFindings` metric, written `CRITICAL=7d,HIGH=30d,MEDIUM=90d,LOW=180d` (durations as in the
   * policy's `gate.sla`; keep the two equal), or `none`. Default {@link DEFAULT_FINDINGS_SLA}.
   */
  readonly findingsSla: SlaLimits;
}

export function settingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): ProcessorSettings {
  const prefix = (name: string, fallback: string): string => {
    const value = env[name] || fallback;
    if (!value.endsWith('/')) throw new Error(`${name} must end with '/', got '${value}'`);
    return value;
  };
  const settings = {
    rawPrefix: prefix('RAW_PREFIX', 'raw/'),
    convertedPrefix: prefix('CONVERTED_PREFIX', 'converted/'),
    deadLetterPrefix: prefix('DEAD_LETTER_PREFIX', 'dead-letter/'),
    policiesPrefix: prefix('POLICIES_PREFIX', 'policies/'),
    maxSuppressionDays: wholeDays(env.MAX_SUPPRESSION_DAYS, 90),
    archiveMissing: (env.ARCHIVE_MISSING ?? 'true').toLowerCase() !== 'false',
    kmsKeyId: env.SSE_KMS_KEY_ID || undefined,
    findingsSla: env.FINDINGS_SLA ? parseFindingsSla(env.FINDINGS_SLA) : DEFAULT_FINDINGS_SLA,
  };
  const prefixes = [settings.rawPrefix, settings.convertedPrefix, settings.deadLetterPrefix];
  if (prefixes.some((a, i) => prefixes.some((b, j) => i !== j && a.startsWith(b)))) {
    throw new Error('RAW_PREFIX, CONVERTED_PREFIX and DEAD_LETTER_PREFIX must not contain one another');
  }
  return settings;
}

function wholeDays(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d{1,4}$/.test(value)) throw new Error(`MAX_SUPPRESSION_DAYS must be a whole number of days, got '${value}'`);
  return Number(value);
}

/** Where the outputs of one raw report go: next to it, under the other prefixes. */
export function outputKeys(rawKey: string, settings: ProcessorSettings): { converted: string; deadLetter: string; rejected: string } {
  if (!rawKey.startsWith(settings.rawPrefix)) throw new Error(`object ${rawKey} is not under ${settings.rawPrefix}`);
  const rest = rawKey.slice(settings.rawPrefix.length);
  return {
    converted: `${settings.convertedPrefix}${rest}.asff.json`,
    deadLetter: `${settings.deadLetterPrefix}${rest}.findings.ndjson`,
    rejected: `${settings.deadLetterPrefix}${rest}.rejected.json`,
  };
}
