import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { captureEmf, useLambdaTestEnvironment } from './lambda-harness';
import { sarifReport } from './s3-fixture';
import { processReport } from '../../src/lambda/process-report';
import { REPORT_METADATA_KEYS } from '../../src/lambda/report-metadata';
import { settingsFromEnvironment } from '../../src/lambda/settings';
import { ACCOUNT, PRODUCT_ARN } from '../support/fake-security-hub/sample-findings';

const METADATA = {
  [REPORT_METADATA_KEYS.tool]: 'sarif',
  [REPORT_METADATA_KEYS.branch]: 'main',
};
const DAY_SECONDS = 86_400;

describe('processReport findings metrics', () => {
  const lambda = useLambdaTestEnvironment();
  const emitted: Array<Record<string, any>> = [];

  beforeEach(async () => {
    emitted.length = 0;
    captureEmf(emitted);
  });

  async function processed(key: string, report: string, env: Record<string, string> = {}): Promise<void> {
    lambda.bucket.objects.set(key, { body: report, metadata: METADATA });
    const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
    const metrics = new Metrics({ namespace: 'Test', serviceName: 'test' });
    emitted.length = 0;
    await processReport('reports', key, {
      s3: lambda.bucket.client,
      securityHub: lambda.fake.client(),
      logger,
      metrics,
      settings: settingsFromEnvironment(env),
      identity: { account: ACCOUNT, region: 'us-east-1', partition: 'aws' },
      importer: { backoff: { baseMs: 1, capMs: 5 } },
    });
    metrics.publishStoredMetrics();
  }

  /** Moves a stored finding's first observation into the past, as if an earlier build had found it. */
  function firstObserved(fileIndex: number, daysAgo: number): void {
    const stored = lambda.fake.store.all().find((f) => JSON.stringify(f.Resources).includes(`src/file-${fileIndex}.ts`));
    if (!stored) throw new Error(`no stored finding for src/file-${fileIndex}.ts`);
    lambda.fake.store.get(PRODUCT_ARN, stored.Id)!.FirstObservedAt = new Date(Date.now() - daysAgo * DAY_SECONDS * 1000).toISOString();
  }

  const metric = (name: string, severity = 'HIGH') => emitted.filter((d) => d[name] !== undefined && d.Severity === severity);

  test('a first import: every finding is open and new, none overdue, none resolved', async () => {
    await processed('raw/shop/image/1/report.sarif', sarifReport(3));
    expect(metric('OpenFindings').map((d) => d.OpenFindings)).toEqual([3]);
    expect(metric('NewFindings').map((d) => d.NewFindings)).toEqual([3]);
    expect(metric('OverdueFindings').map((d) => d.OverdueFindings)).toEqual([0]);
    expect(metric('ResolvedFindings')).toEqual([]);
    expect(metric('OpenFindings')[0]).toMatchObject({ Repository: 'shop', Stage: 'image', Tool: 'sarif' });
  });

  test('a later import: kept findings are not new, one past its SLA is overdue, one fixed is resolved with its age', async () => {
    await processed('raw/shop/image/1/report.sarif', sarifReport(3));
    firstObserved(0, 45);
    firstObserved(2, 10);
    await processed('raw/shop/image/2/report.sarif', sarifReport(2));

    expect(metric('OpenFindings').map((d) => d.OpenFindings)).toEqual([2]);
    expect(metric('NewFindings')).toEqual([]);
    // HIGH's default SLA is 30 days: the finding first observed 45 days ago is overdue.
    expect(metric('OverdueFindings').map((d) => d.OverdueFindings)).toEqual([1]);
    expect(metric('ResolvedFindings').map((d) => d.ResolvedFindings)).toEqual([1]);
    const [age] = metric('ResolvedFindingsAge').map((d) => d.ResolvedFindingsAge as number);
    expect(age).toBeGreaterThanOrEqual(10 * DAY_SECONDS);
    expect(age).toBeLessThan(10 * DAY_SECONDS + 60);
    expect(metric('ResolvedFindings')[0].Repository).toBeUndefined();
  });

  test('FINDINGS_SLA sets the maximum age overdue findings are counted against', async () => {
    await processed('raw/shop/image/1/report.sarif', sarifReport(2));
    firstObserved(0, 3);
    await processed('raw/shop/image/2/report.sarif', sarifReport(2), { FINDINGS_SLA: 'HIGH=2d' });
    expect(metric('OverdueFindings').map((d) => d.OverdueFindings)).toEqual([1]);
  });

  test('refused findings are not counted as open: they are not in Security Hub', async () => {
    let refused: string | undefined;
    lambda.fake.faults = {
      failFinding: (operation, id) => {
        if (operation !== 'BatchImportFindings') return undefined;
        refused ??= id;
        return id === refused ? { code: 'InvalidInput', message: 'refused by the test' } : undefined;
      },
    };
    await processed('raw/shop/image/1/report.sarif', sarifReport(3));
    expect(metric('OpenFindings').map((d) => d.OpenFindings)).toEqual([2]);
    expect(emitted.find((d) => d.DeadLetters !== undefined)).toMatchObject({ DeadLetters: 1 });
  });
});
