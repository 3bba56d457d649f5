import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AwsSecurityFinding, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { convert } from '../convert';
import { ReportError, UsageError } from '../errors';
import { addSummaries, deadLetterKeyOf, ImportCheckpoint, readCheckpoint, writeCheckpoint } from './checkpoint';
import { emitFindingMetrics, FindingTally, ImportPhase, observeImports } from './finding-metrics';
import { FunctionIdentity, InvalidReportUpload, parseReportMetadata, reportLocation } from './report-metadata';
import { S3DeadLetterSink } from './s3-dead-letter-sink';
import { outputKeys, ProcessorSettings } from './settings';
import { ImportSummary } from '../importer/import-summary';
import { SecurityHubImporter, SecurityHubImporterOptions } from '../importer/importer';
import { applySuppressions, SuppressionSummary } from '../policy/apply-suppressions';
import { acceptRepositorySuppressions } from '../policy/combine-policies';
import { parsePolicy } from '../policy/parse-policy';
import { SEVERITY_LABELS, SeverityLabel, severityOf } from '../policy/severity';

export interface ProcessReportDependencies {
  readonly s3: S3Client;
  /** Created with `maxAttempts: 1`: the importer paces and retries. */
  readonly securityHub: SecurityHubClient;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly settings: ProcessorSettings;
  readonly identity: FunctionIdentity;
  /** Overrides for the importer (tests shorten backoff; the handler shares its rate buckets). */
  readonly importer?: Partial<SecurityHubImporterOptions>;
  /**
   * Milliseconds left in this invocation (Lambda's `context.getRemainingTimeInMillis`). Below
   * `checkpointMarginSeconds` the import stops after its current batch and leaves a checkpoint.
   * Default: never stops.
   */
  readonly remainingTimeMs?: () => number;
}

/** What the event that started this invocation said about its object (S3's `s3.object.eTag`). */
export interface ReportTrigger {
  readonly eTag?: string;
}

/** What happened to one report. */
export type ReportOutcome =
  | { readonly status: 'processed'; readonly summary: ImportSummary; readonly suppressions?: SuppressionSummary }
  | { readonly status: 'rejected'; readonly reason: string }
  /** Stopped before the invocation's end; the checkpoint it wrote hands the rest on to the next one. */
  | { readonly status: 'continued'; readonly checkpointKey: string; readonly findingsRead: number }
  | { readonly status: 'skipped'; readonly reason: string };

/**
 * Converts one raw report from S3 and imports it: streamed from S3 through
 * the parser into the importer, with the converted ASFF spooled to /tmp and
 * written next to the raw report, refused findings written as a dead-letter
 * object, missing findings of the scope archived. A report that can never be
 * processed (bad metadata, malformed content) is rejected with an object
 * saying why, not retried; anything else throws so that Lambda retries.
 */
