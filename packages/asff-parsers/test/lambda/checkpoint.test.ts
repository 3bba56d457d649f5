import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { AwsSecurityFinding, SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { useLambdaTestEnvironment } from './lambda-harness';
import { sarifReport } from './s3-fixture';
import { deadLetterKeyOf, parseCheckpoint } from '../../src/lambda/checkpoint';
import { createHandler } from '../../src/lambda/handler';
import { REPORT_METADATA_KEYS } from '../../src/lambda/report-metadata';
import { settingsFromEnvironment } from '../../src/lambda/settings';
import { ACCOUNT } from '../support/fake-security-hub/sample-findings';

const METADATA = { [REPORT_METADATA_KEYS.tool]: 'sarif', [REPORT_METADATA_KEYS.branch]: 'main' };
const MINUTES_15 = 15 * 60 * 1000;

/** The SQS message S3 sends for an object created in the reports lambda.bucket. */
function notification(id: string, key: string, eTag?: string): SQSRecord {
  const body = JSON.stringify({ Records: [{ eventSource: 'aws:s3', s3: { bucket: { name: 'reports' }, object: { key, eTag } } }] });
  return { messageId: id, eventSource: 'aws:sqs', body } as unknown as SQSRecord;
}

/** Every finding Security Hub accepted through `client`, with the RecordState it was sent with, in order. */
function recordAccepted(client: SecurityHubClient): Array<{ id: string; state: string }> {
  const accepted: Array<{ id: string; state: string }> = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if ((context as { commandName?: string }).commandName === 'BatchImportFindingsCommand') {
        const failed = new Set(((result.output as { FailedFindings?: Array<{ Id?: string }> }).FailedFindings ?? []).map((f) => f.Id));
        for (const f of (args.input as { Findings: AwsSecurityFinding[] }).Findings) {
          if (!failed.has(f.Id)) accepted.push({ id: f.Id!, state: f.RecordState ?? 'ACTIVE' });
        }
      }
      return result;
    },
    { step: 'initialize', name: 'testAcceptedFindings' },
  );
  return accepted;
}

