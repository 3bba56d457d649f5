import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { parquetReadObjects } from 'hyparquet';
import { captureEmf, useLambdaTestEnvironment } from './lambda-harness';
import { mockReportsBucket, sarifReport } from './s3-fixture';
import { processReport, type ReportOutcome } from '../../src/lambda/process-report';
import { REPORT_METADATA_KEYS } from '../../src/lambda/report-metadata';
import { exportToSecurityLake, providerRoleClients, securityLakeObjectName } from '../../src/lambda/security-lake-export';
import { outputKeys, settingsFromEnvironment, type SecurityLakeSource } from '../../src/lambda/settings';
import { validateOcsf } from '../../src/ocsf';
import { eventDayOf, SecurityLakeBatch } from '../../src/ocsf/security-lake';
import { ACCOUNT, REGION, sampleFinding } from '../support/fake-security-hub/sample-findings';

const LAKE = 'aws-security-data-lake-eu-west-1-abc123';
const ENV = {
  SSE_KMS_KEY_ID: 'arn:aws:kms:us-east-1:111122223333:key/0000',
  SECURITY_LAKE_VULNERABILITY_LOCATION: `s3://${LAKE}/ext/factory-vulns/1.0/`,
  SECURITY_LAKE_VULNERABILITY_ROLE_ARN: 'arn:aws:iam::999999999999:role/AmazonSecurityLake-Provider-factory-vulns-eu-west-1',
  SECURITY_LAKE_DETECTION_LOCATION: `s3://${LAKE}/ext/factory-detections/1.0/`,
  SECURITY_LAKE_DETECTION_ROLE_ARN: 'arn:aws:iam::999999999999:role/AmazonSecurityLake-Provider-factory-detecti-eu-west-1',
  SECURITY_LAKE_EXTERNAL_ID: 'factory-external-id',
};
const GRYPE = readFileSync(join(__dirname, '..', '..', 'src', 'parsers', 'grype', 'fixtures', 'two-matches.json'), 'utf8');

async function rowsOf(bytes: Buffer): Promise<Array<Record<string, any>>> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return parquetReadObjects({ file, compressors: { GZIP: (b: Uint8Array) => new Uint8Array(gunzipSync(b)) } });
}

