/**
 * Shared-quota benchmark: importers that spend one account's Security Hub
 * quota at the same time, against the local endpoint at the real quotas
 * (BatchImportFindings 10/s burst 30, GetFindings 3/s burst 6).
 *
 * 1. Five importers at once (five `asff import` runs: separate importer
 *    instances and clients), 2,000 findings each into their own scope.
 * 2. 50 reports arriving together through a queue (in memory) drained by a
 *    bounded number of workers, each worker one findings-processor execution
 *    environment running the Lambda handler on one SQS message at a time
 *    (the FindingsProcessor event source: batch size 1, maximum concurrency).
 *
 * Each prints the total time against the floor the quotas set for the whole
 * work, the requests and throttles, and the findings lost (none may be).
 * Usage: npm run bench -- --shared-quota-workers 2,5
 */
import { cpus, loadavg } from 'node:os';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { AwsSecurityFinding, SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { Context, SQSEvent } from 'aws-lambda';
import { MemoryDeadLetterSink } from '../src/importer/dead-letter';
import { SecurityHubImporter } from '../src/importer/importer';
import { BATCH_IMPORT_RATE, GET_FINDINGS_RATE } from '../src/importer/token-bucket';
import { createHandler } from '../src/lambda/handler';
import { REPORT_METADATA_KEYS } from '../src/lambda/report-metadata';
import { settingsFromEnvironment } from '../src/lambda/settings';
import { mockReportsBucket, sarifReport } from '../test/lambda/s3-fixture';
import { FakeSecurityHubWorker, WorkerFakeStatistics } from '../test/support/fake-security-hub';
import { ACCOUNT, sampleFinding } from '../test/support/fake-security-hub/sample-findings';

const IMPORTERS = 5;
const FINDINGS_PER_IMPORTER = 2_000;
const REPORTS = 50;
/** Findings of report i: 100 to 500, so that reports end at different times as real ones do. */
const reportSize = (i: number) => 100 * (1 + (i % 5));

function clientFor(endpoint: string): SecurityHubClient {
  return new SecurityHubClient({
    region: 'us-east-1',
    endpoint,
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIAFAKEFAKEFAKEFAKE', secretAccessKey: 'fake-secret-for-local-endpoint' },
  });
}

/** The time the quotas alone need for the work: each operation's burst at once, then its rate. */
function floorSeconds(importRequests: number, getRequests: number): number {
  return Math.max(
    Math.max(0, importRequests - BATCH_IMPORT_RATE.burst) / BATCH_IMPORT_RATE.ratePerSecond,
    Math.max(0, getRequests - GET_FINDINGS_RATE.burst) / GET_FINDINGS_RATE.ratePerSecond,
  );
}

function workerCounts(argv: readonly string[]): number[] {
  const index = argv.indexOf('--shared-quota-workers');
  const text = index >= 0 ? argv[index + 1] : '2,5';
  if (text === 'none') return [];
  const counts = text.split(',').map(Number);
  if (counts.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--shared-quota-workers needs whole numbers, e.g. 2,5, or none');
  return counts;
}

async function* findingsOf(importer: number): AsyncIterable<AwsSecurityFinding> {
  for (let i = 0; i < FINDINGS_PER_IMPORTER; i++) {
    yield sampleFinding(`c${importer}-${i}`, {
      Description: `Benchmark finding ${i}: a typical description of a vulnerable dependency and how to fix it.`.repeat(3),
    });
  }
}

interface Row { readonly label: string; readonly value: string }

function print(title: string, rows: readonly Row[]): void {
  process.stdout.write(`\n-- ${title}\n`);
  const width = Math.max(...rows.map((r) => r.label.length));
  for (const { label, value } of rows) process.stdout.write(`${label.padEnd(width)}  ${value}\n`);
}

async function fiveImporters(): Promise<number> {
  const fake = await FakeSecurityHubWorker.start();
  const clients = Array.from({ length: IMPORTERS }, () => clientFor(fake.endpoint));
  try {
    const deadLetters = clients.map(() => new MemoryDeadLetterSink());
    const importers = clients.map(
      (client, i) => new SecurityHubImporter({ client, deadLetter: deadLetters[i], scope: `bench${i}@main#image/grype` }),
    );
    const started = process.hrtime.bigint();
    const finished = await Promise.all(importers.map(async (importer, i) => {
      await importer.import(findingsOf(i));
      return Number(process.hrtime.bigint() - started) / 1e9;
    }));
    const seconds = Math.max(...finished);
    const stats = await fake.statistics();
    const stored = new Set(stats.storedIds);
    const dead = new Set(deadLetters.flatMap((d) => d.entries.map((e) => e.finding.Id)));
    let lost = 0;
    for (let c = 0; c < IMPORTERS; c++) {
      for (let i = 0; i < FINDINGS_PER_IMPORTER; i++) if (!stored.has(`c${c}-${i}`) && !dead.has(`c${c}-${i}`)) lost++;
    }
    const batches = IMPORTERS * Math.ceil(FINDINGS_PER_IMPORTER / 100);
    const floor = floorSeconds(batches, stats.getFindingsReceived);
    const ratio = seconds / floor;
    const perImporter = importers.map((im) => im.summary());
    print(`${IMPORTERS} importers at once, ${FINDINGS_PER_IMPORTER} findings each`, [
      { label: 'machine load (1 min) / cores', value: `${loadavg()[0].toFixed(1)} / ${cpus().length}` },
      { label: 'BatchImportFindings requests / minimum', value: `${stats.received} / ${batches}` },
      { label: 'throttled (BatchImportFindings / GetFindings)', value: `${stats.throttled} / ${stats.getFindingsThrottled}` },
      { label: 'each importer done after (s)', value: finished.map((t) => t.toFixed(2)).join(', ') },
      { label: 'elapsed (all done)', value: `${seconds.toFixed(2)} s` },
      { label: 'floor (burst 30, then 10/s)', value: `${floor.toFixed(2)} s` },
      { label: 'elapsed / floor', value: `${ratio.toFixed(3)} (target <= 1.3: ${ratio <= 1.3 ? 'met' : 'MISSED'})` },
      { label: 'imported / dead-lettered / lost', value: `${perImporter.reduce((n, s) => n + s.imported, 0)} / ${dead.size} / ${lost}` },
    ]);
    return lost;
  } finally {
    for (const client of clients) client.destroy();
    await fake.close();
  }
}

async function reportsThroughQueue(workers: number): Promise<number> {
  const fake = await FakeSecurityHubWorker.start();
  const bucket = mockReportsBucket();
  const clients = Array.from({ length: workers }, () => clientFor(fake.endpoint));
  const saved = { ...process.env };
  process.env.AWS_REGION = 'us-east-1';
  // The bench prints its own figures; the processor's EMF lines would bury them.
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  try {
    const queue: SQSEvent['Records'] = [];
    let findings = 0;
    let batches = 0;
    for (let i = 0; i < REPORTS; i++) {
      const key = `raw/app-${i}/image/1/report.sarif`;
      bucket.objects.set(key, {
        body: sarifReport(reportSize(i)),
        metadata: { [REPORT_METADATA_KEYS.tool]: 'sarif', [REPORT_METADATA_KEYS.branch]: 'main' },
      });
      findings += reportSize(i);
      batches += Math.ceil(reportSize(i) / 100);
      queue.push({
        messageId: `m-${i}`,
        eventSource: 'aws:sqs',
        body: JSON.stringify({ Records: [{ eventSource: 'aws:s3', s3: { bucket: { name: 'reports' }, object: { key } } }] }),
      } as SQSEvent['Records'][number]);
    }
    const context = {
      invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:findings-processor`,
      functionName: 'findings-processor',
      awsRequestId: 'bench',
      getRemainingTimeInMillis: () => 15 * 60 * 1000,
    } as unknown as Context;
    let redelivered = 0;
    const started = process.hrtime.bigint();
    await Promise.all(clients.map(async (client) => {
      // One execution environment: one handler, its clients and rate buckets, one message at a time.
      const handler = createHandler({
        s3: bucket.client,
        securityHub: client,
        logger: new Logger({ serviceName: 'bench', logLevel: 'SILENT' }),
        metrics: new Metrics({ namespace: 'Bench', serviceName: 'bench' }),
        settings: settingsFromEnvironment({}),
      });
      for (let message = queue.shift(); message !== undefined; message = queue.shift()) {
        const { batchItemFailures } = await handler({ Records: [message] }, context);
        // As the queue would: a failed message comes back (after its visibility timeout, here at once).
        if (batchItemFailures.length > 0) {
          redelivered++;
          queue.push(message);
        }
      }
    }));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const stats: WorkerFakeStatistics = await fake.statistics();
    let deadLettered = 0;
    for (const [key, object] of bucket.written) {
      if (key.startsWith('dead-letter/') && key.endsWith('.ndjson')) deadLettered += object.body.trim().split('\n').length;
    }
    const lost = findings - stats.storedIds.length - deadLettered;
    const floor = floorSeconds(batches, REPORTS);
    const ratio = seconds / floor;
    print(`${REPORTS} reports (${findings} findings) through a queue, ${workers} at a time`, [
      { label: 'machine load (1 min) / cores', value: `${loadavg()[0].toFixed(1)} / ${cpus().length}` },
      { label: 'BatchImportFindings requests / minimum', value: `${stats.received} / ${batches}` },
      { label: 'GetFindings requests / minimum', value: `${stats.getFindingsReceived} / ${REPORTS}` },
      { label: 'throttled (BatchImportFindings / GetFindings)', value: `${stats.throttled} / ${stats.getFindingsThrottled}` },
      { label: 'messages redelivered', value: String(redelivered) },
      { label: 'elapsed (queue empty)', value: `${seconds.toFixed(2)} s` },
      { label: 'floor (import: 30 then 10/s; read: 6 then 3/s)', value: `${floor.toFixed(2)} s` },
      { label: 'elapsed / floor', value: ratio.toFixed(3) },
      { label: 'stored / dead-lettered / lost', value: `${stats.storedIds.length} / ${deadLettered} / ${lost}` },
    ]);
    return lost;
  } finally {
    process.env = saved;
    for (const client of clients) client.destroy();
    bucket.s3Mock.restore();
    await fake.close();
  }
}

export async function main(argv: readonly string[] = []): Promise<void> {
  let lost = await fiveImporters();
  for (const workers of workerCounts(argv)) lost += await reportsThroughQueue(workers);
  if (lost > 0) process.exitCode = 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