describe('an import that would outlive its invocation continues from a checkpoint', () => {
  const lambda = useLambdaTestEnvironment();

  beforeEach(async () => {
    jest.spyOn(process.stdout, 'write').mockImplementation((() => true) as typeof process.stdout.write);
  });

  function handler(client: SecurityHubClient) {
    return createHandler({
      s3: lambda.bucket.client,
      securityHub: client,
      logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
      settings: settingsFromEnvironment({ SSE_KMS_KEY_ID: 'arn:aws:kms:us-east-1:111122223333:key/test' }),
      // One batch in flight: the invocation's clock below counts batches, so each stops where it is told.
      importer: { backoff: { baseMs: 1, capMs: 5 }, maxInFlight: 1 },
    });
  }

  /**
   * The queue, drained one message at a time as the event source does: a message whose invocation fails
   * comes back, and every object the invocations create under checkpoint/ is notified like a report.
   * `batchesPerInvocation[i]` is how many BatchImportFindings requests invocation i sends before its
   * remaining time falls below the margin (undefined: plenty of time).
   */
  async function drain(client: SecurityHubClient, first: SQSRecord, batchesPerInvocation: Array<number | undefined>) {
    const run = handler(client);
    const queue = [first];
    const invocations: SQSBatchResponse[] = [];
    let notified = lambda.bucket.created.length;
    for (let message = queue.shift(); message !== undefined; message = queue.shift()) {
      const budget = batchesPerInvocation[invocations.length];
      const startedAt = lambda.fake.requests.received.BatchImportFindings;
      const context = {
        invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:findings-processor`,
        functionName: 'findings-processor',
        awsRequestId: `req-${invocations.length}`,
        getRemainingTimeInMillis: () => {
          const sent = lambda.fake.requests.received.BatchImportFindings - startedAt;
          return budget !== undefined && sent >= budget ? 60_000 : MINUTES_15;
        },
      } as unknown as Context;
      const response = await run({ Records: [message] }, context);
      invocations.push(response);
      if (response.batchItemFailures.length > 0) queue.push(message);
      for (const { key, eTag } of lambda.bucket.created.slice(notified)) {
        if (key.startsWith('checkpoint/')) queue.push(notification(`m-${lambda.bucket.created.length}`, key, eTag));
      }
      notified = lambda.bucket.created.length;
      if (invocations.length > 20) throw new Error('the import did not end');
    }
    return invocations;
  }

  test('a report interrupted twice: every finding imported exactly once, the missing ones archived once, '
    + 'the checkpoint marked complete', async () => {
    const client = lambda.fake.client();
    // The previous build of the scope had 550 findings; this one has the first 500 of them (5 batches).
    lambda.bucket.objects.set('raw/shop/image/1/report.sarif', { body: sarifReport(550), metadata: METADATA });
    await drain(client, notification('m-first', 'raw/shop/image/1/report.sarif'), []);
    expect(lambda.fake.store.size).toBe(550);

    const accepted = recordAccepted(client);
    lambda.bucket.objects.set('raw/shop/image/2/report.sarif', { body: sarifReport(500), metadata: METADATA });
    // Each of the first two invocations runs out of time after one or two batches: the third finishes.
    const invocations = await drain(client, notification('m-second', 'raw/shop/image/2/report.sarif'), [1, 1, undefined]);

    // Two hand-offs, the end of the import, and the notification of its checkpoint marked complete (no work).
    expect(invocations).toEqual(Array(4).fill({ batchItemFailures: [] }));
    const checkpoints = lambda.bucket.created.filter((c) => c.key.startsWith('checkpoint/'));
    expect(checkpoints.map((c) => c.key)).toEqual(Array(3).fill('checkpoint/shop/image/2/report.sarif.checkpoint.json'));
    const active = accepted.filter((a) => a.state === 'ACTIVE').map((a) => a.id);
    const archived = accepted.filter((a) => a.state === 'ARCHIVED').map((a) => a.id);
    expect(active).toHaveLength(500);
    expect(new Set(active).size).toBe(500);
    expect(archived).toHaveLength(50);
    expect(new Set(archived).size).toBe(50);
    expect(archived.filter((id) => active.includes(id))).toEqual([]);
    const stored = lambda.fake.store.all();
    expect(stored.filter((f) => f.RecordState === 'ACTIVE')).toHaveLength(500);
    expect(stored.filter((f) => f.RecordState === 'ARCHIVED').map((f) => f.Id).sort()).toEqual([...archived].sort());
    // The converted ASFF holds the whole report; the checkpoint says the import is complete, with its counters.
    expect(JSON.parse(lambda.bucket.written.get('converted/shop/image/2/report.sarif.asff.json')!.body).Findings).toHaveLength(500);
    const last = parseCheckpoint(lambda.bucket.objects.get('checkpoint/shop/image/2/report.sarif.checkpoint.json')!.body, 'checkpoint');
    expect(last).toMatchObject({ complete: true, segment: 3, findingsRead: 500, summary: { imported: 500, archived: 50, failed: 0 } });
    expect(last.tally.HIGH).toMatchObject({ open: 500, resolved: 50 });
    client.destroy();
  });

  test('the checkpoint is KMS-encrypted and carries the position, the counters so far and when the run started', async () => {
    const client = lambda.fake.client();
    lambda.bucket.objects.set('raw/shop/image/1/report.sarif', { body: sarifReport(500), metadata: METADATA });
    const before = Date.now();
    // Only the first invocation runs: its checkpoint is read here instead of being continued.
    const run = handler(client);
    const context = {
      invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:findings-processor`,
      getRemainingTimeInMillis: () => (lambda.fake.requests.received.BatchImportFindings >= 2 ? 1_000 : MINUTES_15),
    } as unknown as Context;
    expect(await run({ Records: [notification('m-1', 'raw/shop/image/1/report.sarif')] }, context)).toEqual({ batchItemFailures: [] });
    const written = lambda.bucket.written.get('checkpoint/shop/image/1/report.sarif.checkpoint.json')!;
    expect(written.input).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'arn:aws:kms:us-east-1:111122223333:key/test' });
    const checkpoint = parseCheckpoint(written.body, 'checkpoint');
    expect(checkpoint).toMatchObject({ version: 1, complete: false, rawKey: 'raw/shop/image/1/report.sarif', segment: 2 });
    expect(checkpoint.findingsRead % 100).toBe(0);
    expect(checkpoint.findingsRead).toBeGreaterThanOrEqual(200);
    expect(checkpoint.findingsRead).toBeLessThan(500);
    expect(checkpoint.summary.imported).toBe(checkpoint.findingsRead);
    expect(checkpoint.tally.HIGH?.open).toBe(checkpoint.findingsRead);
    expect(Date.parse(checkpoint.runStarted)).toBeGreaterThanOrEqual(before - 1000);
    expect(lambda.fake.store.size).toBe(checkpoint.findingsRead);
    client.destroy();
  });

  test('a notification of a checkpoint that was replaced or removed since is acknowledged without work', async () => {
    const client = lambda.fake.client();
    lambda.bucket.objects.set('raw/shop/image/1/report.sarif', { body: sarifReport(300), metadata: METADATA });
    await drain(client, notification('m-1', 'raw/shop/image/1/report.sarif'), [1, undefined]);
    const stale = lambda.bucket.created.find((c) => c.key.startsWith('checkpoint/'))!;
    const before = lambda.fake.requests.received.BatchImportFindings;
    const context = { invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:findings-processor` } as unknown as Context;
    expect(await handler(client)({ Records: [notification('m-late', stale.key, stale.eTag)] }, context)).toEqual({ batchItemFailures: [] });
    expect(lambda.fake.requests.received.BatchImportFindings).toBe(before);
    client.destroy();
  });

  test('a report uploaded again under the same key is imported whole; the earlier one\'s continuation then does nothing', async () => {
    const client = lambda.fake.client();
    lambda.bucket.objects.set('raw/shop/image/1/report.sarif', { body: sarifReport(300), metadata: METADATA });
    const context = {
      invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:findings-processor`,
      getRemainingTimeInMillis: () => (lambda.fake.requests.received.BatchImportFindings >= 1 ? 1_000 : MINUTES_15),
    } as unknown as Context;
    await handler(client)({ Records: [notification('m-1', 'raw/shop/image/1/report.sarif')] }, context);
    const continuation = lambda.bucket.created.find((c) => c.key.startsWith('checkpoint/'))!;
    // The build uploads another report under the same key before the continuation runs.
    lambda.bucket.objects.set('raw/shop/image/1/report.sarif', { body: sarifReport(250), metadata: METADATA });
    const accepted = recordAccepted(client);
    await drain(client, notification('m-2', 'raw/shop/image/1/report.sarif'), []);
    expect(accepted.filter((a) => a.state === 'ACTIVE')).toHaveLength(250);
    const requests = lambda.fake.requests.received.BatchImportFindings;
    const outcome = await handler(client)({ Records: [notification('m-3', continuation.key, continuation.eTag)] }, context);
    expect(outcome).toEqual({ batchItemFailures: [] });
    expect(lambda.fake.requests.received.BatchImportFindings).toBe(requests);
    client.destroy();
  });
});