export async function processReport(
  bucket: string,
  objectKey: string,
  deps: ProcessReportDependencies,
  trigger: ReportTrigger = {},
): Promise<ReportOutcome> {
  const { s3, logger, metrics, settings, identity } = deps;
  let key = objectKey;
  let checkpoint: ImportCheckpoint | undefined;
  if (objectKey.startsWith(settings.checkpointPrefix)) {
    // A checkpoint was written: continue the import it describes, unless it has finished or moved on since.
    checkpoint = await readCheckpoint(s3, bucket, objectKey, trigger.eTag);
    if (!checkpoint || checkpoint.complete) return { status: 'skipped', reason: 'the import of this checkpoint finished or went on since' };
    key = checkpoint.rawKey;
    if (!key.startsWith(settings.rawPrefix) || outputKeys(key, settings).checkpoint !== objectKey) {
      throw new Error(`checkpoint ${objectKey} names a report it does not belong to`);
    }
  } else if (!key.startsWith(settings.rawPrefix)) {
    // The function's own outputs must never be processed (notification misconfigured).
    logger.warn('Object outside the raw prefix ignored', { key, rawPrefix: settings.rawPrefix });
    return { status: 'skipped', reason: `not under ${settings.rawPrefix}` };
  }
  const keys = outputKeys(key, settings);
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (checkpoint && checkpoint.rawETag !== object.ETag) {
    (object.Body as { destroy?: () => void } | undefined)?.destroy?.();
    return { status: 'skipped', reason: 'the report was replaced since the checkpoint; its own notification imports it' };
  }
  const segment = checkpoint?.segment ?? 1;
  const marginMs = settings.checkpointMarginSeconds * 1000;
  const shouldStop = deps.remainingTimeMs ? () => deps.remainingTimeMs!() < marginMs : undefined;
  const body = object.Body as AsyncIterable<Uint8Array> | undefined;
  const spool = await mkdtemp(join(tmpdir(), 'asff-'));
  try {
    const metadata = parseReportMetadata(object.Metadata, reportLocation(key, settings.rawPrefix), settings.policiesPrefix);
    logger.appendKeys({ tool: metadata.tool, scope: metadata.scope, buildId: metadata.buildId });
    if (!body) throw new InvalidReportUpload('the object has no body');

    const conversion = convert({
      tool: metadata.tool,
      input: body as AsyncIterable<Buffer>,
      fileName: key,
      context: {
        ...identity,
        repository: metadata.repository,
        branch: metadata.branch,
        commit: metadata.commit,
        buildId: metadata.buildId,
        image: metadata.image,
        sourceRoot: metadata.sourceRoot,
      },
    });
    const spoolFile = join(spool, 'findings.asff.json');
    const severities = Object.fromEntries(SEVERITY_LABELS.map((l) => [l, 0])) as Record<SeverityLabel, number>;
    const deadLetter = new S3DeadLetterSink(s3, bucket, deadLetterKeyOf(keys.deadLetter, segment), settings.kmsKeyId);
    // Before the importer exists: a finding it has never stored gets its start as FirstObservedAt, not earlier.
    const runStarted = checkpoint ? new Date(checkpoint.runStarted) : new Date();
    const tally = new FindingTally({ sla: settings.findingsSla, importStarted: runStarted, carried: checkpoint?.tally });
    let phase: ImportPhase = 'report';
    const stopObserving = observeImports(deps.securityHub, tally, () => phase);
    const importer = new SecurityHubImporter({ client: deps.securityHub, scope: metadata.scope, deadLetter, runStarted, ...deps.importer });
    const output = createWriteStream(spoolFile);
    let progress: { complete: boolean; findingsRead: number };
    try {
      progress = await importer.import(tee(conversion, output, severities), { skip: checkpoint?.findingsRead, shouldStop });
      if (progress.complete) {
        output.end(conversion.stats.findings === 0 ? '{"Findings":[]}\n' : '\n]}\n');
        await finished(output);
        // Only after the whole report was read: a truncated report must not archive live findings.
        phase = 'archive';
        if (settings.archiveMissing) {
          progress = shouldStop?.() ? { ...progress, complete: false } : await importer.archiveMissing({ shouldStop });
        }
      }
    } finally {
      stopObserving();
      output.destroy();
      await importer.close();
    }
    const summary = checkpoint ? addSummaries(checkpoint.summary, importer.summary()) : importer.summary();
    if (!progress.complete) {
      // Handed on: the checkpoint's notification starts the next invocation, which imports the rest.
      const checkpointKey = await writeCheckpoint(s3, bucket, {
        complete: false,
        version: 1,
        rawKey: key,
        rawETag: object.ETag ?? '',
        segment: segment + 1,
        runStarted: runStarted.toISOString(),
        findingsRead: progress.findingsRead,
        summary,
        tally: Object.fromEntries(tally.bySeverity()),
      }, settings);
      metrics.addMetric('ImportsContinued', MetricUnit.Count, 1);
      logger.info('Import continues in the next invocation', { key, checkpointKey, segment, findingsRead: progress.findingsRead, ...summary });
      return { status: 'continued', checkpointKey, findingsRead: progress.findingsRead };
    }

    const { size } = await stat(spoolFile);
    await s3.send(new PutObjectCommand({
      Bucket: bucket,
      Key: keys.converted,
      Body: createReadStream(spoolFile),
      ContentLength: size,
      ContentType: 'application/json',
      ...(settings.kmsKeyId ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: settings.kmsKeyId } : {}),
    }));

    let suppressions: SuppressionSummary | undefined;
    if (metadata.policyKey) {
      const policyObject = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: metadata.policyKey }));
      const uploaded = parsePolicy(await policyObject.Body!.transformToString('utf8'), metadata.policyKey);
      // The uploaded file is the repository's own: only suppressions within the factory's limit count.
      const rules = { allowSuppressions: settings.maxSuppressionDays > 0, maxSuppressionDays: Math.max(settings.maxSuppressionDays, 1) };
      const { accepted, rejected } = acceptRepositorySuppressions(uploaded.suppressions, rules, new Date());
      if (rejected.length > 0) {
        logger.warn('Repository suppressions outside the factory\'s rules not applied', {
          policyKey: metadata.policyKey,
          rejected: rejected.map((r) => ({ line: r.suppression.line, reason: r.reason })),
        });
      }
      const policy = { ...uploaded, suppressions: accepted };
      suppressions = await applySuppressions({ client: deps.securityHub, policy, scope: metadata.scope, stage: metadata.stage });
    }

    // Last, once everything above succeeded: a failure before leaves the checkpoint for the retry. Marked
    // complete rather than deleted: a late or repeated notification of it then finds it and does nothing
    // (a deleted one would answer AccessDenied, not NoSuchKey, to a role without s3:ListBucket).
    if (checkpoint) {
      const tallies = Object.fromEntries(tally.bySeverity());
      await writeCheckpoint(s3, bucket, { ...checkpoint, complete: true, findingsRead: progress.findingsRead, summary, tally: tallies }, settings);
    }
    for (const label of SEVERITY_LABELS) {
      metrics.singleMetric().addDimension('Severity', label).addMetric('Findings', MetricUnit.Count, severities[label]);
    }
    metrics.addMetric('FindingsImported', MetricUnit.Count, summary.imported);
    metrics.addMetric('ImportFailures', MetricUnit.Count, summary.failed);
    metrics.addMetric('DeadLetters', MetricUnit.Count, summary.failed);
    metrics.addMetric('FindingsArchived', MetricUnit.Count, summary.archived);
    metrics.addMetric('ThrottledRequests', MetricUnit.Count, summary.throttled);
    metrics.addMetric('ImportDuration', MetricUnit.Seconds, summary.seconds);
    emitFindingMetrics(metrics, { repository: metadata.repository ?? 'unknown', stage: metadata.stage ?? 'unknown', tool: metadata.tool }, tally);
    // Counts only: finding text may quote code or secrets and never reaches the logs.
    logger.info('Report processed', { key, convertedKey: keys.converted, findings: conversion.stats.findings, ...summary, suppressions });
    if (summary.failed > 0) logger.warn('Findings written to the dead letter', { deadLetterKey: keys.deadLetter, segments: segment, failed: summary.failed });
    return { status: 'processed', summary, suppressions };
  } catch (error) {
    if (!(error instanceof InvalidReportUpload || error instanceof ReportError || error instanceof UsageError)) throw error;
    const reason = error.message;
    await s3.send(new PutObjectCommand({
      Bucket: bucket,
      Key: keys.rejected,
      Body: JSON.stringify({ rawKey: key, reason }),
      ContentType: 'application/json',
      ...(settings.kmsKeyId ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: settings.kmsKeyId } : {}),
    }));
    metrics.addMetric('RejectedReports', MetricUnit.Count, 1);
    logger.error('Report rejected', { key, rejectedKey: keys.rejected, reason });
    return { status: 'rejected', reason };
  } finally {
    await rm(spool, { recursive: true, force: true });
  }
}

/** Passes findings on to the importer while spooling them as `{"Findings":[...]}` and counting severities. */
async function* tee(
  findings: AsyncIterable<AwsSecurityFinding>,
  output: NodeJS.WritableStream,
  severities: Record<SeverityLabel, number>,
): AsyncIterable<AwsSecurityFinding> {
  let first = true;
  for await (const finding of findings) {
    const chunk = `${first ? '{"Findings":[\n' : ',\n'}${JSON.stringify(finding)}`;
    first = false;
    if (!output.write(chunk)) await new Promise<void>((resolve) => output.once('drain', resolve));
    severities[severityOf(finding)]++;
    yield finding;
  }
}
