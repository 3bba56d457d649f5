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
   * CHECKPOINT_PREFIX: where an import that would outlive its invocation leaves its checkpoint. The bucket
   * notifies the report queue of objects created here too: writing a checkpoint is what hands the rest of
   * the import on to the next invocation. Default `checkpoint/`.
   */
  readonly checkpointPrefix: string;
  /**
   * CHECKPOINT_MARGIN_SECONDS: an import stops after its current batch, and hands the rest on, once the
   * invocation has less than this left: time to wait for the requests in flight (retries included) and to
   * write the dead letters and the checkpoint. Default 120.
   */
  readonly checkpointMarginSeconds: number;
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
    checkpointPrefix: prefix('CHECKPOINT_PREFIX', 'checkpoint/'),
    checkpointMarginSeconds: wholeNumber('CHECKPOINT_MARGIN_SECONDS', env.CHECKPOINT_MARGIN_SECONDS, 120, 'seconds'),
    maxSuppressionDays: wholeNumber('MAX_SUPPRESSION_DAYS', env.MAX_SUPPRESSION_DAYS, 90, 'days'),
    archiveMissing: (env.ARCHIVE_MISSING ?? 'true').toLowerCase() !== 'false',
    kmsKeyId: env.SSE_KMS_KEY_ID || undefined,
    findingsSla: env.FINDINGS_SLA ? parseFindingsSla(env.FINDINGS_SLA) : DEFAULT_FINDINGS_SLA,
  };
  const prefixes = [settings.rawPrefix, settings.convertedPrefix, settings.deadLetterPrefix, settings.checkpointPrefix];
  if (prefixes.some((a, i) => prefixes.some((b, j) => i !== j && a.startsWith(b)))) {
    throw new Error('RAW_PREFIX, CONVERTED_PREFIX, DEAD_LETTER_PREFIX and CHECKPOINT_PREFIX must not contain one another');
  }
  return settings;
}

function wholeNumber(name: string, value: string | undefined, fallback: number, unit: string): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d{1,4}$/.test(value)) throw new Error(`${name} must be a whole number of ${unit}, got '${value}'`);
  return Number(value);
}

/** The objects the processor writes for one raw report. */
export interface OutputKeys {
  readonly converted: string;
  readonly deadLetter: string;
  readonly rejected: string;
  /** Where an import of it that had to stop leaves its checkpoint. */
  readonly checkpoint: string;
}

/** Where the outputs of one raw report go: next to it, under the other prefixes. */
export function outputKeys(rawKey: string, settings: ProcessorSettings): OutputKeys {
  if (!rawKey.startsWith(settings.rawPrefix)) throw new Error(`object ${rawKey} is not under ${settings.rawPrefix}`);
  const rest = rawKey.slice(settings.rawPrefix.length);
  return {
    converted: `${settings.convertedPrefix}${rest}.asff.json`,
    deadLetter: `${settings.deadLetterPrefix}${rest}.findings.ndjson`,
    rejected: `${settings.deadLetterPrefix}${rest}.rejected.json`,
    checkpoint: `${settings.checkpointPrefix}${rest}${CHECKPOINT_SUFFIX}`,
  };
}

/** How a checkpoint's key ends; the bucket notifies the queue of objects under CHECKPOINT_PREFIX with it. */
export const CHECKPOINT_SUFFIX = '.checkpoint.json';