describe('the findings processor with Security Lake', () => {
  const lambda = useLambdaTestEnvironment();
  const emitted: Array<Record<string, any>> = [];
  let errors: Array<Record<string, unknown>>;
  let asked: SecurityLakeSource[];

  beforeEach(async () => {
    emitted.length = 0;
    errors = [];
    asked = [];
    captureEmf(emitted);
  });

  async function processed(
    key: string, tool: string, report: string, env: Record<string, string> = ENV, securityLakeMaxRecords?: number,
  ): Promise<ReportOutcome> {
    lambda.bucket.objects.set(key, { body: report, metadata: { [REPORT_METADATA_KEYS.tool]: tool, [REPORT_METADATA_KEYS.branch]: 'main' } });
    const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
    jest.spyOn(logger, 'error').mockImplementation(((message: string, extra: Record<string, unknown>) => {
      errors.push({ message, ...extra });
    }) as any);
    const metrics = new Metrics({ namespace: 'Test', serviceName: 'test' });
    const outcome = await processReport('reports', key, {
      s3: lambda.bucket.client,
      securityHub: lambda.fake.client(),
      logger,
      metrics,
      settings: settingsFromEnvironment(env),
      identity: { account: ACCOUNT, region: 'us-east-1', partition: 'aws' },
      importer: { backoff: { baseMs: 1, capMs: 5 } },
      // The reports bucket's mock stands in for the lake bucket too: its writes are kept by bucket and key.
      securityLakeClients: (source) => {
        asked.push(source);
        return lambda.bucket.client;
      },
      securityLakeMaxRecords,
    });
    metrics.publishStoredMetrics();
    return outcome;
  }

  const lakeObjects = () => [...lambda.bucket.written.entries()].filter(([key]) => key.startsWith(`s3://${LAKE}/`));
  const total = (name: string) => emitted.filter((d) => d[name] !== undefined).reduce((sum, d) => sum + (d[name] as number), 0);

  test('each class goes to its source, partitioned by Region, account and day, as OCSF Parquet', async () => {
    const outcome = await processed('raw/shop/image/7/grype.json', 'grype', GRYPE);
    await processed('raw/shop/code/7/report.sarif', 'sarif', sarifReport(3));
    const day = eventDayOf(Date.now());
    // Named after the upload (key and ETag), so that a retry of it replaces its objects.
    const name = securityLakeObjectName('raw/shop/image/7/grype.json', `"${createHash('md5').update(GRYPE).digest('hex')}"`);
    expect(lakeObjects().filter(([key]) => key.endsWith(`/${name}.gz.parquet`))).toHaveLength(1);
    const keys = lakeObjects().map(([key]) => key.replace(/asff-[0-9a-f]{32}/, '<name>'));
    expect(keys.sort()).toEqual([
      `s3://${LAKE}/ext/factory-detections/1.0/region=us-east-1/accountId=${ACCOUNT}/eventDay=${day}/<name>.gz.parquet`,
      `s3://${LAKE}/ext/factory-vulns/1.0/region=us-east-1/accountId=${ACCOUNT}/eventDay=${day}/<name>.gz.parquet`,
    ]);
    const lakeObject = (source: string) => lakeObjects().find(([k]) => k.includes(`/${source}/`))!;
    const [vulnerabilities, detections] = [lakeObject('factory-vulns'), lakeObject('factory-detections')];
    const vulnerabilityRows = await rowsOf(vulnerabilities[1].bytes);
    const detectionRows = await rowsOf(detections[1].bytes);
    expect(new Set(vulnerabilityRows.map((r) => r.class_uid))).toEqual(new Set([2002]));
    expect(detectionRows.map((r) => r.class_uid)).toEqual([2004, 2004, 2004]);
    // Every finding Security Hub has is in the lake, with the same id.
    const lakeIds = new Set([...vulnerabilityRows, ...detectionRows].map((r) => r.finding_info.uid));
    expect(lakeIds).toEqual(new Set(lambda.fake.store.all().map((f) => f.Id)));
    const plain = (row: unknown) => JSON.parse(JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? Number(v) : v === null ? undefined : v)));
    expect([...vulnerabilityRows, ...detectionRows].flatMap((r) => validateOcsf(plain(r)))).toEqual([]);
    // Written as each source's provider role; the lake bucket's own encryption applies, not the factory key.
    expect(asked.map((s) => s.eventClass).sort()).toEqual(['DETECTION_FINDING', 'VULNERABILITY_FINDING']);
    expect(vulnerabilities[1].input).toMatchObject({ Bucket: LAKE, ContentType: 'application/vnd.apache.parquet' });
    expect(vulnerabilities[1].input.ServerSideEncryption).toBeUndefined();
    const converted = lambda.bucket.written.get('converted/shop/image/7/grype.json.asff.json')!;
    expect(converted.input).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: ENV.SSE_KMS_KEY_ID });
    expect(outcome).toMatchObject({ status: 'processed', securityLake: { objects: 1, records: vulnerabilityRows.length, unwritable: 0, failed: 0 } });
    expect(total('SecurityLakeRecords')).toBe(vulnerabilityRows.length + 3);
    expect(total('SecurityLakeWriteFailures')).toBe(0);
  });

  test('a retried report replaces its objects; the next upload of the same key writes new ones', async () => {
    await processed('raw/shop/code/7/report.sarif', 'sarif', sarifReport(2));
    await processed('raw/shop/code/7/report.sarif', 'sarif', sarifReport(2));
    expect(lakeObjects()).toHaveLength(1);
    await processed('raw/shop/code/7/report.sarif', 'sarif', sarifReport(3));
    expect(lakeObjects()).toHaveLength(2);
  });

  test('a source that refuses the object does not fail the import: the object is kept in the dead letter and counted', async () => {
    lambda.bucket.s3Mock.on(PutObjectCommand, { Bucket: LAKE }).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const outcome = await processed('raw/shop/code/7/report.sarif', 'sarif', sarifReport(2));
    expect(outcome).toMatchObject({ status: 'processed', summary: { imported: 2 }, securityLake: { objects: 0, records: 0, failed: 1 } });
    expect(lambda.fake.store.all()).toHaveLength(2);
    const prefix = outputKeys('raw/shop/code/7/report.sarif', settingsFromEnvironment(ENV)).securityLakeFailed;
    const kept = [...lambda.bucket.written.entries()].filter(([key]) => key.startsWith(prefix));
    expect(kept).toHaveLength(1);
    const [keptKey, keptObject] = kept[0];
    const partition = `region=us-east-1/accountId=${ACCOUNT}/eventDay=\\d{8}`;
    expect(keptKey).toMatch(new RegExp(`^${prefix}DETECTION_FINDING/${partition}/asff-[0-9a-f]{32}\\.gz\\.parquet$`));
    expect(keptObject.input).toMatchObject({
      Metadata: { 'security-lake-location': expect.stringMatching(new RegExp(`^s3://${LAKE}/ext/factory-detections/1\\.0/region=`)) },
      ServerSideEncryption: 'aws:kms',
    });
    expect((await rowsOf(keptObject.bytes)).length).toBe(2);
    expect(total('SecurityLakeWriteFailures')).toBe(1);
    expect(total('FindingsImported')).toBe(2);
    expect(errors).toEqual([expect.objectContaining({ eventClass: 'DETECTION_FINDING', error: 'Access Denied', records: 2 })]);
  });

  test('a report larger than the bound is written in parts that together are its findings; a retry writes the same parts', async () => {
    const held: number[] = [];
    const add = SecurityLakeBatch.prototype.add;
    jest.spyOn(SecurityLakeBatch.prototype, 'add').mockImplementation(function (this: SecurityLakeBatch, added) {
      const writable = add.call(this, added);
      held.push(this.size);
      return writable;
    });
    const outcome = await processed('raw/shop/code/7/report.sarif', 'sarif', sarifReport(7), ENV, 3);
    // Never more than the bound at once, whatever the report's size.
    expect(held).toHaveLength(7);
    expect(Math.max(...held)).toBe(3);
    const parts = lakeObjects().map(([key, object]) => [key.replace(/^.*\//, '').replace(/asff-[0-9a-f]{32}/, '<name>'), object] as const);
    expect(parts.map(([name]) => name).sort()).toEqual([1, 2, 3].map((n) => `<name>-part-0000${n}.gz.parquet`));
    const rows = await Promise.all(parts.map(async ([, object]) => rowsOf(object.bytes)));
    expect(rows.map((r) => r.length).sort()).toEqual([1, 3, 3]);
    const ids = rows.flat().map((r) => r.finding_info.uid as string);
    expect(ids.sort()).toEqual(lambda.fake.store.all().map((f) => f.Id).sort());
    expect(outcome).toMatchObject({ status: 'processed', securityLake: { objects: 3, records: 7, unwritable: 0, failed: 0 } });
    expect(total('SecurityLakeRecords')).toBe(7);
    // The retry's parts have the same keys and hold the same findings (their times are the retry's, so not the same bytes).
    const contents = async () => new Map(await Promise.all(lakeObjects().map(async ([key, object]) => (
      [key, (await rowsOf(object.bytes)).map((r) => r.finding_info.uid as string).sort().join()] as const))));
    const first = await contents();
    await processed('raw/shop/code/7/report.sarif', 'sarif', sarifReport(7), ENV, 3);
    expect(await contents()).toEqual(first);
  });

  test('without the settings nothing goes to Security Lake and no Security Lake metric is emitted', async () => {
    const outcome = await processed('raw/shop/code/7/report.sarif', 'sarif', sarifReport(2), { SSE_KMS_KEY_ID: ENV.SSE_KMS_KEY_ID });
    expect(outcome).toMatchObject({ status: 'processed' });
    expect((outcome as { securityLake?: unknown }).securityLake).toBeUndefined();
    expect(lakeObjects()).toEqual([]);
    expect(asked).toEqual([]);
    expect(emitted.some((d) => Object.keys(d).some((k) => k.startsWith('SecurityLake')))).toBe(false);
  });
});

describe('exportToSecurityLake', () => {
  test('findings that cannot be written as OCSF go to the dead letter with their reasons; the others are written', async () => {
    const bucket = mockReportsBucket();
    try {
      const settings = settingsFromEnvironment(ENV);
      const summary = await exportToSecurityLake({
        findings: [finding('fine'), { ...finding('no-account'), AwsAccountId: undefined } as unknown as AwsSecurityFinding],
        objectName: 'asff-test',
        lake: settings.securityLake!,
        clients: () => bucket.client,
        reports: { s3: bucket.client, bucket: 'reports', settings },
        deadLetters: { unwritable: 'dead-letter/x.ocsf-unwritable.ndjson', failed: 'dead-letter/x.security-lake/' },
        logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
      });
      expect(summary).toEqual({ objects: 1, records: 1, unwritable: 1, failed: 0 });
      const deadLetter = bucket.written.get('dead-letter/x.ocsf-unwritable.ndjson')!;
      expect(deadLetter.input).toMatchObject({ ServerSideEncryption: 'aws:kms', ContentType: 'application/x-ndjson' });
      const lines = deadLetter.body.trim().split('\n').map((line) => JSON.parse(line));
      expect(lines).toEqual([
        {
          id: 'no-account',
          issues: [expect.objectContaining({ path: 'cloud.account.uid' })],
          finding: expect.objectContaining({ Id: 'no-account' }),
        },
      ]);
    } finally {
      bucket.s3Mock.restore();
    }
  });

  test('an error reading the findings or building an object is logged and counted, never thrown', async () => {
    const bucket = mockReportsBucket();
    try {
      const settings = settingsFromEnvironment(ENV);
      const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
      const logged: unknown[] = [];
      jest.spyOn(logger, 'error').mockImplementation(((message: string, extra: unknown) => logged.push([message, extra])) as any);
      const run = {
        objectName: 'asff-test',
        lake: settings.securityLake!,
        clients: () => bucket.client,
        reports: { s3: bucket.client, bucket: 'reports', settings },
        deadLetters: { unwritable: 'dead-letter/x.ocsf-unwritable.ndjson', failed: 'dead-letter/x.security-lake/' },
        logger,
      };
      async function* broken(): AsyncIterable<AwsSecurityFinding> {
        yield finding('a');
        yield finding('b');
        yield { ...finding('no-account'), AwsAccountId: undefined } as unknown as AwsSecurityFinding;
        throw new Error('the spool ends mid-line');
      }
      // The part flushed before the error stays written; the unwritable finding still reaches its dead letter.
      expect(await exportToSecurityLake({ ...run, findings: broken(), maxRecords: 2 })).toEqual({ objects: 1, records: 2, unwritable: 1, failed: 1 });
      expect(bucket.written.has('dead-letter/x.ocsf-unwritable.ndjson')).toBe(true);
      jest.spyOn(SecurityLakeBatch.prototype, 'objects').mockRejectedValueOnce(new Error('cannot encode'));
      expect(await exportToSecurityLake({ ...run, findings: [finding('c')] })).toEqual({ objects: 0, records: 0, unwritable: 0, failed: 1 });
      expect(logged).toEqual([
        [expect.stringMatching(/export stopped/), expect.objectContaining({ objects: 1, records: 2, error: 'the spool ends mid-line' })],
        [expect.stringMatching(/export stopped/), expect.objectContaining({ objects: 0, error: 'cannot encode' })],
      ]);
    } finally {
      bucket.s3Mock.restore();
      jest.restoreAllMocks();
    }
  });
});

describe('providerRoleClients', () => {
  test('assume each source\'s provider role with the external id, once per role while the credentials last', async () => {
    const sts = mockClient(STSClient);
    try {
      const expiration = new Date(Date.now() + 3600_000);
      sts.on(AssumeRoleCommand).callsFake(async (input: { RoleArn: string }) => ({
        Credentials: { AccessKeyId: `AKIA${input.RoleArn.length}`, SecretAccessKey: 'secret', SessionToken: 'token', Expiration: expiration },
      }));
      const lake = settingsFromEnvironment(ENV).securityLake!;
      const clients = providerRoleClients(lake.externalId, new STSClient({ region: 'us-east-1' }));
      const [vulnerabilities, detections] = [lake.sources[2002], lake.sources[2004]];
      expect(clients(vulnerabilities)).toBe(clients(vulnerabilities));
      expect(clients(detections)).not.toBe(clients(vulnerabilities));
      const credentials = async (client: S3Client) => (client.config.credentials as () => Promise<{ accessKeyId: string; sessionToken?: string }>)();
      const expected = { accessKeyId: `AKIA${vulnerabilities.roleArn.length}`, sessionToken: 'token' };
      expect(await credentials(clients(vulnerabilities))).toMatchObject(expected);
      await credentials(clients(vulnerabilities));
      await credentials(clients(detections));
      expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
        expect.objectContaining({ RoleArn: vulnerabilities.roleArn, ExternalId: 'factory-external-id', DurationSeconds: 3600 }),
        expect.objectContaining({ RoleArn: detections.roleArn, ExternalId: 'factory-external-id' }),
      ]);
    } finally {
      sts.restore();
    }
  });
});

