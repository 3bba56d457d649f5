import { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { SecurityHubImporter, SecurityHubImporterOptions } from '../../src/importer/importer';
import { convertFixture } from '../support/convert-helpers';
import { FakeSecurityHub } from '../support/fake-security-hub';
import { ACCOUNT, PRODUCT_ARN, REGION, sampleFinding, sampleFindings } from '../support/fake-security-hub/sample-findings';

describe('SecurityHubImporter keeps the age of stored findings', () => {
  let fake: FakeSecurityHub;
  beforeEach(async () => {
    fake = await FakeSecurityHub.start();
  });
  afterEach(async () => fake.close());

  async function run(findings: AwsSecurityFinding[], options: Partial<SecurityHubImporterOptions> & { archive?: boolean } = {}) {
    const importer = new SecurityHubImporter({
      client: fake.client(),
      scope: 'shop@main#image/grype',
      backoff: { baseMs: 5, capMs: 50 },
      ...options,
    });
    await importer.import(findings);
    if (options.archive) await importer.archiveMissing();
    return importer.summary();
  }
  const stored = (id: string) => fake.store.get(PRODUCT_ARN, id)!;
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

  test('re-importing a converted report keeps each finding\'s CreatedAt and FirstObservedAt and moves LastObservedAt', async () => {
    const context = { account: ACCOUNT, region: REGION };
    const first = await convertFixture('grype', 'two-matches.json', { context: { ...context, now: new Date('2026-03-01T10:00:00Z') } });
    await run(first);
    const before = new Map(first.map((f) => [f.Id!, { ...stored(f.Id!) }]));
    await tick();
    // The next build converts the same report later: the builder stamps a later CreatedAt.
    const second = await convertFixture('grype', 'two-matches.json', { context: { ...context, now: new Date('2026-03-08T10:00:00Z') } });
    expect(second[0].CreatedAt).toBe('2026-03-08T10:00:00.000Z');
    await run(second);
    expect(first.length).toBeGreaterThan(1);
    for (const { Id } of second) {
      const was = before.get(Id!)!;
      const now = stored(Id!);
      expect(now.CreatedAt).toBe('2026-03-01T10:00:00.000Z');
      expect(now.FirstObservedAt).toBe(was.FirstObservedAt);
      expect(Date.parse(now.LastObservedAt)).toBeGreaterThan(Date.parse(was.LastObservedAt));
      expect(Date.parse(now.UpdatedAt)).toBeGreaterThan(Date.parse(was.UpdatedAt));
    }
    expect(fake.store.stats.ignoredNotLater).toBe(0);
  });

  test('a finding that was archived and reappears keeps its first observation', async () => {
    await run(sampleFindings(3));
    const firstSeen = stored('f-2').FirstObservedAt;
    await tick();
    await run(sampleFindings(2), { archive: true });
    expect(stored('f-2')).toMatchObject({ RecordState: 'ARCHIVED', FirstObservedAt: firstSeen });
    await tick();
    await run(sampleFindings(3));
    expect(stored('f-2')).toMatchObject({ RecordState: 'ACTIVE', FirstObservedAt: firstSeen, CreatedAt: '2026-01-01T00:00:00.000Z' });
    expect(Date.parse(stored('f-2').LastObservedAt)).toBeGreaterThan(Date.parse(firstSeen));
  });

  test('a new finding is first observed by this run, or earlier when the tool itself says so', async () => {
    const started = Date.now();
    await run([sampleFinding('new'), sampleFinding('seen-by-tool', { FirstObservedAt: '2025-12-24T00:00:00.000Z' })]);
    expect(Date.parse(stored('new').FirstObservedAt)).toBeGreaterThanOrEqual(started - 1);
    expect(stored('new').FirstObservedAt).toBe(stored('new').LastObservedAt);
    expect(stored('seen-by-tool').FirstObservedAt).toBe('2025-12-24T00:00:00.000Z');
  });

  test('reads the scope once, before importing: one GetFindings page per 100 stored findings, shared with archiving', async () => {
    await run(sampleFindings(250));
    const pagesBefore = fake.requests.received.GetFindings;
    const summary = await run(sampleFindings(240), { archive: true });
    expect(fake.requests.received.GetFindings - pagesBefore).toBe(3);
    expect(summary).toMatchObject({ imported: 240, archived: 10, requests: 3 + 3 + 1 });
  });

  test('without a read of the stored findings (keepObservations false) only LastObservedAt is set', async () => {
    await run([sampleFinding('a', { CreatedAt: '2026-02-02T00:00:00.000Z' })], { keepObservations: false });
    expect(fake.requests.received.GetFindings).toBe(0);
    expect(stored('a').CreatedAt).toBe('2026-02-02T00:00:00.000Z');
    expect(stored('a').FirstObservedAt).toBeUndefined();
    expect(stored('a').LastObservedAt).toBeDefined();
  });
});
