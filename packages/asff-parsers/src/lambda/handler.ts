import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { S3Client } from '@aws-sdk/client-s3';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { Context, S3Event } from 'aws-lambda';
import { processReport, ProcessReportDependencies, ReportOutcome } from './process-report';
import { identityFromFunctionArn } from './report-metadata';
import { ProcessorSettings, settingsFromEnvironment } from './settings';

export * from './process-report';
export * from './report-metadata';
export * from './s3-dead-letter-sink';
export * from './settings';

/** What the handler is built from; {@link createHandler} lets tests inject clients. */
export interface HandlerDependencies {
  readonly s3: S3Client;
  readonly securityHub: SecurityHubClient;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly settings: ProcessorSettings;
  readonly importer?: ProcessReportDependencies['importer'];
}

/** S3 event keys are URL-encoded with `+` for spaces. */
function objectKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

/**
 * The findings processor for S3 ObjectCreated events on the reports bucket.
 * Reports are processed one after another: they share Security Hub's rate
 * limit, so parallel imports would only throttle each other.
 */
export function createHandler(deps: HandlerDependencies): (event: S3Event, context: Context) => Promise<ReportOutcome[]> {
  return async (event, context) => {
    deps.logger.addContext(context);
    const identity = identityFromFunctionArn(context.invokedFunctionArn, process.env.AWS_REGION);
    const outcomes: ReportOutcome[] = [];
    try {
      for (const record of event.Records ?? []) {
        const bucket = record.s3.bucket.name;
        const key = objectKey(record.s3.object.key);
        outcomes.push(await processReport(bucket, key, { ...deps, identity }));
        deps.logger.resetKeys();
      }
    } finally {
      deps.metrics.publishStoredMetrics();
    }
    return outcomes;
  };
}

const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'findings-processor' });
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'findings-processor' });
const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'DevSecOpsFactory', serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'findings-processor' });

let defaultHandler: ReturnType<typeof createHandler> | undefined;

/** Lambda entry point (`index.handler` in the bundle). Clients are created once per execution environment. */
export const handler = async (event: S3Event, context: Context): Promise<ReportOutcome[]> => {
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
