import fc from 'fast-check';
import { MemoryDeadLetterSink } from '../../src/importer/dead-letter';
import { SecurityHubImporter } from '../../src/importer/importer';
import { FakeSecurityHub, FindingStore, randomFaults } from '../support/fake-security-hub';
import { PRODUCT_ARN, sampleFinding } from '../support/fake-security-hub/sample-findings';

/**
 * Property: under any schedule of throttling, HTTP 500s (before or after the
 * findings were stored) and per-finding failures, every finding lands in
 * Security Hub exactly once or sits in the dead letter; nothing is lost and
 * nothing is created twice.
 */
describe('SecurityHubImporter under injected faults', () => {
  let fake: FakeSecurityHub;
  beforeAll(async () => {
    // Quotas far above the request rate: only the injected faults throttle.
    const fast = { ratePerSecond: 10_000, burst: 10_000 };
    fake = await FakeSecurityHub.start({ importRate: fast, getFindingsRate: fast });
  });
  afterAll(async () => fake.close());

  test('every finding is imported exactly once or dead-lettered', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer(),
          findings: fc.integer({ min: 1, max: 350 }),
          invalid: fc.integer({ min: 0, max: 5 }),
          throttle: fc.double({ min: 0, max: 0.4, noNaN: true }),
          internalError: fc.double({ min: 0, max: 0.2, noNaN: true }),
          internalErrorAfterCommit: fc.double({ min: 0, max: 0.2, noNaN: true }),
          failedFinding: fc.double({ min: 0, max: 0.3, noNaN: true }),
          maxAttempts: fc.integer({ min: 1, max: 6 }),
        }),
        async (schedule) => {
          const prefix = `run${run++}`;
          const findings = Array.from({ length: schedule.findings }, (_, i) =>
            sampleFinding(`${prefix}-${i}`, i < schedule.invalid ? { Title: '' } : {}),
          );
          fake.faults = randomFaults(schedule);
          const deadLetter = new MemoryDeadLetterSink();
          const importer = new SecurityHubImporter({
            client: fake.client(),
            deadLetter,
            maxAttempts: schedule.maxAttempts,
            backoff: { baseMs: 1, capMs: 4 },
            importRate: { ratePerSecond: 10_000, burst: 10_000 },
          });
          await importer.import(findings);
          fake.faults = {};
          const summary = importer.summary();

          const ids = findings.map((f) => f.Id!);
          const stored = new Set(ids.filter((id) => fake.store.get(PRODUCT_ARN, id)));
          const dead = new Map(deadLetter.entries.map((e) => [e.finding.Id!, e]));
          // Accounting: every finding is counted once, as imported or as failed.
          expect(summary.imported + summary.failed).toBe(findings.length);
          expect(dead.size).toBe(summary.failed);
          for (const id of ids) {
            // Nothing lost.
            expect(stored.has(id) || dead.has(id)).toBe(true);
            // Nothing created twice, whatever the retries.
            expect(fake.store.stats.creationsByKey.get(FindingStore.key(PRODUCT_ARN, id)) ?? 0).toBeLessThanOrEqual(1);
            // A dead letter that is nevertheless stored says so.
            if (stored.has(id) && dead.has(id)) expect(dead.get(id)!.possiblyImported).toBe(true);
          }
          // Findings Security Hub refuses for their content are never stored and always end in the
          // dead letter: with InvalidInput, or with the request's error when its last attempt failed whole.
          for (const id of ids.slice(0, schedule.invalid)) {
            expect(stored.has(id)).toBe(false);
            expect(['InvalidInput', 'InternalException', 'TooManyRequestsException']).toContain(dead.get(id)?.errorCode);
          }
        },
      ),
      { numRuns: 40, interruptAfterTimeLimit: 40_000 },
    );
  });
});
