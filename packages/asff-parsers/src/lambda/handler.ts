import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { S3Client } from '@aws-sdk/client-s3';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { Context, S3Event, S3EventRecord, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { oneLine } from '../errors';
import { processReport, ProcessReportDependencies, ReportOutcome } from './process-report';
import { identityFromFunctionArn } from './report-metadata';
import { providerRoleClients } from './security-lake-export';
import { ProcessorSettings, settingsFromEnvironment } from './settings';
import { BATCH_IMPORT_RATE, TokenBucket } from '../importer/token-bucket';

export * from './checkpoint';
export * from './process-report';
export * from './report-metadata';
export * from './s3-dead-letter-sink';
export * from './security-lake-export';
export * from './settings';

/** What the handler is built from; {@link createHandler} lets tests inject clients. */
export interface HandlerDependencies {
  readonly s3: S3Client;
  readonly securityHub: SecurityHubClient;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly settings: ProcessorSettings;
  readonly importer?: ProcessReportDependencies['importer'];
  /** Default: clients that assume the Security Lake sources' provider roles (when Security Lake is configured). */
  readonly securityLakeClients?: ProcessReportDependencies['securityLakeClients'];
}

/** S3 event keys are URL-encoded with `+` for spaces. */
function objectKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

/** What the processor is invoked with: S3 events directly, or S3 event notifications delivered through SQS. */
export type ProcessorEvent = S3Event | SQSEvent;

/** The handler's answer: the reports' outcomes for S3 events, the messages to retry for SQS (partial batch response). */
export type ProcessorResult = ReportOutcome[] | SQSBatchResponse;

/** The handler, typed by what it is invoked with. */
export interface ProcessorHandler {
  (event: S3Event, context: Context): Promise<ReportOutcome[]>;
  (event: SQSEvent, context: Context): Promise<SQSBatchResponse>;
  (event: ProcessorEvent, context: Context): Promise<ProcessorResult>;
}

function isSqsEvent(event: ProcessorEvent): event is SQSEvent {
  return (event.Records ?? []).some((record) => (record as Partial<SQSRecord>).eventSource === 'aws:sqs');
}

/**
 * The S3 records of one SQS message: its body is an S3 event notification. S3 sends an `s3:TestEvent` when
 * the notification is configured, which names no object and is acknowledged without work.
 */
export function s3RecordsOfMessage(message: SQSRecord): S3EventRecord[] {
  let body: { Records?: S3EventRecord[]; Event?: string };
  try {
    body = JSON.parse(message.body) as typeof body;
  } catch {
    throw new Error(`SQS message ${message.messageId}: the body is not an S3 event notification (not JSON)`);
  }
  if (body.Event === 's3:TestEvent') return [];
  if (!Array.isArray(body.Records)) throw new Error(`SQS message ${message.messageId}: the body is not an S3 event notification (no Records)`);
  return body.Records;
}

/**
 * The findings processor for S3 ObjectCreated events on the reports bucket, delivered directly or through an
 * SQS queue (FindingsProcessor's default: the queue's event source bounds how many imports run at once, and a
 * message whose report fails is retried by the queue, then moved to its dead-letter queue). Reports of one
 * invocation are processed one after another: they share Security Hub's rate limit, so parallel imports would
 * only throttle each other. For SQS, a failed message is reported in `batchItemFailures` and the others are
 * deleted: one bad report never makes the queue redeliver reports already imported.
 *
 * An import that would outlive the invocation stops after its current batch and writes a checkpoint (see
 * `checkpoint.ts`); the bucket notifies the queue of checkpoints as of reports, so that notification is the
 * next invocation, which continues the import, and the message of this one succeeds. A hand-off through the
 * queue's own redelivery (a batch item failure) was not chosen: it waits out the visibility timeout (90
 * minutes) and spends the message's receive count, so a long report would be dead-lettered for being long.
 */
export function createHandler(deps: HandlerDependencies): ProcessorHandler {
  // One BatchImportFindings bucket per execution environment, as the SDK keeps its adaptive rate per client:
  // the rate a throttle taught one import (other imports share the account's quota) is where the next one
  // starts. Not the GetFindings bucket: a report reads its scope in one short burst before importing, and a
  // rate lowered by the previous report's read would delay every import behind it (measured: 50 reports
  // through 2 workers took up to 1.4x the floor with a shared one, 1.05x with one per report).
  const importer = {
    importBucket: new TokenBucket(deps.importer?.importRate ?? BATCH_IMPORT_RATE, deps.importer?.clock),
    ...deps.importer,
  };
  // Once per execution environment, like the other clients: the provider roles' credentials are reused until they expire.
  const lake = deps.settings.securityLake;
  const securityLakeClients = deps.securityLakeClients ?? (lake ? providerRoleClients(lake.externalId) : undefined);
  const processRecords = async (records: readonly S3EventRecord[], identity: ReturnType<typeof identityFromFunctionArn>, context: Context) => {
    const outcomes: ReportOutcome[] = [];
    for (const record of records) {
      const bucket = record.s3.bucket.name;
      const key = objectKey(record.s3.object.key);
      try {
        const remainingTimeMs = typeof context.getRemainingTimeInMillis === 'function' ? () => context.getRemainingTimeInMillis() : undefined;
        const reportDeps = { ...deps, importer, identity, remainingTimeMs, securityLakeClients };
        outcomes.push(await processReport(bucket, key, reportDeps, { eTag: record.s3.object.eTag }));
      } finally {
        deps.logger.resetKeys();
      }
    }
    return outcomes;
  };
  const handle = async (event: ProcessorEvent, context: Context): Promise<ProcessorResult> => {
    deps.logger.addContext(context);
    const identity = identityFromFunctionArn(context.invokedFunctionArn, process.env.AWS_REGION);
    try {
      if (!isSqsEvent(event)) return await processRecords((event as S3Event).Records ?? [], identity, context);
      const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
      for (const message of event.Records) {
        try {
          await processRecords(s3RecordsOfMessage(message), identity, context);
        } catch (error) {
          // The queue redelivers it after its visibility timeout, then dead-letters it: never dropped.
          deps.logger.error('Report message failed; the queue retries it', {
            messageId: message.messageId,
            error: oneLine(String((error as Error).message ?? error)),
          });
          batchItemFailures.push({ itemIdentifier: message.messageId });
        }
      }
      return { batchItemFailures };
    } finally {
      deps.metrics.publishStoredMetrics();
    }
  };
  return handle as ProcessorHandler;
}

const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'findings-processor' });
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'findings-processor' });
const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'DevSecOpsFactory',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'findings-processor',
});

let defaultHandler: ProcessorHandler | undefined;

/** Lambda entry point (`index.handler` in the bundle). Clients are created once per execution environment. */
export const handler = async (event: ProcessorEvent, context: Context): Promise<ProcessorResult> => {
  defaultHandler ??= createHandler({
    s3: tracer.captureAWSv3Client(new S3Client({})),
    // maxAttempts 1: the importer paces to the quota and counts its own retries.
    securityHub: tracer.captureAWSv3Client(new SecurityHubClient({ maxAttempts: 1 })),
    logger,
    metrics,
    settings: settingsFromEnvironment(),
  });
  return defaultHandler(event, context);
};
