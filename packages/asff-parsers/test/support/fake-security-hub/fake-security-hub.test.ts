import { existsSync, readFileSync } from 'node:fs';
import {
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  GetFindingsCommand,
  SecurityHubServiceException,
} from '@aws-sdk/client-securityhub';
import { FakeSecurityHub, throttlingStorm } from './index';
import { ACCOUNT, PRODUCT_ARN, sampleFinding, sampleFindings } from './sample-findings';

const MODEL = '/usr/lib/python3/dist-packages/botocore/data/securityhub/2018-10-26/service-2.json';

describe('fake Security Hub endpoint', () => {
  let fake: FakeSecurityHub;
  beforeEach(async () => {
    fake = await FakeSecurityHub.start();
  });
  afterEach(async () => fake.close());

  async function errorOf(promise: Promise<unknown>): Promise<SecurityHubServiceException> {
    try {
      await promise;
    } catch (error) {
      return error as SecurityHubServiceException;
    }
    throw new Error('expected the call to fail');
  }

  test('imports findings and returns them through GetFindings with the fields Security Hub adds', async () => {
    const client = fake.client();
    const result = await client.send(new BatchImportFindingsCommand({ Findings: sampleFindings(3) }));
    expect(result).toMatchObject({ SuccessCount: 3, FailedCount: 0 });
    const page = await client.send(new GetFindingsCommand({ Filters: { Id: [{ Value: 'f-1', Comparison: 'EQUALS' }] } }));
    expect(page.Findings).toHaveLength(1);
    expect(page.Findings![0]).toMatchObject({ Id: 'f-1', RecordState: 'ACTIVE', Workflow: { Status: 'NEW' } });
    expect(page.Findings![0].ProductFields!['aws/securityhub/FindingId']).toBe(`${PRODUCT_ARN}/f-1`);
  });

  test('refuses more than 100 findings per call and an empty call', async () => {
    const client = fake.client();
    const tooMany = await errorOf(client.send(new BatchImportFindingsCommand({ Findings: sampleFindings(101) })));
    expect(tooMany.name).toBe('InvalidInputException');
    expect(tooMany.$metadata.httpStatusCode).toBe(400);
    expect((await errorOf(client.send(new BatchImportFindingsCommand({ Findings: [] })))).name).toBe('InvalidInputException');
  });

  test('refuses the whole call when one finding names another account', async () => {
    const findings = [sampleFinding('a'), sampleFinding('b', { AwsAccountId: '999988887777' })];
    const error = await errorOf(fake.client().send(new BatchImportFindingsCommand({ Findings: findings })));
    expect(error.name).toBe('InvalidAccessException');
    expect(fake.store.size).toBe(0);
  });

  test('reports invalid and oversized findings in FailedFindings while storing the valid ones', async () => {
    const findings = [
      sampleFinding('ok'),
      sampleFinding('no-title', { Title: '  ' }),
      sampleFinding('bad-type', { Types: ['Not A Namespace/x'] }),
      sampleFinding('reserved', { ProductFields: { 'aws/securityhub/x': 'y' } }),
      sampleFinding('wrong-region', { ProductArn: PRODUCT_ARN.replace('us-east-1', 'eu-west-1') }),
      sampleFinding('huge', {
        Resources: Array.from({ length: 30 }, (_, i) => ({ Type: 'Other', Id: `r${i}`, Details: { Other: { blob: 'x'.repeat(9000) } } })),
      }),
    ];
    const result = await fake.client().send(new BatchImportFindingsCommand({ Findings: findings }));
    expect(result.SuccessCount).toBe(1);
    const codes = Object.fromEntries(result.FailedFindings!.map((f) => [f.Id, f.ErrorCode]));
    expect(codes).toEqual({
      'no-title': 'InvalidInput',
      'bad-type': 'InvalidInput',
      'reserved': 'InvalidInput',
      'wrong-region': 'InvalidInput',
      'huge': 'FindingSizeExceeded',
    });
    expect(fake.store.size).toBe(1);
  });

  test('ignores an update whose UpdatedAt is not later, yet counts it as a success', async () => {
    const client = fake.client();
    await client.send(new BatchImportFindingsCommand({ Findings: [sampleFinding('x', { UpdatedAt: '2026-02-01T00:00:00.000Z' })] }));
    const same = await client.send(
      new BatchImportFindingsCommand({ Findings: [sampleFinding('x', { Title: 'changed', UpdatedAt: '2026-02-01T00:00:00.000Z' })] }),
    );
    expect(same.SuccessCount).toBe(1);
    expect(fake.store.get(PRODUCT_ARN, 'x')!.Title).toBe('Sample finding x');
    await client.send(
      new BatchImportFindingsCommand({ Findings: [sampleFinding('x', { Title: 'changed', UpdatedAt: '2026-02-01T00:00:00.001Z' })] }),
    );
    expect(fake.store.get(PRODUCT_ARN, 'x')!.Title).toBe('changed');
    expect(fake.store.stats).toMatchObject({ created: 1, updated: 1, ignoredNotLater: 1 });
  });

  test('keeps customer fields on provider updates and resets NOTIFIED to NEW when an archived finding returns', async () => {
    const client = fake.client();
    await client.send(new BatchImportFindingsCommand({ Findings: [sampleFinding('x', { RecordState: 'ACTIVE' })] }));
    await client.send(new BatchUpdateFindingsCommand({
      FindingIdentifiers: [{ Id: 'x', ProductArn: PRODUCT_ARN }],
      Workflow: { Status: 'NOTIFIED' },
      Note: { Text: 'ticket 42', UpdatedBy: 'analyst' },
    }));
    await client.send(
      new BatchImportFindingsCommand({
        Findings: [sampleFinding('x', { RecordState: 'ARCHIVED', UpdatedAt: '2026-03-01T00:00:00.000Z', Workflow: { Status: 'RESOLVED' } })],
      }),
    );
    let stored = fake.store.get(PRODUCT_ARN, 'x')!;
    expect(stored).toMatchObject({ RecordState: 'ARCHIVED', Workflow: { Status: 'NOTIFIED' }, Note: { Text: 'ticket 42' } });
    expect(fake.store.stats.customerFieldsOnUpdate).toBe(1);
    await client.send(
      new BatchImportFindingsCommand({ Findings: [sampleFinding('x', { RecordState: 'ACTIVE', UpdatedAt: '2026-04-01T00:00:00.000Z' })] }),
    );
    stored = fake.store.get(PRODUCT_ARN, 'x')!;
    expect(stored).toMatchObject({ RecordState: 'ACTIVE', Workflow: { Status: 'NEW' } });
  });

  test('keeps SUPPRESSED when an archived finding returns', async () => {
    const client = fake.client();
    await client.send(new BatchImportFindingsCommand({ Findings: [sampleFinding('x', { RecordState: 'ARCHIVED' })] }));
    await client.send(
      new BatchUpdateFindingsCommand({ FindingIdentifiers: [{ Id: 'x', ProductArn: PRODUCT_ARN }], Workflow: { Status: 'SUPPRESSED' } }),
    );
    await client.send(
      new BatchImportFindingsCommand({ Findings: [sampleFinding('x', { RecordState: 'ACTIVE', UpdatedAt: '2026-04-01T00:00:00.000Z' })] }),
    );
    expect(fake.store.get(PRODUCT_ARN, 'x')!.Workflow.Status).toBe('SUPPRESSED');
  });

  test('BatchUpdateFindings reports unknown and duplicated identifiers as unprocessed', async () => {
    const client = fake.client();
    await client.send(new BatchImportFindingsCommand({ Findings: [sampleFinding('x')] }));
    const result = await client.send(new BatchUpdateFindingsCommand({
      FindingIdentifiers: [{ Id: 'x', ProductArn: PRODUCT_ARN }, { Id: 'x', ProductArn: PRODUCT_ARN }, { Id: 'nope', ProductArn: PRODUCT_ARN }],
      Workflow: { Status: 'SUPPRESSED' },
    }));
    expect(result.ProcessedFindings).toHaveLength(1);
    expect(result.UnprocessedFindings!.map((u) => u.ErrorCode).sort()).toEqual(['DuplicatedFindingIdentifier', 'FindingNotFound']);
  });

  test('GetFindings filters on ProductFields and RecordState and paginates with NextToken', async () => {
    const client = fake.client();
    const scoped = sampleFindings(7, 'in').map((f) => ({ ...f, ProductFields: { scope: 'a' } }));
    const other = sampleFindings(3, 'out').map((f) => ({ ...f, ProductFields: { scope: 'b' } }));
    await client.send(new BatchImportFindingsCommand({ Findings: [...scoped, ...other] }));
    const ids: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new GetFindingsCommand({
        Filters: { ProductFields: [{ Key: 'scope', Value: 'a', Comparison: 'EQUALS' }], RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }] },
        MaxResults: 3,
        NextToken: token,
      }));
      ids.push(...page.Findings!.map((f) => f.Id!));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(ids.sort()).toEqual(scoped.map((f) => f.Id).sort());
  });

  test('refuses filter attributes it cannot evaluate instead of matching everything', async () => {
    const error = await errorOf(fake.client().send(new GetFindingsCommand({ Filters: { ProcessName: [{ Value: 'x', Comparison: 'EQUALS' }] } })));
    expect(error.name).toBe('InvalidInputException');
  });

  test('throttles GetFindings beyond a burst of 6 with HTTP 429 TooManyRequestsException', async () => {
    const client = fake.client();
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => client.send(new GetFindingsCommand({}))));
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(rejected).toHaveLength(4);
    expect(rejected[0].reason.name).toBe('TooManyRequestsException');
    expect(rejected[0].reason.$metadata.httpStatusCode).toBe(429);
    expect(fake.requests.throttled.GetFindings).toBe(4);
  });

  test('throttles imports beyond a burst of 30, then refills at 10 per second', async () => {
    let clock = 0;
    const timed = await FakeSecurityHub.start({ now: () => clock });
    try {
      const client = timed.client();
      const send = () => client.send(new BatchImportFindingsCommand({ Findings: [sampleFinding('x')] })).then(() => true, () => false);
      const first = await Promise.all(Array.from({ length: 31 }, send));
      expect(first.filter(Boolean)).toHaveLength(30);
      clock += 1000;
      const second = await Promise.all(Array.from({ length: 11 }, send));
      expect(second.filter(Boolean)).toHaveLength(10);
    } finally {
      await timed.close();
    }
  });

  test('injects a throttling storm on chosen requests', async () => {
    fake.faults = throttlingStorm('BatchImportFindings', 2, 2);
    const client = fake.client();
    const results: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      results.push(await client.send(new BatchImportFindingsCommand({ Findings: [sampleFinding(`s${i}`)] })).then(() => true, () => false));
    }
    expect(results).toEqual([true, false, false, true]);
  });

  test('an internal error after commit stores the findings although the client sees HTTP 500', async () => {
    fake.faults = { beforeRequest: () => 'internal-error-after-commit' };
    const error = await errorOf(fake.client().send(new BatchImportFindingsCommand({ Findings: [sampleFinding('x')] })));
    expect(error.$metadata.httpStatusCode).toBe(500);
    expect(fake.store.size).toBe(1);
  });

  test('serves the routes, methods and limits of the Security Hub API model when the model is installed', () => {
    if (!existsSync(MODEL)) return;
    const model = JSON.parse(readFileSync(MODEL, 'utf8'));
    const http = (op: string) => model.operations[op].http;
    expect(http('BatchImportFindings')).toMatchObject({ method: 'POST', requestUri: '/findings/import' });
    expect(http('GetFindings')).toMatchObject({ method: 'POST', requestUri: '/findings' });
    expect(http('BatchUpdateFindings')).toMatchObject({ method: 'PATCH', requestUri: '/findings/batchupdate' });
    expect(model.shapes.BatchImportFindingsRequestFindingList).toMatchObject({ min: 1, max: 100 });
    expect(model.shapes.MaxResults).toMatchObject({ min: 1, max: 100 });
    expect(model.shapes.AwsSecurityFinding.required.sort()).toEqual(
      ['SchemaVersion', 'Id', 'ProductArn', 'GeneratorId', 'AwsAccountId', 'CreatedAt', 'UpdatedAt', 'Title', 'Description', 'Resources'].sort(),
    );
    expect(ACCOUNT).toMatch(/^\d{12}$/);
  });
});
