import { SecurityHubImporter } from '../../src/importer/importer';
import { FakeSecurityHub } from '../support/fake-security-hub';
import { PRODUCT_ARN, sampleFindings } from '../support/fake-security-hub/sample-findings';

describe('SecurityHubImporter stopped and continued by another run', () => {
  let fake: FakeSecurityHub;
  beforeEach(async () => {
    fake = await FakeSecurityHub.start();
  });
  afterEach(async () => fake.close());

  const importer = (scope = 'shop@main#image/grype') =>
    new SecurityHubImporter({ client: fake.client(), scope, backoff: { baseMs: 1, capMs: 5 }, maxInFlight: 1 });
  /** Stops once `batches` requests of the operation have reached the fake since it was made. */
  const afterRequests = (batches: number) => {
    const start = fake.requests.received.BatchImportFindings;
    return () => fake.requests.received.BatchImportFindings - start >= batches;
  };

  test('stops between batches with every finding taken settled; the next run skips those and imports the rest', async () => {
    const report = sampleFindings(750);
    const first = importer();
    const stopped = await first.import(report, { shouldStop: afterRequests(2) });
    expect(stopped.complete).toBe(false);
    expect(stopped.findingsRead % 100).toBe(0);
    expect(first.summary()).toMatchObject({ imported: stopped.findingsRead, failed: 0 });
    expect(fake.store.size).toBe(stopped.findingsRead);

    const second = importer();
    const done = await second.import(report, { skip: stopped.findingsRead });
    expect(done).toEqual({ complete: true, findingsRead: 750 });
    expect(second.summary().imported).toBe(750 - stopped.findingsRead);
    expect(fake.store.size).toBe(750);
  });

  test('always imports at least one batch, even when asked to stop from the start', async () => {
    const run = importer();
    const outcome = await run.import(sampleFindings(300), { shouldStop: () => true });
    expect(outcome).toEqual({ complete: false, findingsRead: 100 });
  });

  test('skipped findings count as present, and a stopped archiving is finished by the next run without archiving twice', async () => {
    await importer().import(sampleFindings(550));
    const report = sampleFindings(300);
    const first = importer();
    const stopped = await first.import(report, { shouldStop: afterRequests(1) });
    const second = importer();
    expect(await second.import(report, { skip: stopped.findingsRead })).toEqual({ complete: true, findingsRead: 300 });
    // 250 findings are gone from the report: the second run archives one batch of them, then stops.
    expect((await second.archiveMissing({ shouldStop: () => true })).complete).toBe(false);
    expect(second.summary().archived).toBe(100);
    const third = importer();
    expect(await third.import(report, { skip: 300 })).toEqual({ complete: true, findingsRead: 300 });
    expect(third.summary().imported).toBe(0);
    expect((await third.archiveMissing()).complete).toBe(true);
    expect(third.summary().archived).toBe(150);
    const stored = fake.store.all();
    expect(stored.filter((f) => f.RecordState === 'ACTIVE').map((f) => f.Id).sort()).toEqual(report.map((f) => f.Id).sort());
    expect(stored.filter((f) => f.RecordState === 'ARCHIVED')).toHaveLength(250);
    expect(fake.store.get(PRODUCT_ARN, 'f-549')?.RecordState).toBe('ARCHIVED');
  });
});
