import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AwsSecurityFinding, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { convert } from '../convert';
import { ReportError, UsageError } from '../errors';
import { addSummaries, deadLetterKeyOf, ImportCheckpoint, readCheckpoint, writeCheckpoint } from './checkpoint';
import { emitFindingMetrics, FindingTally, ImportPhase, observeImports } from './finding-metrics';
import { FunctionIdentity, InvalidReportUpload, parseReportMetadata, ReportMetadata, reportLocation } from './report-metadata';
import { S3DeadLetterSink } from './s3-dead-letter-sink';
import {
  exportToSecurityLake, providerRoleClients, type SecurityLakeClients, securityLakeObjectName, type SecurityLakeSummary,
} from './security-lake-export';
import { encryptionOf, outputKeys, ProcessorSettings } from './settings';
import { ImportSummary } from '../importer/import-summary';
import { ImportOutcome, SecurityHubImporter, SecurityHubImporterOptions } from '../importer/importer';
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
  /**
   * The S3 client of each Security Lake source (tests inject one). Default: clients that assume the sources'
   * provider roles with the settings' external id.
   */
  readonly securityLakeClients?: SecurityLakeClients;
  /** Records the Security Lake export holds at once (tests make it small). Default: one Parquet row group. */
  readonly securityLakeMaxRecords?: number;
}

/** What the event that started this invocation said about its object (S3's `s3.object.eTag`). */
export interface ReportTrigger {
  readonly eTag?: string;
}

/** What happened to one report. */
export type ReportOutcome =
  | {
    readonly status: 'processed';
    readonly summary: ImportSummary;
    readonly suppressions?: SuppressionSummary;
    /** What was written to Security Lake, when it is configured. */
    readonly securityLake?: SecurityLakeSummary;
  }
  | { readonly status: 'rejected'; readonly reason: string }
  /** Stopped before the invocation's end; the checkpoint it wrote hands the rest on to the next one. */
  | { readonly status: 'continued'; readonly checkpointKey: string; readonly findingsRead: number }
  | { readonly status: 'skipped'; readonly reason: string };

/**
 * Converts one raw report from S3 and imports it: streamed from S3 through
 * the parser into the importer, with the converted ASFF spooled to /tmp and
 * written next to the raw report, refused findings written as a dead-letter
 * object, missing findings of the scope archived, and, when Security Lake is
 * configured, the findings written to its custom sources as OCSF. A report that
 * can never be processed (bad metadata, malformed content) is rejected with an
 * object saying why, not retried; anything else throws so that Lambda retries.
 */
export async function processReport(
  bucket: string,
  objectKey: string,
  deps: ProcessReportDependencies,
  trigger: ReportTrigger = {},
): Promise<ReportOutcome> {
  const { s3, logger, settings } = deps;
  const target = await reportToProcess(bucket, objectKey, deps, trigger);
  if ('status' in target) return target;
  const { key, checkpoint } = target;
  const keys = outputKeys(key, settings);
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (checkpoint && checkpoint.rawETag !== object.ETag) {
    (object.Body as { destroy?: () => void } | undefined)?.destroy?.();
    return { status: 'skipped', reason: 'the report was replaced since the checkpoint; its own notification imports it' };
  }
  const spool = await mkdtemp(join(tmpdir(), 'asff-'));
  try {
    const metadata = parseReportMetadata(object.Metadata, reportLocation(key, settings.rawPrefix), settings.policiesPrefix);
    logger.appendKeys({ tool: metadata.tool, scope: metadata.scope, buildId: metadata.buildId });
    const body = object.Body as AsyncIterable<Buffer> | undefined;
    if (!body) throw new InvalidReportUpload('the object has no body');

    const run = await importReport({ bucket, key, body, metadata, checkpoint, spoolFile: join(spool, 'findings.asff.json'), deps });
    if (!run.progress.complete) return await handOn(bucket, key, object.ETag, run, deps);

    await writeConverted(bucket, keys.converted, run.spoolFile, deps);
    const securityLake = await writeToSecurityLake(bucket, key, object.ETag, run, deps);
    const suppressions = metadata.policyKey ? await applyRepositorySuppressions(bucket, metadata, deps) : undefined;

    // Last, once everything above succeeded: a failure before leaves the checkpoint for the retry. Marked
    // complete rather than deleted: a late or repeated notification of it then finds it and does nothing
    // (a deleted one would answer AccessDenied, not NoSuchKey, to a role without s3:ListBucket).
    if (checkpoint) {
      const tally = Object.fromEntries(run.tally.bySeverity());
      const { findingsRead } = run.progress;
      await writeCheckpoint(s3, bucket, { ...checkpoint, complete: true, findingsRead, summary: run.summary, tally }, settings);
    }
    emitReportMetrics(deps.metrics, metadata, run, securityLake);
    // Counts only: finding text may quote code or secrets and never reaches the logs.
    logger.info('Report processed', {
      key, convertedKey: keys.converted, findings: run.findings, ...run.summary, suppressions, ...(securityLake ? { securityLake } : {}),
    });
    if (run.summary.failed > 0) {
      logger.warn('Findings written to the dead letter', { deadLetterKey: keys.deadLetter, segments: run.segment, failed: run.summary.failed });
    }
    return { status: 'processed', summary: run.summary, suppressions, ...(securityLake ? { securityLake } : {}) };
  } catch (error) {
    if (!(error instanceof InvalidReportUpload || error instanceof ReportError || error instanceof UsageError)) throw error;
    return await rejectReport(bucket, key, error.message, deps);
  } finally {
    await rm(spool, { recursive: true, force: true });
  }
}

