import { Logger } from '@aws-lambda-powertools/logger';
import { mockReportsBucket } from './s3-fixture';
import { FakeSecurityHub } from '../support/fake-security-hub';

/** What every findings-processor test runs against: the local Security Hub endpoint and an in-memory bucket. */
export interface LambdaTestEnvironment {
  readonly fake: FakeSecurityHub;
  readonly bucket: ReturnType<typeof mockReportsBucket>;
}

/**
 * Registers the setup the findings-processor tests share: before each test a fresh local Security Hub
 * (real SDK client, real limits) and reports bucket, `AWS_REGION` set; after it the bucket mock restored, the
 * environment and every jest spy put back, the endpoint closed. Read the returned object inside tests (its
 * fields are replaced before each one).
 */
export function useLambdaTestEnvironment(): LambdaTestEnvironment {
  const current: { fake?: FakeSecurityHub; bucket?: ReturnType<typeof mockReportsBucket> } = {};
  const saved = { ...process.env };
  beforeEach(async () => {
    current.fake = await FakeSecurityHub.start();
    current.bucket = mockReportsBucket();
    process.env.AWS_REGION = 'us-east-1';
  });
  afterEach(async () => {
    current.bucket?.s3Mock.restore();
    process.env = { ...saved };
    jest.restoreAllMocks();
    await current.fake?.close();
  });
  return {
    get fake() {
      if (!current.fake) throw new Error('the local Security Hub starts before each test: read it inside a test');
      return current.fake;
    },
    get bucket() {
      if (!current.bucket) throw new Error('the reports bucket is made before each test: read it inside a test');
      return current.bucket;
    },
  };
}

/**
 * Captures the EMF documents Powertools Metrics prints to stdout (lines with `_aws`), parsed, into `into`;
 * other output passes through. Undone by jest.restoreAllMocks (useLambdaTestEnvironment's afterEach).
 */
export function captureEmf(into: Array<Record<string, any>>): void {
  const write = process.stdout.write.bind(process.stdout);
  jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
    const text = String(chunk);
    if (!text.includes('"_aws"')) return (write as any)(chunk, ...rest);
    into.push(...text.trim().split('\n').map((line) => JSON.parse(line)));
    return true;
  }) as typeof process.stdout.write);
}

/** Captures the JSON lines a Powertools logger writes at info, warn and error into `into`. */
export function captureLogs(logger: Logger, into: string[]): void {
  for (const level of ['info', 'warn', 'error'] as const) {
    jest.spyOn((logger as any).console, level).mockImplementation((line: unknown) => into.push(String(line)));
  }
}
