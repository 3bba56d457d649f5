import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, S3Event } from 'aws-lambda';
import { useLambdaTestEnvironment } from './lambda-harness';
import { sarifReport } from './s3-fixture';
import { createHandler } from '../../src/lambda/handler';
import { REPORT_METADATA_KEYS } from '../../src/lambda/report-metadata';
import { settingsFromEnvironment } from '../../src/lambda/settings';
import { ACCOUNT, PRODUCT_ARN } from '../support/fake-security-hub/sample-findings';

const context = {
  invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:findings-processor`,
  functionName: 'findings-processor',
  awsRequestId: 'req-1',
} as unknown as Context;

function event(...keys: string[]): S3Event {
  return {
    Records: keys.map((key) => ({
      s3: { bucket: { name: 'reports' }, object: { key: encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+') } },
    })),
  } as unknown as S3Event;
}

const METADATA = {
  [REPORT_METADATA_KEYS.tool]: 'sarif',
  [REPORT_METADATA_KEYS.repository]: 'shop',
  [REPORT_METADATA_KEYS.branch]: 'main',
  [REPORT_METADATA_KEYS.stage]: 'build',
  [REPORT_METADATA_KEYS.buildId]: 'build:42',
  [REPORT_METADATA_KEYS.commit]: 'abc123',
};

describe('findings-processor handler', () => {
  const lambda = useLambdaTestEnvironment();
  let logged: string[];
  let emitted: string[];

  beforeEach(async () => {
    logged = [];
    emitted = [];
  });

  function handler(env: Record<string, string> = {}) {
    const logger = new Logger({ serviceName: 'test' });
    const metrics = new Metrics({ namespace: 'Test', serviceName: 'test' });
    // Powertools writes JSON lines to stdout through its console; capture them.
    jest.spyOn((logger as any).console, 'info').mockImplementation((line: unknown) => logged.push(String(line)));
    jest.spyOn((logger as any).console, 'warn').mockImplementation((line: unknown) => logged.push(String(line)));
    jest.spyOn((logger as any).console, 'error').mockImplementation((line: unknown) => logged.push(String(line)));
    // Metrics (and the single metrics it spawns) print EMF documents to stdout.
    const write = process.stdout.write.bind(process.stdout);
    jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      const text = String(chunk);
      if (text.includes('"_aws"')) {
        emitted.push(...text.trim().split('\n'));
        return true;
      }
      return (write as any)(chunk, ...rest);
    }) as typeof process.stdout.write);
    return createHandler({
      s3: lambda.bucket.client,
      securityHub: lambda.fake.client(),
      logger,
      metrics,
      settings: settingsFromEnvironment({ ...env }),
      importer: { backoff: { baseMs: 1, capMs: 5 } },
    });
  }

  test('converts a raw report streamed from S3, imports it and writes the ASFF next to it', async () => {
    lambda.bucket.objects.set('raw/shop/build/42/scan results.sarif', { body: sarifReport(3), metadata: METADATA });
    const [outcome] = await handler()(event('raw/shop/build/42/scan results.sarif'), context);
    expect(outcome).toMatchObject({ status: 'processed', summary: { imported: 3, failed: 0 } });
    expect(lambda.fake.store.size).toBe(3);
    const stored = lambda.fake.store.all()[0];
    expect(stored.ProductArn).toBe(PRODUCT_ARN);
    expect(stored.ProductFields['devsecops-factory/scope']).toBe('shop/main/build/sarif');
    const converted = JSON.parse(lambda.bucket.written.get('converted/shop/build/42/scan results.sarif.asff.json')!.body);
    expect(converted.Findings).toHaveLength(3);
    expect(lambda.bucket.written.has('dead-letter/shop/build/42/scan results.sarif.findings.ndjson')).toBe(false);
  });

  test('archives findings of the scope that the next report no longer has', async () => {
    lambda.bucket.objects.set('raw/shop/build/42/a.sarif', { body: sarifReport(3), metadata: METADATA });
    lambda.bucket.objects.set('raw/shop/build/42/b.sarif', { body: sarifReport(1), metadata: METADATA });
    await handler()(event('raw/shop/build/42/a.sarif'), context);
    const [outcome] = await handler()(event('raw/shop/build/42/b.sarif'), context);
    expect(outcome).toMatchObject({ status: 'processed', summary: { imported: 1, archived: 2 } });
    expect(lambda.fake.store.all().filter((f) => f.RecordState === 'ACTIVE')).toHaveLength(1);
  });

  test('emits EMF metrics: findings by severity, imports and dead letters', async () => {
    lambda.bucket.objects.set('raw/shop/build/42/a.sarif', { body: sarifReport(2), metadata: METADATA });
    await handler()(event('raw/shop/build/42/a.sarif'), context);
    const documents = emitted.map((line) => JSON.parse(line));
    const high = documents.find((d) => d.Severity === 'HIGH');
    expect(high).toMatchObject({ Findings: 2 });
    expect(high._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'Test', Dimensions: [expect.arrayContaining(['Severity'])] });
    const totals = documents.find((d) => d.FindingsImported !== undefined);
    expect(totals).toMatchObject({ FindingsImported: 2, DeadLetters: 0 });
    // One metric per counter: the refused findings are DeadLetters, not also ImportFailures.
    expect(documents.some((d) => d.ImportFailures !== undefined)).toBe(false);
  });

  test('never logs report contents or finding text', async () => {
    lambda.bucket.objects.set('raw/shop/build/42/a.sarif', { body: sarifReport(2, 'SUPERSECRETVALUE'), metadata: METADATA });
    await handler()(event('raw/shop/build/42/a.sarif'), context);
    const logs = logged.join('\n');
    expect(logs).toContain('Report processed');
    expect(logs).not.toContain('SUPER');
    expect(logs).not.toContain('Hard-coded key');
    expect(logs).not.toContain('src/file-0.ts');
  });

  test('writes refused findings to a dead-letter object with their error code', async () => {
    lambda.bucket.objects.set('raw/shop/build/42/a.sarif', { body: sarifReport(3), metadata: METADATA });
    lambda.fake.faults = { failFinding: () => ({ code: 'InvalidInput', message: 'refused by the test' }) };
    const [outcome] = await handler()(event('raw/shop/build/42/a.sarif'), context);
    expect(outcome).toMatchObject({ status: 'processed', summary: { imported: 0, failed: 3 } });
    const lines = lambda.bucket.written.get('dead-letter/shop/build/42/a.sarif.findings.ndjson')!.body.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => l.errorCode === 'InvalidInput')).toBe(true);
  });

  test('rejects a malformed report with an object saying why, without archiving and without retrying', async () => {
    lambda.bucket.objects.set('raw/shop/build/42/good.sarif', { body: sarifReport(2), metadata: METADATA });
    lambda.bucket.objects.set('raw/shop/build/42/bad.sarif', { body: '{"version":"2.1.0","runs":[{"results":[', metadata: METADATA });
    await handler()(event('raw/shop/build/42/good.sarif'), context);
    const [outcome] = await handler()(event('raw/shop/build/42/bad.sarif'), context);
    expect(outcome.status).toBe('rejected');
    expect(JSON.parse(lambda.bucket.written.get('dead-letter/shop/build/42/bad.sarif.rejected.json')!.body)).toMatchObject({
      rawKey: 'raw/shop/build/42/bad.sarif',
      reason: expect.stringMatching(/^raw\/shop\/build\/42\/bad.sarif: /),
    });
    expect(lambda.fake.store.all().every((f) => f.RecordState === 'ACTIVE')).toBe(true);
  });

  test('rejects a report uploaded without the tool metadata', async () => {
    lambda.bucket.objects.set('raw/shop/build/42/x.sarif', { body: sarifReport(1), metadata: { scope: 's' } });
    const [outcome] = await handler()(event('raw/shop/build/42/x.sarif'), context);
    expect(outcome).toMatchObject({ status: 'rejected', reason: "the report has no 'tool' metadata" });
  });

  test('ignores objects outside the raw prefix so its own outputs never loop', async () => {
    const [outcome] = await handler()(event('converted/shop/build/42/a.sarif.asff.json'), context);
    expect(outcome.status).toBe('skipped');
    expect(lambda.bucket.s3Mock.calls()).toHaveLength(0);
  });

  const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

  test('applies the suppressions of the policy named in the metadata', async () => {
    lambda.bucket.objects.set('policies/shop/build/42/security-policy.yml', {
      body: 'version: 1\ndefault: HIGH\nsuppressions:\n  - rule: demo/hardcoded-key\n    path: "src/file-1.ts"\n'
        + `    reason: test key\n    expires: ${inDays(30)}\n`,
    });
    lambda.bucket.objects.set('raw/shop/build/42/a.sarif', {
      body: sarifReport(2),
      metadata: { ...METADATA, [REPORT_METADATA_KEYS.policyKey]: 'policies/shop/build/42/security-policy.yml' },
    });
    const [outcome] = await handler()(event('raw/shop/build/42/a.sarif'), context);
    expect(outcome).toMatchObject({ status: 'processed', suppressions: { suppressed: 1 } });
    expect(lambda.fake.store.all().filter((f) => f.Workflow.Status === 'SUPPRESSED')).toHaveLength(1);
  });

  test('applies no repository suppression that ends later than the factory allows (MAX_SUPPRESSION_DAYS)', async () => {
    lambda.bucket.objects.set('policies/shop/build/42/security-policy.yml', {
      body: 'version: 1\ndefault: HIGH\nsuppressions:\n  - rule: demo/hardcoded-key\n    reason: forever\n    expires: 9999-12-31\n',
    });
    lambda.bucket.objects.set('raw/shop/build/42/a.sarif', {
      body: sarifReport(2),
      metadata: { ...METADATA, [REPORT_METADATA_KEYS.policyKey]: 'policies/shop/build/42/security-policy.yml' },
    });
    const [outcome] = await handler({ MAX_SUPPRESSION_DAYS: '30' })(event('raw/shop/build/42/a.sarif'), context);
    expect(outcome).toMatchObject({ status: 'processed', suppressions: { suppressed: 0 } });
    expect(lambda.fake.store.all().filter((f) => f.Workflow.Status === 'SUPPRESSED')).toHaveLength(0);
    expect(logged.join('\n')).toContain('Repository suppressions outside the factory');
  });

  describe('suppressions the scanned code writes itself (in-source): the factory\'s IN_SOURCE_SUPPRESSIONS decides, not the file', () => {
    /** Three results of demo-scanner: suppressed in the source, suppressed in triage (external), not suppressed. */
    const report = () => {
      const sarif = JSON.parse(sarifReport(3));
      sarif.runs[0].results[0].suppressions = [{ kind: 'inSource', justification: 'nosemgrep in the commit' }];
      sarif.runs[0].results[1].suppressions = [{ kind: 'external', justification: 'accepted in triage' }];
      return JSON.stringify(sarif);
    };
    const honouringFile = 'version: 1\ndefault: HIGH\ngate:\n  inSourceSuppressions: honour\n';
    async function imported(policy: string, env: Record<string, string> = {}): Promise<string[]> {
      lambda.bucket.objects.set('policies/shop/build/42/security-policy.yml', { body: policy });
      lambda.bucket.objects.set('raw/shop/build/42/a.sarif', {
        body: report(),
        metadata: { ...METADATA, [REPORT_METADATA_KEYS.policyKey]: 'policies/shop/build/42/security-policy.yml' },
      });
      const [outcome] = await handler(env)(event('raw/shop/build/42/a.sarif'), context);
      expect(outcome.status).toBe('processed');
      const suppressed = lambda.fake.store.all().filter((f) => f.Workflow.Status === 'SUPPRESSED');
      return suppressed.map((f) => f.Resources[0].Id.replace(/^.*\/(src\/file-\d)\.ts.*$/, '$1')).sort();
    }

    test('a repository policy file saying honour does not make Security Hub honour them: only the external one is suppressed', async () => {
      expect(await imported(honouringFile)).toEqual(['src/file-1']);
    });

    test('IN_SOURCE_SUPPRESSIONS honour (the factory policy honours them) suppresses both, whatever the file says', async () => {
      expect(await imported('version: 1\ndefault: HIGH\n', { IN_SOURCE_SUPPRESSIONS: 'honour' })).toEqual(['src/file-0', 'src/file-1']);
    });
  });

  describe('isolates repositories: the key, not the metadata, says whose findings a report touches', () => {
    const SHOP_SCOPE = 'shop/main/build/sarif';
    async function shopHasThreeFindings(): Promise<void> {
      lambda.bucket.objects.set('policies/shop/build/1/security-policy.yml', { body: 'version: 1\ndefault: HIGH\n' });
      lambda.bucket.objects.set('raw/shop/build/1/a.sarif', { body: sarifReport(3), metadata: METADATA });
      await handler()(event('raw/shop/build/1/a.sarif'), context);
      expect(lambda.fake.store.all().filter((f) => f.RecordState === 'ACTIVE')).toHaveLength(3);
    }
    const shopUntouched = () => {
      expect(
        lambda.fake.store.all().filter((f) => f.RecordState === 'ACTIVE' && f.ProductFields['devsecops-factory/scope'] === SHOP_SCOPE),
      ).toHaveLength(3);
      expect(lambda.fake.store.all().filter((f) => f.Workflow.Status === 'SUPPRESSED')).toHaveLength(0);
    };

    test('a report under another repository\'s prefix that claims shop\'s scope is rejected: nothing archived, nothing suppressed', async () => {
      await shopHasThreeFindings();
      lambda.bucket.objects.set('policies/attacker/build/7/p.yml', {
        body: 'version: 1\nsuppressions:\n  - rule: demo/hardcoded-key\n    reason: x\n    expires: 2999-01-01\n',
      });
      lambda.bucket.objects.set('raw/attacker/build/7/a.sarif', {
        body: sarifReport(1),
        metadata: { ...METADATA, [REPORT_METADATA_KEYS.scope]: SHOP_SCOPE, [REPORT_METADATA_KEYS.policyKey]: 'policies/attacker/build/7/p.yml' },
      });
      const [outcome] = await handler()(event('raw/attacker/build/7/a.sarif'), context);
      expect(outcome).toMatchObject({ status: 'rejected', reason: "'repository' metadata 'shop' contradicts the key's repository 'attacker'" });
      shopUntouched();
    });

    test('a scope naming another repository is rejected even when the repository metadata is left out', async () => {
      await shopHasThreeFindings();
      const { [REPORT_METADATA_KEYS.repository]: _omitted, ...metadata } = METADATA;
      lambda.bucket.objects.set('raw/attacker/build/7/a.sarif', {
        body: sarifReport(1),
        metadata: { ...metadata, [REPORT_METADATA_KEYS.scope]: SHOP_SCOPE },
      });
      const [outcome] = await handler()(event('raw/attacker/build/7/a.sarif'), context);
      expect(outcome).toMatchObject({
        status: 'rejected',
        reason: expect.stringMatching(/^'scope' metadata 'shop\/main\/build\/sarif' is not this report's scope 'attacker\/main\/build\/sarif'/),
      });
      shopUntouched();
    });

    test('a report of its own repository may not apply another repository\'s policy file', async () => {
      await shopHasThreeFindings();
      lambda.bucket.objects.set('raw/attacker/build/7/a.sarif', {
        body: sarifReport(1),
        metadata: {
          ...METADATA,
          [REPORT_METADATA_KEYS.repository]: 'attacker',
          [REPORT_METADATA_KEYS.policyKey]: 'policies/shop/build/1/security-policy.yml',
        },
      });
      const [outcome] = await handler()(event('raw/attacker/build/7/a.sarif'), context);
      expect(outcome).toMatchObject({
        status: 'rejected',
        reason: "'policy-key' metadata 'policies/shop/build/1/security-policy.yml' is outside this report's policies/attacker/build/",
      });
      shopUntouched();
    });

    test('a report with no metadata but the tool lands in its own repository\'s scope only', async () => {
      await shopHasThreeFindings();
      lambda.bucket.objects.set('raw/attacker/build/7/a.sarif', { body: sarifReport(0), metadata: { [REPORT_METADATA_KEYS.tool]: 'sarif' } });
      const [outcome] = await handler()(event('raw/attacker/build/7/a.sarif'), context);
      expect(outcome).toMatchObject({ status: 'processed', summary: { imported: 0, archived: 0 } });
      shopUntouched();
    });

    test('a key that is not raw/<repository>/<stage>/<build>/<file> is rejected', async () => {
      lambda.bucket.objects.set('raw/a.sarif', { body: sarifReport(1), metadata: METADATA });
      const [outcome] = await handler()(event('raw/a.sarif'), context);
      expect(outcome).toMatchObject({ status: 'rejected', reason: 'the key is not raw/<repository>/<stage>/<build number>/<file>' });
      expect(lambda.fake.store.size).toBe(0);
    });
  });

  test('encrypts its outputs with the configured KMS key', async () => {
    lambda.bucket.objects.set('raw/shop/build/42/a.sarif', { body: sarifReport(1), metadata: METADATA });
    await handler({ SSE_KMS_KEY_ID: 'alias/reports' })(event('raw/shop/build/42/a.sarif'), context);
    expect(lambda.bucket.written.get('converted/shop/build/42/a.sarif.asff.json')!.input).toMatchObject({
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: 'alias/reports',
    });
  });
});
