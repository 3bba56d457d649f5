import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SeverityTally } from './finding-metrics';
import { encryptionOf, outputKeys, ProcessorSettings } from './settings';
import { ImportSummary } from '../importer/import-summary';
import { SeverityLabel } from '../policy/severity';

/**
 * Where an import that would have outlived its invocation stopped: written to
 * `<CHECKPOINT_PREFIX><path of the raw report>.checkpoint.json`, KMS-encrypted
 * like the other outputs. The bucket notifies the report queue of it, so
 * writing it is what hands the rest of the import on; the next invocation
 * reads the report again, skips the findings already settled and goes on.
 */
export interface ImportCheckpoint {
  readonly version: 1;
  /**
   * True once the import finished: the checkpoint is then kept (until the bucket's lifecycle expires it)
   * so that a late or repeated notification of it is recognised and does nothing.
   */
  readonly complete: boolean;
  /** The raw report being imported. */
  readonly rawKey: string;
  /** Its ETag: a report replaced under the same key is a new report, not this one's continuation. */
  readonly rawETag: string;
  /** The invocation that continues from here: 2 for the first continuation. */
  readonly segment: number;
  /** When the first invocation started (FirstObservedAt of new findings, LastObservedAt of all). */
  readonly runStarted: string;
  /** Findings of the report already imported or dead-lettered, in the report's order. */
  readonly findingsRead: number;
  /** The counters of the invocations so far, added up. */
  readonly summary: ImportSummary;
  /** The findings metrics of the invocations so far, added up. */
  readonly tally: Partial<Record<SeverityLabel, SeverityTally>>;
}

/**
 * The checkpoint at `key`, or undefined when it is no longer the object `eTag` names (a newer checkpoint
 * replaced it). Any other failure throws, so that the notification is retried rather than the rest of an
 * import dropped.
 */
export async function readCheckpoint(s3: S3Client, bucket: string, key: string, eTag?: string): Promise<ImportCheckpoint | undefined> {
  let text: string;
  try {
    // S3 events give the ETag without the quotes its headers carry.
    const ifMatch = eTag ? { IfMatch: eTag.startsWith('"') ? eTag : `"${eTag}"` } : {};
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...ifMatch }));
    text = await object.Body!.transformToString('utf8');
  } catch (error) {
    // A newer checkpoint than the event announced: the import went on, and that checkpoint's own notification continues it.
    const name = (error as { name?: string }).name;
    if (name === 'PreconditionFailed' || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412) return undefined;
    throw error;
  }
  return parseCheckpoint(text, key);
}

/** Refuses anything but a checkpoint this processor writes, so that no object can make it skip findings it should import. */
export function parseCheckpoint(text: string, key: string): ImportCheckpoint {
  let value: Partial<ImportCheckpoint>;
  try {
    value = JSON.parse(text) as Partial<ImportCheckpoint>;
  } catch {
    throw new Error(`checkpoint ${key} is not JSON`);
  }
  const whole = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 0;
  if (value.version !== 1 || typeof value.complete !== 'boolean' || typeof value.rawKey !== 'string' || typeof value.rawETag !== 'string'
    || !whole(value.segment) || !whole(value.findingsRead) || typeof value.runStarted !== 'string'
    || Number.isNaN(Date.parse(value.runStarted)) || typeof value.summary !== 'object' || typeof value.tally !== 'object') {
    throw new Error(`checkpoint ${key} is not an import checkpoint of version 1`);
  }
  return value as ImportCheckpoint;
}

/** The checkpoint of a raw report; the key is derived from the raw key, so a checkpoint cannot name another report. */
export async function writeCheckpoint(s3: S3Client, bucket: string, checkpoint: ImportCheckpoint, settings: ProcessorSettings): Promise<string> {
  const key = outputKeys(checkpoint.rawKey, settings).checkpoint;
  await s3.send(new PutObjectCommand({
    Bucket: bucket,
    Key: key,
    Body: JSON.stringify(checkpoint),
    ContentType: 'application/json',
    ...encryptionOf(settings),
  }));
  return key;
}

/** The dead letters of one invocation: the first writes the usual key, each continuation its own beside it. */
export function deadLetterKeyOf(deadLetterKey: string, segment: number): string {
  return segment <= 1 ? deadLetterKey : deadLetterKey.replace(/\.findings\.ndjson$/, `.findings.${segment}.ndjson`);
}

/** Counters of two invocations of one import, added up. */
export function addSummaries(a: ImportSummary, b: ImportSummary): ImportSummary {
  return {
    imported: a.imported + b.imported,
    failed: a.failed + b.failed,
    archived: a.archived + b.archived,
    requests: a.requests + b.requests,
    throttled: a.throttled + b.throttled,
    retried: a.retried + b.retried,
    seconds: Math.round((a.seconds + b.seconds) * 100) / 100,
  };
}