/**
 * The raw report a notification is about and the checkpoint to continue from, if any; or why there is
 * nothing to do (an object outside the raw prefix, a checkpoint of an import that finished or moved on).
 */
async function reportToProcess(
  bucket: string,
  objectKey: string,
  { s3, logger, settings }: ProcessReportDependencies,
  trigger: ReportTrigger,
): Promise<{ key: string; checkpoint?: ImportCheckpoint } | ReportOutcome> {
  if (objectKey.startsWith(settings.checkpointPrefix)) {
    // A checkpoint was written: continue the import it describes, unless it has finished or moved on since.
    const checkpoint = await readCheckpoint(s3, bucket, objectKey, trigger.eTag);
    if (!checkpoint || checkpoint.complete) return { status: 'skipped', reason: 'the import of this checkpoint finished or went on since' };
    const key = checkpoint.rawKey;
    if (!key.startsWith(settings.rawPrefix) || outputKeys(key, settings).checkpoint !== objectKey) {
      throw new Error(`checkpoint ${objectKey} names a report it does not belong to`);
    }
    return { key, checkpoint };
  }
  if (!objectKey.startsWith(settings.rawPrefix)) {
    // The function's own outputs must never be processed (notification misconfigured).
    logger.warn('Object outside the raw prefix ignored', { key: objectKey, rawPrefix: settings.rawPrefix });
    return { status: 'skipped', reason: `not under ${settings.rawPrefix}` };
  }
  return { key: objectKey };
}

/** One invocation's share of a report's import, and what it counted on the way. */
interface ImportRun {
  readonly progress: ImportOutcome;
  /** The whole import's, the earlier invocations' included. */
  readonly summary: ImportSummary;
  readonly tally: FindingTally;
  readonly severities: Record<SeverityLabel, number>;
  /** Findings the report converted to. */
  readonly findings: number;
  readonly segment: number;
  readonly runStarted: Date;
  /** The converted ASFF, `{"Findings":[...]}` one finding a line (see `tee`), complete when the import is. */
  readonly spoolFile: string;
}

/**
 * Converts the report and imports it into Security Hub (from the checkpoint's position when continuing),
 * spooling the converted ASFF and counting severities on the way; once the whole report is read, archives
 * the scope's findings it no longer has. Stops early, incomplete, when the invocation is running out.
 */
