import { AwsSecurityFinding, BatchUpdateFindingsCommand } from '@aws-sdk/client-securityhub';
import { SecurityHubImporter, SecurityHubImporterOptions } from '../../src/importer/importer';
import { SCOPE_PRODUCT_FIELD } from '../../src/importer/scope';
import { FakeSecurityHub } from '../support/fake-security-hub';
import { PRODUCT_ARN, sampleFindings } from '../support/fake-security-hub/sample-findings';

describe('SecurityHubImporter.archiveMissing', () => {
  let fake: FakeSecurityHub;
  beforeEach(async () => {
    fake = await FakeSecurityHub.start();
  });
  afterEach(async () => fake.close());

  async function run(findings: AwsSecurityFinding[], scope: string, options: Partial<SecurityHubImporterOptions> = {}) {
    const importer = new SecurityHubImporter({ client: fake.client(), scope, backoff: { baseMs: 5, capMs: 50 }, ...options });
    await importer.import(findings);
    await importer.archiveMissing();
    return importer.summary();
  }

  const state = (id: string) => fake.store.get(PRODUCT_ARN, id)?.RecordState;

  test('archives the findings of the scope that are absent from the new report, and only those', async () => {
    const report = sampleFindings(5, 'a');
    await run(report, 'shop@main#build/grype');
    await run(sampleFindings(2, 'other'), 'shop@main#build/zap');
    const summary = await run(report.slice(0, 3), 'shop@main#build/grype');
    expect(summary).toMatchObject({ imported: 3, archived: 2, failed: 0 });
    expect(['a-0', 'a-1', 'a-2', 'a-3', 'a-4'].map(state)).toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE', 'ARCHIVED', 'ARCHIVED']);
    expect(['other-0', 'other-1'].map(state)).toEqual(['ACTIVE', 'ACTIVE']);
    expect(fake.store.get(PRODUCT_ARN, 'a-3')!.ProductFields[SCOPE_PRODUCT_FIELD]).toBe('shop@main#build/grype');
  });

  test('a finding that reappears is ACTIVE again and its NOTIFIED workflow starts over as NEW', async () => {
    const report = sampleFindings(3);
    await run(report, 's');
    await fake.client().send(new BatchUpdateFindingsCommand({
      FindingIdentifiers: [{ Id: 'f-2', ProductArn: PRODUCT_ARN }],
      Workflow: { Status: 'NOTIFIED' },
    }));
    await run(report.slice(0, 2), 's');
    expect(fake.store.get(PRODUCT_ARN, 'f-2')).toMatchObject({ RecordState: 'ARCHIVED', Workflow: { Status: 'NOTIFIED' } });
    const summary = await run(report, 's');
    expect(summary.archived).toBe(0);
    expect(fake.store.get(PRODUCT_ARN, 'f-2')).toMatchObject({ RecordState: 'ACTIVE', Workflow: { Status: 'NEW' } });
    expect(fake.store.stats.created).toBe(3);
  });

  test('keeps the analyst\'s note on an archived finding and never sends customer fields', async () => {
    await run(sampleFindings(2), 's');
    await fake.client().send(new BatchUpdateFindingsCommand({
      FindingIdentifiers: [{ Id: 'f-1', ProductArn: PRODUCT_ARN }],
      Note: { Text: 'accepted risk', UpdatedBy: 'analyst' },
    }));
    await run(sampleFindings(1), 's');
    expect(fake.store.get(PRODUCT_ARN, 'f-1')).toMatchObject({ RecordState: 'ARCHIVED', Note: { Text: 'accepted risk' } });
    expect(fake.store.stats.customerFieldsOnUpdate).toBe(0);
  });

  test('an empty report archives every active finding of the scope', async () => {
    await run(sampleFindings(4), 's');
    const summary = await run([], 's');
    expect(summary).toMatchObject({ imported: 0, archived: 4 });
    expect(fake.store.all().every((f) => f.RecordState === 'ARCHIVED')).toBe(true);
  });

  test('running the same archive twice changes nothing the second time', async () => {
    await run(sampleFindings(4), 's');
    await run(sampleFindings(2), 's');
    const updatesBefore = fake.store.stats.updated;
    const summary = await run(sampleFindings(2), 's');
    expect(summary.archived).toBe(0);
    expect(fake.store.stats.updated - updatesBefore).toBe(2);
  });

  test('pages through GetFindings at its quota of 3 requests/s', async () => {
    const importer = new SecurityHubImporter({ client: fake.client() });
    await importer.import(sampleFindings(950).map((f) => ({ ...f, ProductFields: { [SCOPE_PRODUCT_FIELD]: 's' } })));
    const started = Date.now();
    const summary = await run([], 's');
    const seconds = (Date.now() - started) / 1000;
    // 10 pages of 100: 6 from the burst, then 4 at 3/s. Pages are fetched one
    // after another, so only a stall of more than the reserve (333 ms here) on a
    // loaded machine could bunch two arrivals: tolerate one, retried once.
    const throttled = fake.requests.throttled.GetFindings;
    expect(throttled).toBeLessThanOrEqual(1);
    expect(fake.requests.received.GetFindings).toBe(10 + throttled);
    expect(summary.archived).toBe(950);
    expect(seconds).toBeGreaterThanOrEqual(1.2);
  });

  test('retries a throttled GetFindings page', async () => {
    await run(sampleFindings(3), 's');
    let throttledOnce = false;
    fake.faults = { beforeRequest: (op) => (op === 'GetFindings' && !throttledOnce ? ((throttledOnce = true), 'throttle') : undefined) };
    const summary = await run([], 's');
    expect(summary).toMatchObject({ archived: 3, throttled: 1, retried: 1 });
  });

  test('refuses to archive without a scope', async () => {
    const importer = new SecurityHubImporter({ client: fake.client() });
    await expect(importer.archiveMissing()).rejects.toThrow(/scope/);
  });
});
