/**
 * Import benchmark: N findings (default 10,000) into the local Security Hub
 * endpoint at the real quotas (10 requests/s, burst 30), against the floor
 * that quota sets: ceil(N/100) requests, the first 30 at once, then 10 per
 * second. Then the same findings again into the now populated scope: the
 * importer first reads the scope's stored findings (GetFindings, 100 per
 * page, 3 requests/s burst 6) to keep their CreatedAt and FirstObservedAt,
 * which adds ceil(N/100) pages and their own floor before the import starts.
 * Usage: npm run bench -- --import-findings 10000
 */
import { cpus, loadavg } from 'node:os';
import { AwsSecurityFinding, GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { MemoryDeadLetterSink } from '../src/importer/dead-letter';
import { SecurityHubImporter } from '../src/importer/importer';
import { BATCH_IMPORT_RATE, GET_FINDINGS_RATE } from '../src/importer/token-bucket';
import { FakeSecurityHubWorker } from '../test/support/fake-security-hub';
import { sampleFinding } from '../test/support/fake-security-hub/sample-findings';

function findingCount(argv: readonly string[]): number {
  const index = argv.indexOf('--import-findings');
  const value = index >= 0 ? Number(argv[index + 1]) : 10_000;
  if (!Number.isInteger(value) || value < 1) throw new Error('--import-findings needs a positive integer');
  return value;
}

async function* findings(count: number): AsyncIterable<AwsSecurityFinding> {
  for (let i = 0; i < count; i++) {
    yield sampleFinding(`bench-${i}`, {
      Description: `Benchmark finding ${i}: a typical description of a vulnerable dependency and how to fix it.`.repeat(3),
      Vulnerabilities: [{
        Id: `CVE-2026-${10000 + (i % 5000)}`,
        VulnerablePackages: [{ Name: `package-${i % 300}`, Version: '1.2.3' }],
        FixAvailable: 'YES',
      }],
    });
  }
}

/**
 * Requests per second this machine manages with the quota off (client and
 * fake sharing the CPU): when it is near 10, the run below is CPU-bound and
 * says nothing about pacing.
 */
async function unpacedCapacity(): Promise<number> {
  const unlimited = { ratePerSecond: 1_000_000, burst: 1_000_000 };
  const fake = await FakeSecurityHubWorker.start({ importRate: unlimited });
  const client = new SecurityHubClient({
    region: 'us-east-1',
    endpoint: fake.endpoint,
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIAFAKEFAKEFAKEFAKE', secretAccessKey: 'fake-secret-for-local-endpoint' },
  });
  try {
    await client.send(new GetFindingsCommand({ MaxResults: 1 }));
    const importer = new SecurityHubImporter({ client, importRate: unlimited });
    const started = process.hrtime.bigint();
    await importer.import(findings(2000));
    return importer.summary().requests / (Number(process.hrtime.bigint() - started) / 1e9);
  } finally {
    client.destroy();
    await fake.close();
  }
}

export async function main(argv: readonly string[] = []): Promise<void> {
  const count = findingCount(argv);
  const capacity = await unpacedCapacity();
  const fake = await FakeSecurityHubWorker.start();
  const client = new SecurityHubClient({
    region: 'us-east-1',
    endpoint: fake.endpoint,
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIAFAKEFAKEFAKEFAKE', secretAccessKey: 'fake-secret-for-local-endpoint' },
  });
  try {
    // One GetFindings call (another quota) loads and initialises the SDK's
    // middleware, so the timing below is the import itself, not module loading.
    const warmUp = process.hrtime.bigint();
    await client.send(new GetFindingsCommand({ MaxResults: 1 }));
    const warmUpSeconds = Number(process.hrtime.bigint() - warmUp) / 1e9;

    const deadLetter = new MemoryDeadLetterSink();
    const scope = 'bench@main#bench/import';
    const importer = new SecurityHubImporter({ client, deadLetter, scope });
    const started = process.hrtime.bigint();
    await importer.import(findings(count));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const summary = importer.summary();
    const afterFirst = await fake.statistics();

    const minimumRequests = Math.ceil(count / 100);
    const floor = Math.max(0, minimumRequests - BATCH_IMPORT_RATE.burst) / BATCH_IMPORT_RATE.ratePerSecond;

    // The next build: the same findings into the populated scope, read first.
    const again = new SecurityHubImporter({ client, deadLetter, scope });
    const againStarted = process.hrtime.bigint();
    await again.import(findings(count));
    const againSeconds = Number(process.hrtime.bigint() - againStarted) / 1e9;
    const afterSecond = await fake.statistics();
    const pages = afterSecond.getFindingsReceived - afterFirst.getFindingsReceived;
    const readFloor = Math.max(0, minimumRequests - GET_FINDINGS_RATE.burst) / GET_FINDINGS_RATE.ratePerSecond;
    const againRatio = againSeconds / (readFloor + floor);

    const stored = new Set(afterSecond.storedIds);
    const dead = new Set(deadLetter.entries.map((e) => e.finding.Id));
    let lost = 0;
    for (let i = 0; i < count; i++) {
      if (!stored.has(`bench-${i}`) && !dead.has(`bench-${i}`)) lost++;
    }
    const ratio = floor > 0 ? seconds / floor : Number.NaN;
    const rows = [
      ['findings', String(count)],
      ['machine load (1 min) / cores', `${loadavg()[0].toFixed(1)} / ${cpus().length}`],
      [
        'unpaced capacity (quota off)',
        `${capacity.toFixed(1)} requests/s${capacity < 15 ? ' (CPU-bound: below 15/s the floor cannot be reached)' : ''}`,
      ],
      ['BatchImportFindings requests / minimum ceil(N/100)', `${afterFirst.received} / ${minimumRequests}`],
      ['GetFindings pages (empty scope read first)', String(afterFirst.getFindingsReceived - 1)],
      ['all requests (importer summary)', String(summary.requests)],
      ['throttled / retried', `${summary.throttled} / ${summary.retried}`],
      ['SDK warm-up (not counted)', `${warmUpSeconds.toFixed(2)} s`],
      ['elapsed', `${seconds.toFixed(2)} s`],
      ['floor (burst 30, then 10/s)', `${floor.toFixed(2)} s`],
      [
        'elapsed / floor',
        Number.isNaN(ratio) ? 'n/a (within the burst)' : `${ratio.toFixed(3)} (target <= 1.15: ${ratio <= 1.15 ? 'met' : 'MISSED'})`,
      ],
      ['imported / dead-lettered / lost', `${summary.imported} / ${summary.failed} / ${lost}`],
      ['re-import: GetFindings pages read first', `${pages} (minimum ${minimumRequests})`],
      ['re-import: elapsed', `${againSeconds.toFixed(2)} s`],
      ['re-import: floor (read 6 then 3/s, then import)', `${(readFloor + floor).toFixed(2)} s`],
      ['re-import: elapsed / floor', againRatio.toFixed(3)],
      ['re-import: imported / dead-lettered', `${again.summary().imported} / ${again.summary().failed}`],
    ];
    const width = Math.max(...rows.map(([label]) => label.length));
    for (const [label, value] of rows) process.stdout.write(`${label.padEnd(width)}  ${value}\n`);
    if (lost > 0) process.exitCode = 1;
  } finally {
    client.destroy();
    await fake.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