async function importReport(input: {
  bucket: string;
  key: string;
  body: AsyncIterable<Buffer>;
  metadata: ReportMetadata;
  checkpoint?: ImportCheckpoint;
  spoolFile: string;
  deps: ProcessReportDependencies;
}): Promise<ImportRun> {
  const { bucket, key, body, metadata, checkpoint, spoolFile, deps } = input;
  const { s3, settings } = deps;
  const conversion = convert({
    tool: metadata.tool,
    input: body,
    fileName: key,
    context: {
      ...deps.identity,
      repository: metadata.repository,
      branch: metadata.branch,
      commit: metadata.commit,
      buildId: metadata.buildId,
      image: metadata.image,
      sourceRoot: metadata.sourceRoot,
    },
  });
  const segment = checkpoint?.segment ?? 1;
  const marginMs = settings.checkpointMarginSeconds * 1000;
  const shouldStop = deps.remainingTimeMs ? () => deps.remainingTimeMs!() < marginMs : undefined;
  const severities = Object.fromEntries(SEVERITY_LABELS.map((l) => [l, 0])) as Record<SeverityLabel, number>;
  const deadLetter = new S3DeadLetterSink(s3, bucket, deadLetterKeyOf(outputKeys(key, settings).deadLetter, segment), settings.kmsKeyId);
  // Before the importer exists: a finding it has never stored gets its start as FirstObservedAt, not earlier.
  const runStarted = checkpoint ? new Date(checkpoint.runStarted) : new Date();
  const tally = new FindingTally({ sla: settings.findingsSla, importStarted: runStarted, carried: checkpoint?.tally });
  let phase: ImportPhase = 'report';
  const stopObserving = observeImports(deps.securityHub, tally, () => phase);
  const importer = new SecurityHubImporter({ client: deps.securityHub, scope: metadata.scope, deadLetter, runStarted, ...deps.importer });
  const output = createWriteStream(spoolFile);
  let progress: ImportOutcome;
  try {
    const observe = (finding: AwsSecurityFinding) => {
      severities[severityOf(finding)]++;
    };
    progress = await importer.import(tee(conversion, output, observe), { skip: checkpoint?.findingsRead, shouldStop });
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
  return { progress, summary, tally, severities, findings: conversion.stats.findings, segment, runStarted, spoolFile };
}

/** Hands the rest of the import on: the checkpoint's notification starts the next invocation, which imports it. */
async function handOn(
  bucket: string, key: string, rawETag: string | undefined, run: ImportRun, deps: ProcessReportDependencies,
): Promise<ReportOutcome> {
  const { findingsRead } = run.progress;
  const checkpointKey = await writeCheckpoint(deps.s3, bucket, {
    complete: false,
    version: 1,
    rawKey: key,
    rawETag: rawETag ?? '',
    segment: run.segment + 1,
    runStarted: run.runStarted.toISOString(),
    findingsRead,
    summary: run.summary,
    tally: Object.fromEntries(run.tally.bySeverity()),
  }, deps.settings);
  deps.metrics.addMetric('ImportsContinued', MetricUnit.Count, 1);
  deps.logger.info('Import continues in the next invocation', { key, checkpointKey, segment: run.segment, findingsRead, ...run.summary });
  return { status: 'continued', checkpointKey, findingsRead };
}

/** The converted ASFF next to the raw report, `{"Findings":[...]}` as `asff gate` and `asff import` read it. */
async function writeConverted(bucket: string, key: string, spoolFile: string, { s3, settings }: ProcessReportDependencies): Promise<void> {
  const { size } = await stat(spoolFile);
  await s3.send(new PutObjectCommand({
    Bucket: bucket,
    Key: key,
    Body: createReadStream(spoolFile),
    ContentLength: size,
    ContentType: 'application/json',
    ...encryptionOf(settings),
  }));
}

/**
 * The report's findings in Security Lake, when it is configured; never throws (Security Hub is the primary path).
 * Read back from the spooled ASFF once the import is complete, rather than collected during it: the export
 * then holds a bounded number of findings whatever the report's size, writes nothing for an invocation that
 * hands on, and cannot fail the import.
 */
async function writeToSecurityLake(
  bucket: string, key: string, rawETag: string | undefined, run: ImportRun, deps: ProcessReportDependencies,
): Promise<SecurityLakeSummary | undefined> {
  const lake = deps.settings.securityLake;
  if (!lake) return undefined;
  const keys = outputKeys(key, deps.settings);
  return exportToSecurityLake({
    findings: spooled(run.spoolFile),
    objectName: securityLakeObjectName(key, rawETag),
    maxRecords: deps.securityLakeMaxRecords,
    lake,
    clients: deps.securityLakeClients ?? providerRoleClients(lake.externalId),
    reports: { s3: deps.s3, bucket, settings: deps.settings },
    deadLetters: { unwritable: keys.securityLakeUnwritable, failed: keys.securityLakeFailed },
    logger: deps.logger,
  });
}

/**
 * Applies the suppressions of the policy file the build uploaded. The file is the application repository's
 * own: only suppressions within the factory's limit (`maxSuppressionDays`) count, and whether the tools'
 * in-source suppressions count is the factory's setting, never the file's.
 */
async function applyRepositorySuppressions(bucket: string, metadata: ReportMetadata, deps: ProcessReportDependencies): Promise<SuppressionSummary> {
  const policyKey = metadata.policyKey!;
  const policyObject = await deps.s3.send(new GetObjectCommand({ Bucket: bucket, Key: policyKey }));
  const uploaded = parsePolicy(await policyObject.Body!.transformToString('utf8'), policyKey);
  const { maxSuppressionDays } = deps.settings;
  const rules = { allowSuppressions: maxSuppressionDays > 0, maxSuppressionDays: Math.max(maxSuppressionDays, 1) };
  const { accepted, rejected } = acceptRepositorySuppressions(uploaded.suppressions, rules, new Date());
  if (rejected.length > 0) {
    deps.logger.warn('Repository suppressions outside the factory\'s rules not applied', {
      policyKey,
      rejected: rejected.map((r) => ({ line: r.suppression.line, reason: r.reason })),
    });
  }
  const policy = { ...uploaded, suppressions: accepted, inSourceSuppressions: deps.settings.inSourceSuppressions };
  return applySuppressions({ client: deps.securityHub, policy, scope: metadata.scope, stage: metadata.stage });
}

/** The metrics of an imported report (docs/importer.md, "Metrics"). */
function emitReportMetrics(metrics: Metrics, metadata: ReportMetadata, run: ImportRun, securityLake: SecurityLakeSummary | undefined): void {
  for (const label of SEVERITY_LABELS) {
    metrics.singleMetric().addDimension('Severity', label).addMetric('Findings', MetricUnit.Count, run.severities[label]);
  }
  const { summary } = run;
  metrics.addMetric('FindingsImported', MetricUnit.Count, summary.imported);
  // The findings Security Hub refused, written to the dead letter (the governance dashboard's DeadLetters widget).
  metrics.addMetric('DeadLetters', MetricUnit.Count, summary.failed);
  metrics.addMetric('FindingsArchived', MetricUnit.Count, summary.archived);
  metrics.addMetric('ThrottledRequests', MetricUnit.Count, summary.throttled);
  metrics.addMetric('ImportDuration', MetricUnit.Seconds, summary.seconds);
  if (securityLake) {
    metrics.addMetric('SecurityLakeRecords', MetricUnit.Count, securityLake.records);
    metrics.addMetric('SecurityLakeUnwritable', MetricUnit.Count, securityLake.unwritable);
    metrics.addMetric('SecurityLakeWriteFailures', MetricUnit.Count, securityLake.failed);
  }
  emitFindingMetrics(metrics, { repository: metadata.repository ?? 'unknown', stage: metadata.stage ?? 'unknown', tool: metadata.tool }, run.tally);
}

/** A report that can never be processed as uploaded: an object under the dead-letter prefix says why. */
async function rejectReport(bucket: string, key: string, reason: string, deps: ProcessReportDependencies): Promise<ReportOutcome> {
  const rejectedKey = outputKeys(key, deps.settings).rejected;
  await deps.s3.send(new PutObjectCommand({
    Bucket: bucket,
    Key: rejectedKey,
    Body: JSON.stringify({ rawKey: key, reason }),
    ContentType: 'application/json',
    ...encryptionOf(deps.settings),
  }));
  deps.metrics.addMetric('RejectedReports', MetricUnit.Count, 1);
  deps.logger.error('Report rejected', { key, rejectedKey, reason });
  return { status: 'rejected', reason };
}

/**
 * Passes findings on to the importer while spooling them as `{"Findings":[...]}` and showing each to `observe`.
 * One finding a line (JSON.stringify writes no line break), which `spooled` reads back.
 */
async function* tee(
  findings: AsyncIterable<AwsSecurityFinding>,
  output: NodeJS.WritableStream,
  observe: (finding: AwsSecurityFinding) => void,
): AsyncIterable<AwsSecurityFinding> {
  let first = true;
  for await (const finding of findings) {
    const chunk = `${first ? '{"Findings":[\n' : ',\n'}${JSON.stringify(finding)}`;
    first = false;
    if (!output.write(chunk)) await new Promise<void>((resolve) => output.once('drain', resolve));
    observe(finding);
    yield finding;
  }
}

/** The findings `tee` spooled, one at a time: `{"Findings":[`, then a finding a line, each but the last ending in `,`. */
async function* spooled(spoolFile: string): AsyncIterable<AwsSecurityFinding> {
  const lines = createInterface({ input: createReadStream(spoolFile, 'utf8'), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (line.startsWith('{"Findings":[') || line === ']}' || line === '') continue;
      yield JSON.parse(line.endsWith(',') ? line.slice(0, -1) : line) as AwsSecurityFinding;
    }
  } finally {
    lines.close();
  }
}
