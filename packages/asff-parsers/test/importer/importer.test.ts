import { AwsSecurityFinding, BatchUpdateFindingsCommand } from '@aws-sdk/client-securityhub';
import { MemoryDeadLetterSink } from '../../src/importer/dead-letter';
import { SecurityHubImporter, SecurityHubImporterOptions } from '../../src/importer/importer';
import { FakeSecurityHub, throttlingStorm } from '../support/fake-security-hub';
import { PRODUCT_ARN, sampleFinding, sampleFindings } from '../support/fake-security-hub/sample-findings';

describe('SecurityHubImporter', () => {
  let fake: FakeSecurityHub;
  let deadLetter: MemoryDeadLetterSink;
  beforeEach(async () => {
    fake = await FakeSecurityHub.start();
    deadLetter = new MemoryDeadLetterSink();
  });
  afterEach(async () => fake.close());

  function importer(options: Partial<SecurityHubImporterOptions> = {}): SecurityHubImporter {
    return new SecurityHubImporter({ client: fake.client(), deadLetter, backoff: { baseMs: 5, capMs: 50 }, ...options });
  }

  async function* stream(findings: AwsSecurityFinding[]): AsyncIterable<AwsSecurityFinding> {
    yield* findings;
  }

  test('imports a streamed report in ceil(N/100) requests', async () => {
    const run = importer();
    await run.import(stream(sampleFindings(250)));
    expect(run.summary()).toMatchObject({ imported: 250, failed: 0, requests: 3, throttled: 0, retried: 0 });
    expect(fake.store.size).toBe(250);
    expect(fake.store.all().every((f) => f.RecordState === 'ACTIVE')).toBe(true);
  });

  test('splits requests by size so that none exceeds 6 MB', async () => {
    // ~200 KB each: at most 30 fit in 6 MB, so 70 findings need 3 requests although they would fit in one by count.
    const big = sampleFindings(70).map((f) => ({
      ...f,
      Resources: [
        { Type: 'Other', Id: f.Id!, Details: { Other: Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`k${i}`, 'x'.repeat(29_000)])) } },
      ],
    }));
    const run = importer();
    await run.import(big);
    expect(run.summary()).toMatchObject({ imported: 70, failed: 0, requests: 3 });
    expect(fake.store.size).toBe(70);
  });

  test('halves a request that Security Hub refuses as too large until every part is accepted', async () => {
    const big = sampleFindings(60).map((f) => ({
      ...f,
      Resources: [
        { Type: 'Other', Id: f.Id!, Details: { Other: Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`k${i}`, 'x'.repeat(29_000)])) } },
      ],
    }));
    const run = importer({ limits: { maxFindings: 100, maxBytes: 64 * 1024 * 1024, maxFindingBytes: 240 * 1024 } });
    await run.import(big);
    expect(run.summary()).toMatchObject({ imported: 60, failed: 0 });
    expect(run.summary().requests).toBeGreaterThan(1);
    expect(fake.store.size).toBe(60);
  });

  test('importing the same report twice creates nothing new and applies the second run as an update', async () => {
    const report = sampleFindings(120);
    await importer().import(report);
    const second = importer();
    await second.import(report);
    expect(second.summary()).toMatchObject({ imported: 120, failed: 0 });
    expect(fake.store.stats.created).toBe(120);
    expect(fake.store.stats.updated).toBe(120);
    expect(fake.store.stats.ignoredNotLater).toBe(0);
    expect([...fake.store.stats.creationsByKey.values()].every((n) => n === 1)).toBe(true);
  });

  test('never sends customer-owned fields, so triage made in Security Hub survives re-imports', async () => {
    const triagedInReport = sampleFindings(3).map((f) => ({
      ...f,
      Workflow: { Status: 'RESOLVED' as const },
      Note: { Text: 'from report', UpdatedBy: 'tool', UpdatedAt: f.UpdatedAt! },
    }));
    await importer().import(triagedInReport);
    expect(fake.store.get(PRODUCT_ARN, 'f-0')).toMatchObject({ Workflow: { Status: 'NEW' } });
    expect(fake.store.get(PRODUCT_ARN, 'f-0')!.Note).toBeUndefined();
    await fake.client().send(new BatchUpdateFindingsCommand({
      FindingIdentifiers: [{ Id: 'f-0', ProductArn: PRODUCT_ARN }],
      Workflow: { Status: 'NOTIFIED' },
      Note: { Text: 'ticket SEC-1', UpdatedBy: 'analyst' },
    }));
    await importer().import(triagedInReport);
    expect(fake.store.get(PRODUCT_ARN, 'f-0')).toMatchObject({ Workflow: { Status: 'NOTIFIED' }, Note: { Text: 'ticket SEC-1' } });
    expect(fake.store.stats.customerFieldsOnUpdate).toBe(0);
  });

  test('sends an UpdatedAt later than the report\'s own, even when the report was written by a clock that runs ahead', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    await importer().import([sampleFinding('a', { UpdatedAt: future })]);
    expect(Date.parse(fake.store.get(PRODUCT_ARN, 'a')!.UpdatedAt)).toBeGreaterThan(Date.parse(future));
  });

  test('paces imports at the quota: close to the floor, a rare throttle costs one retry, nothing lost', async () => {
    await fake.close();
    // The real rate with a third of the burst keeps the test short and still leaves
    // the server's bucket empty for most of the run, where any overshoot would show.
    fake = await FakeSecurityHub.start({ importRate: { ratePerSecond: 10, burst: 10 } });
    const run = importer({ importRate: { ratePerSecond: 10, burst: 10 } });
    const started = Date.now();
    await run.import(sampleFindings(4000));
    const seconds = (Date.now() - started) / 1000;
    const floor = (40 - 10) / 10;
    const { throttled, requests } = run.summary();
    expect(run.summary()).toMatchObject({ imported: 4000, failed: 0 });
    // Client and fake share one event loop (and, in CI, two cores with other
    // jobs): a stall longer than the bucket's reserve (100 ms) bunches arrivals
    // at the fake. The emission pattern itself is proven exact by the
    // TokenBucket property test; here a few such throttles are tolerated (at
    // most 10% of the requests), each costs exactly one retry, and nothing is lost.
    expect(throttled).toBeLessThanOrEqual(4);
    expect(requests).toBe(40 + throttled);
    expect(seconds).toBeGreaterThanOrEqual(floor * 0.95);
    expect(seconds).toBeLessThan(floor * 1.5 + 0.5);
  });

  test('rides out a throttling storm with backoff and loses nothing', async () => {
    fake.faults = throttlingStorm('BatchImportFindings', 2, 6);
    const run = importer();
    await run.import(sampleFindings(500));
    expect(run.summary()).toMatchObject({ imported: 500, failed: 0, throttled: 6 });
    expect(run.summary().retried).toBeGreaterThanOrEqual(6);
    expect(run.summary().requests).toBe(5 + run.summary().retried);
    expect(fake.store.size).toBe(500);
  });

  test('retries only the findings that failed with a transient per-finding error', async () => {
    const failedOnce = new Set<string>();
    fake.faults = {
      failFinding: (_, id) => {
        if (id.endsWith('7') && !failedOnce.has(id)) {
          failedOnce.add(id);
          return { code: 'InternalFailure', message: 'try again' };
        }
        return undefined;
      },
    };
    const run = importer();
    await run.import(sampleFindings(100));
    expect(run.summary()).toMatchObject({ imported: 100, failed: 0, requests: 2, retried: 1 });
    expect(fake.store.size).toBe(100);
  });

  test('dead-letters invalid findings with their error code and imports the rest', async () => {
    const run = importer();
    await run.import([sampleFinding('good'), sampleFinding('bad', { Title: '' })]);
    expect(run.summary()).toMatchObject({ imported: 1, failed: 1, requests: 1 });
    expect(deadLetter.entries).toHaveLength(1);
    expect(deadLetter.entries[0]).toMatchObject({ errorCode: 'InvalidInput', attempts: 1, possiblyImported: false, finding: { Id: 'bad' } });
  });

  test('dead-letters a second finding with the same Id instead of letting it overwrite the first', async () => {
    const run = importer();
    await run.import([sampleFinding('same', { Title: 'first' }), sampleFinding('same', { Title: 'second' })]);
    expect(fake.store.get(PRODUCT_ARN, 'same')!.Title).toBe('first');
    expect(deadLetter.entries.map((e) => [e.errorCode, e.finding.Title])).toEqual([['DuplicateFindingId', 'second']]);
  });

  test('dead-letters a finding over 240 KB without sending it', async () => {
    const run = importer();
    await run.import([sampleFinding('huge', { Description: 'x'.repeat(300_000) })]);
    expect(run.summary()).toMatchObject({ imported: 0, failed: 1, requests: 0 });
    expect(deadLetter.entries[0].errorCode).toBe('FindingSizeExceeded');
  });

  test('keeps findings of a foreign account in their own request, so only they are refused', async () => {
    const foreign = sampleFindings(3, 'x').map((f) => ({ ...f, AwsAccountId: '999988887777' }));
    const run = importer();
    await run.import([...sampleFindings(5), ...foreign, ...sampleFindings(5, 'g')]);
    expect(run.summary()).toMatchObject({ imported: 10, failed: 3 });
    expect(new Set(deadLetter.entries.map((e) => e.errorCode))).toEqual(new Set(['InvalidAccessException']));
  });

  test('gives up after maxAttempts of HTTP 500 and marks the findings as possibly imported', async () => {
    fake.faults = { beforeRequest: () => 'internal-error' };
    const run = importer({ maxAttempts: 3 });
    await run.import(sampleFindings(4));
    expect(run.summary()).toMatchObject({ imported: 0, failed: 4, requests: 3, retried: 2 });
    expect(deadLetter.entries.every((e) => e.errorCode === 'InternalException' && e.attempts === 3 && e.possiblyImported)).toBe(true);
  });

  test('reports progress after each response', async () => {
    const seen: number[] = [];
    const run = importer({ onProgress: (p) => seen.push(p.imported) });
    await run.import(sampleFindings(300));
    expect(seen).toHaveLength(3);
    expect(Math.max(...seen)).toBe(300);
  });
});
