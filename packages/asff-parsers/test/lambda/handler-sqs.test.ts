import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { useLambdaTestEnvironment } from './lambda-harness';
import { sarifReport } from './s3-fixture';
import { createHandler } from '../../src/lambda/handler';
import { REPORT_METADATA_KEYS } from '../../src/lambda/report-metadata';
import { settingsFromEnvironment } from '../../src/lambda/settings';
import { ACCOUNT } from '../support/fake-security-hub/sample-findings';

const context = {
  invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:findings-processor`,
  functionName: 'findings-processor',
  awsRequestId: 'req-1',
} as unknown as Context;

const METADATA = {
  [REPORT_METADATA_KEYS.tool]: 'sarif',
  [REPORT_METADATA_KEYS.repository]: 'shop',
  [REPORT_METADATA_KEYS.branch]: 'main',
  [REPORT_METADATA_KEYS.stage]: 'build',
  [REPORT_METADATA_KEYS.buildId]: 'build:42',
  [REPORT_METADATA_KEYS.commit]: 'abc123',
};

/** An SQS message as the queue delivers S3's notification for `key` (or any body given). */
function message(id: string, body: string | { key: string }): SQSRecord {
  const text = typeof body === 'string' ? body : JSON.stringify({
    Records: [{
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      s3: { bucket: { name: 'reports' }, object: { key: body.key.replace(/ /g, '+') } },
    }],
  });
  return { messageId: id, eventSource: 'aws:sqs', body: text } as unknown as SQSRecord;
}

describe('findings-processor handler, S3 notifications through SQS', () => {
  const lambda = useLambdaTestEnvironment();
  let logged: string[];

  beforeEach(async () => {
    logged = [];
  });

  function handler() {
    const logger = new Logger({ serviceName: 'test' });
    for (const level of ['info', 'warn', 'error'] as const) {
      jest.spyOn((logger as any).console, level).mockImplementation((line: unknown) => logged.push(String(line)));
    }
    jest.spyOn(process.stdout, 'write').mockImplementation((() => true) as typeof process.stdout.write);
    return createHandler({
      s3: lambda.bucket.client,
      securityHub: lambda.fake.client(),
      logger,
      metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
      settings: settingsFromEnvironment({}),
      importer: { backoff: { baseMs: 1, capMs: 5 } },
    });
  }

  test('imports the report each message names and asks the queue to retry nothing', async () => {
    lambda.bucket.objects.set('raw/shop/build/42/scan results.sarif', { body: sarifReport(3), metadata: METADATA });
    const event: SQSEvent = { Records: [message('m-1', { key: 'raw/shop/build/42/scan results.sarif' })] };
    expect(await handler()(event, context)).toEqual({ batchItemFailures: [] });
    expect(lambda.fake.store.size).toBe(3);
  });

  test('S3\'s test event, sent when the notification is configured, is acknowledged without work', async () => {
    const testEvent = JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2026-11-30T00:00:00.000Z', Bucket: 'reports' });
    expect(await handler()({ Records: [message('m-test', testEvent)] }, context)).toEqual({ batchItemFailures: [] });
    expect(lambda.fake.store.size).toBe(0);
  });

  test('a message whose import fails is returned for retry; the others of the batch are not redelivered', async () => {
    lambda.bucket.objects.set('raw/shop/build/42/a.sarif', { body: sarifReport(2), metadata: METADATA });
    // b.sarif is missing: S3 answers NoSuchKey, an error the processor does not classify as a bad report.
    const event: SQSEvent = { Records: [message('m-a', { key: 'raw/shop/build/42/a.sarif' }), message('m-b', { key: 'raw/shop/build/42/b.sarif' })] };
    expect(await handler()(event, context)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-b' }] });
    expect(lambda.fake.store.size).toBe(2);
    expect(logged.join('\n')).toMatch(/Report message failed; the queue retries it/);
  });

  test('a body that is not an S3 notification is retried, then dead-lettered by the queue: never dropped', async () => {
    const event: SQSEvent = { Records: [message('m-junk', 'not json'), message('m-empty', '{"Hello":"world"}')] };
    expect(await handler()(event, context)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-junk' }, { itemIdentifier: 'm-empty' }] });
  });

  test('a malformed report is rejected with an object saying why, and its message is not retried', async () => {
    lambda.bucket.objects.set('raw/shop/build/42/bad.sarif', { body: '{"version":"2.1.0","runs":[{"results":[', metadata: METADATA });
    expect(await handler()({ Records: [message('m-bad', { key: 'raw/shop/build/42/bad.sarif' })] }, context)).toEqual({ batchItemFailures: [] });
    expect(lambda.bucket.written.has('dead-letter/shop/build/42/bad.sarif.rejected.json')).toBe(true);
  });
});