describe('Security Lake settings', () => {
  test('are read from five variables, all or none', () => {
    expect(settingsFromEnvironment({}).securityLake).toBeUndefined();
    expect(settingsFromEnvironment(ENV).securityLake).toEqual({
      sources: {
        2002: {
          eventClass: 'VULNERABILITY_FINDING',
          location: { bucket: LAKE, prefix: 'ext/factory-vulns/1.0/' },
          roleArn: ENV.SECURITY_LAKE_VULNERABILITY_ROLE_ARN,
        },
        2004: {
          eventClass: 'DETECTION_FINDING',
          location: { bucket: LAKE, prefix: 'ext/factory-detections/1.0/' },
          roleArn: ENV.SECURITY_LAKE_DETECTION_ROLE_ARN,
        },
      },
      externalId: 'factory-external-id',
    });
    const { SECURITY_LAKE_DETECTION_ROLE_ARN: _, ...partial } = ENV;
    expect(() => settingsFromEnvironment(partial)).toThrow(/missing: SECURITY_LAKE_DETECTION_ROLE_ARN/);
    expect(() => settingsFromEnvironment({ ...ENV, SECURITY_LAKE_DETECTION_ROLE_ARN: 'AmazonSecurityLake-Provider' })).toThrow(/IAM role ARN/);
    expect(() => settingsFromEnvironment({ ...ENV, SECURITY_LAKE_VULNERABILITY_LOCATION: `${LAKE}/ext/x/` })).toThrow(/s3:\/\/<bucket>\/<prefix>/);
  });
});

/** A valid finding of this account and Region (the fake Security Hub's): the shared sample, placed in its Region. */
function finding(id: string): AwsSecurityFinding {
  return sampleFinding(id, { Region: REGION });
}