describe('checkpoint records', () => {
  const valid = {
    version: 1,
    complete: false,
    rawKey: 'raw/shop/image/1/report.sarif',
    rawETag: '"abc"',
    segment: 2,
    runStarted: '2026-11-30T09:00:00.000Z',
    findingsRead: 300,
    summary: { imported: 300, failed: 0, archived: 0, requests: 3, throttled: 0, retried: 0, seconds: 3 },
    tally: {},
  };

  test('only a checkpoint of this processor\'s shape is accepted: nothing else can make it skip findings', () => {
    expect(parseCheckpoint(JSON.stringify(valid), 'k')).toEqual(valid);
    const notCheckpoints = [
      { ...valid, version: 2 }, { ...valid, findingsRead: -1 }, { ...valid, findingsRead: 1.5 }, { ...valid, runStarted: 'yesterday' },
      { ...valid, rawKey: undefined },
    ];
    for (const broken of notCheckpoints) {
      expect(() => parseCheckpoint(JSON.stringify(broken), 'k')).toThrow(/not an import checkpoint/);
    }
    expect(() => parseCheckpoint('{', 'k')).toThrow(/not JSON/);
  });

  test('each continuation writes its dead letters beside the first invocation\'s', () => {
    expect(deadLetterKeyOf('dead-letter/shop/image/1/report.sarif.findings.ndjson', 1)).toBe('dead-letter/shop/image/1/report.sarif.findings.ndjson');
    expect(deadLetterKeyOf('dead-letter/shop/image/1/report.sarif.findings.ndjson', 3))
      .toBe('dead-letter/shop/image/1/report.sarif.findings.3.ndjson');
  });
});
