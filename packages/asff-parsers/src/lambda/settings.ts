import { DEFAULT_FINDINGS_SLA, parseFindingsSla } from './finding-metrics';
import { OCSF_CLASSES } from '../ocsf/ocsf-finding';
import { parseSecurityLakeLocation, SECURITY_LAKE_EVENT_CLASSES, type SecurityLakeLocation } from '../ocsf/security-lake';
import { DEFAULT_IN_SOURCE_SUPPRESSIONS, IN_SOURCE_SUPPRESSIONS, type InSourceSuppressions, type SlaLimits } from '../policy/security-policy';

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
  /**
   * IN_SOURCE_SUPPRESSIONS: the factory policy's `gate.inSourceSuppressions`. Whether findings a tool reports
   * suppressed in the scanned content become SUPPRESSED in Security Hub; the uploaded (repository) policy file
   * never decides it. Default `ignore`.
   */
  readonly inSourceSuppressions: InSourceSuppressions;
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
  /**
   * Also write each imported report's findings to Amazon Security Lake, as OCSF Parquet objects of two custom
   * sources (docs/ocsf.md). Set by five variables, all or none:
   * SECURITY_LAKE_VULNERABILITY_LOCATION and SECURITY_LAKE_VULNERABILITY_ROLE_ARN, the `provider.location` and
   * `provider.roleArn` of the source registered for VULNERABILITY_FINDING; SECURITY_LAKE_DETECTION_LOCATION and
   * SECURITY_LAKE_DETECTION_ROLE_ARN, those of the DETECTION_FINDING source; SECURITY_LAKE_EXTERNAL_ID, the external
   * id both were registered with (`providerIdentity.externalId`). Default: none, Security Hub only.
   */
  readonly securityLake?: SecurityLakeSettings;
}

/** Where and as whom the processor writes to Security Lake's custom sources. */
export interface SecurityLakeSettings {
  /** The source of each OCSF class (`class_uid`): Security Lake takes one class per custom source. */
  readonly sources: Readonly<Record<number, SecurityLakeSource>>;
  /** What Security Lake's provider roles require in sts:AssumeRole (the sources' `providerIdentity.externalId`). */
  readonly externalId: string;
}

/** One custom source: where its objects go and the role Security Lake created to write them. */
export interface SecurityLakeSource {
  readonly eventClass: string;
  readonly location: SecurityLakeLocation;
  /** `AmazonSecurityLake-Provider-<source>-<region>`: only it may write under the source's prefix. */
  readonly roleArn: string;
}

/** The S3 server-side encryption of the objects the processor writes to the reports bucket. */
export function encryptionOf(settings: Pick<ProcessorSettings, 'kmsKeyId'>): { ServerSideEncryption?: 'aws:kms'; SSEKMSKeyId?: string } {
  return settings.kmsKeyId ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: settings.kmsKeyId } : {};
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
    inSourceSuppressions: inSourceSuppressionsSetting(env.IN_SOURCE_SUPPRESSIONS),
    archiveMissing: (env.ARCHIVE_MISSING ?? 'true').toLowerCase() !== 'false',
    kmsKeyId: env.SSE_KMS_KEY_ID || undefined,
    findingsSla: env.FINDINGS_SLA ? parseFindingsSla(env.FINDINGS_SLA) : DEFAULT_FINDINGS_SLA,
    securityLake: securityLakeFromEnvironment(env),
  };
  const prefixes = [settings.rawPrefix, settings.convertedPrefix, settings.deadLetterPrefix, settings.checkpointPrefix];
  if (prefixes.some((a, i) => prefixes.some((b, j) => i !== j && a.startsWith(b)))) {
    throw new Error('RAW_PREFIX, CONVERTED_PREFIX, DEAD_LETTER_PREFIX and CHECKPOINT_PREFIX must not contain one another');
  }
  return settings;
}

const SECURITY_LAKE_VARIABLES = {
  vulnerabilityLocation: 'SECURITY_LAKE_VULNERABILITY_LOCATION',
  vulnerabilityRole: 'SECURITY_LAKE_VULNERABILITY_ROLE_ARN',
  detectionLocation: 'SECURITY_LAKE_DETECTION_LOCATION',
  detectionRole: 'SECURITY_LAKE_DETECTION_ROLE_ARN',
  externalId: 'SECURITY_LAKE_EXTERNAL_ID',
} as const;

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/**
 * All five or none: with part of them the findings of one class would have nowhere to go, and a processor
 * that silently left them out would look configured.
 */
function securityLakeFromEnvironment(env: NodeJS.ProcessEnv): SecurityLakeSettings | undefined {
  const names = Object.values(SECURITY_LAKE_VARIABLES);
  const missing = names.filter((name) => !env[name]);
  if (missing.length === names.length) return undefined;
  if (missing.length > 0) throw new Error(`Security Lake export needs ${names.join(', ')}; missing: ${missing.join(', ')}`);
  const source = (eventClass: string, location: string, role: string): SecurityLakeSource => {
    const roleArn = env[role]!;
    if (!ROLE_ARN.test(roleArn)) throw new Error(`${role} must be an IAM role ARN (the source's provider.roleArn), got '${roleArn}'`);
    return { eventClass, location: parseSecurityLakeLocation(env[location]!), roleArn };
  };
  const { vulnerability, detection } = OCSF_CLASSES;
  const v = SECURITY_LAKE_VARIABLES;
  return {
    sources: {
      [vulnerability.uid]: source(SECURITY_LAKE_EVENT_CLASSES[vulnerability.uid], v.vulnerabilityLocation, v.vulnerabilityRole),
      [detection.uid]: source(SECURITY_LAKE_EVENT_CLASSES[detection.uid], v.detectionLocation, v.detectionRole),
    },
    externalId: env[v.externalId]!,
  };
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
  /** Findings that could not be written to Security Lake as OCSF, with the reasons (NDJSON). */
  readonly securityLakeUnwritable: string;
  /** Where a Security Lake object that could not be written is kept (its key below the source's location follows). */
  readonly securityLakeFailed: string;
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
    securityLakeUnwritable: `${settings.deadLetterPrefix}${rest}.ocsf-unwritable.ndjson`,
    securityLakeFailed: `${settings.deadLetterPrefix}${rest}.security-lake/`,
  };
}

/** How a checkpoint's key ends; the bucket notifies the queue of objects under CHECKPOINT_PREFIX with it. */
export const CHECKPOINT_SUFFIX = '.checkpoint.json';

function inSourceSuppressionsSetting(value: string | undefined): InSourceSuppressions {
  if (value === undefined || value === '') return DEFAULT_IN_SOURCE_SUPPRESSIONS;
  if (!(IN_SOURCE_SUPPRESSIONS as readonly string[]).includes(value)) {
    throw new Error(`IN_SOURCE_SUPPRESSIONS must be one of ${IN_SOURCE_SUPPRESSIONS.join(', ')}, got '${value.slice(0, 20)}'`);
  }
  return value as InSourceSuppressions;
}
