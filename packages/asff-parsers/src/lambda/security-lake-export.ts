import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { encryptionOf, type ProcessorSettings, type SecurityLakeSettings, type SecurityLakeSource } from './settings';
import { oneLine } from '../errors';
import { SecurityLakeBatch, type SecurityLakeObject } from '../ocsf/security-lake';

/** An S3 client that writes as a source's provider role. */
export type SecurityLakeClients = (source: SecurityLakeSource) => S3Client;

/** Security Lake's provider roles allow one hour, the limit of a role assumed by a role (Lambda's). */
const SESSION_SECONDS = 3600;
/** Credentials are renewed this long before they expire: an object written after that would be refused. */
const RENEW_BEFORE_MS = 5 * 60 * 1000;

/**
 * One S3 client per provider role. Security Lake creates `AmazonSecurityLake-Provider-<source>-<region>` for
 * each custom source and allows only it to write below the source's prefix; it trusts the account given as
 * `providerIdentity.principal` when the caller names `providerIdentity.externalId` (CreateCustomLogSource). The
 * clients follow the lake bucket's Region (it is the Region of the lake, not necessarily the function's) and
 * retry each request up to 5 times (the SDK's standard backoff).
 */
export function providerRoleClients(externalId: string, sts: STSClient = new STSClient({})): SecurityLakeClients {
  const clients = new Map<string, S3Client>();
  return (source) => {
    let client = clients.get(source.roleArn);
    if (!client) {
      client = new S3Client({ credentials: assumedRole(sts, source.roleArn, externalId), followRegionRedirects: true, maxAttempts: 5 });
      clients.set(source.roleArn, client);
    }
    return client;
  };
}

function assumedRole(sts: STSClient, roleArn: string, externalId: string): NonNullable<S3ClientConfig['credentials']> {
  let cached: { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date } | undefined;
  return async () => {
    if (cached?.expiration && cached.expiration.getTime() - Date.now() > RENEW_BEFORE_MS) return cached;
    const { Credentials: credentials } = await sts.send(new AssumeRoleCommand({
      RoleArn: roleArn,
      ExternalId: externalId,
      RoleSessionName: 'devsecops-factory-findings',
      DurationSeconds: SESSION_SECONDS,
    }));
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) throw new Error(`sts:AssumeRole of ${roleArn} returned no credentials`);
    cached = {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      expiration: credentials.Expiration,
    };
    return cached;
  };
}

/**
 * The name of a report's objects: the same for every write of the same upload (a retried invocation replaces
 * its objects instead of adding their records twice), another for the next upload of the same key.
 */
export function securityLakeObjectName(rawKey: string, rawETag: string | undefined): string {
  return `asff-${createHash('sha256').update(`${rawKey}\n${rawETag ?? ''}`).digest('hex').slice(0, 32)}`;
}

/** What the export of one report did. */
export interface SecurityLakeSummary {
  /** Objects written to the sources. */
  readonly objects: number;
  /** Records in them. */
  readonly records: number;
  /** Findings whose OCSF event could not be written (in the dead letter, with the reasons). */
  readonly unwritable: number;
  /**
   * Objects the sources refused even after retries (kept in the dead letter, with their destination), plus one
   * when the export stopped on an error (logged; the findings after it are not in the lake).
   */
  readonly failed: number;
}

export interface SecurityLakeExport {
  /** The report's findings, read once, in the order the report converts to (a retry reads the same order). */
  readonly findings: AsyncIterable<AwsSecurityFinding> | Iterable<AwsSecurityFinding>;
  readonly objectName: string;
  /** Records held at once, whatever the report's size (SecurityLakeBatchOptions.maxRecords). Default: one row group. */
  readonly maxRecords?: number;
  readonly lake: SecurityLakeSettings;
  readonly clients: SecurityLakeClients;
  /** The reports bucket, where what cannot be written goes. */
  readonly reports: { readonly s3: S3Client; readonly bucket: string; readonly settings: Pick<ProcessorSettings, 'kmsKeyId'> };
  /** `outputKeys(...).securityLakeUnwritable` and `.securityLakeFailed` of the report. */
  readonly deadLetters: { readonly unwritable: string; readonly failed: string };
  readonly logger: Logger;
}

/**
 * Writes a report's findings to Security Lake. Security Hub stays the primary path: this never throws. An
 * object a source refuses after the client's retries is written to the reports bucket's dead letter with its
 * destination in the object's metadata (`security-lake-location`), and counted, so that nothing is lost and
 * an operator can copy it once the cause is fixed; findings that cannot be written as OCSF go there too.
 * The findings are read as a stream and written in parts of at most `maxRecords` records, each object put
 * before more findings are read: the memory held does not grow with the report.
 */
export async function exportToSecurityLake(run: SecurityLakeExport): Promise<SecurityLakeSummary> {
  const { lake, reports, deadLetters, logger } = run;
  let objects = 0;
  let records = 0;
  let failed = 0;
  const write = async (object: SecurityLakeObject): Promise<void> => {
    const source = lake.sources[object.classUid];
    const key = `${source.location.prefix}${object.key}`;
    try {
      await run.clients(source).send(new PutObjectCommand({
        Bucket: source.location.bucket,
        Key: key,
        Body: object.body,
        ContentType: PARQUET,
      }));
      objects++;
      records += object.records;
    } catch (error) {
      failed++;
      logger.error('Security Lake refused an object; it is kept in the dead letter', {
        eventClass: source.eventClass,
        location: `s3://${source.location.bucket}/${key}`,
        records: object.records,
        error: oneLine(String((error as Error).message ?? error)),
      });
      await keep(run, `${deadLetters.failed}${source.eventClass}/${object.key}`, object, `s3://${source.location.bucket}/${key}`);
    }
  };
  const batch = new SecurityLakeBatch({ maxRecords: run.maxRecords });
  try {
    for await (const finding of run.findings) {
      batch.add(finding);
      // One object at a time: its body is let go once put, before the next is built.
      if (batch.full) for (const object of await batch.flush(run.objectName)) await write(object);
    }
    for (const object of await batch.objects(run.objectName)) await write(object);
  } catch (error) {
    // Reading the findings or building an object failed: what was put stays, the rest is not in the lake.
    failed++;
    logger.error('The Security Lake export stopped; the findings not yet written are not in the lake', {
      objects,
      records,
      error: oneLine(String((error as Error).message ?? error)),
    });
  }
  const unwritable = batch.unwritable;
  if (unwritable.length > 0) {
    logger.warn('Findings not written to Security Lake as OCSF; kept in the dead letter', { key: deadLetters.unwritable, count: unwritable.length });
    const lines = unwritable.map(({ finding, issues }) => JSON.stringify({ id: finding.Id, issues, finding }));
    await put(run, 'the OCSF dead letter', {
      Bucket: reports.bucket,
      Key: deadLetters.unwritable,
      Body: `${lines.join('\n')}\n`,
      ContentType: 'application/x-ndjson',
      ...encryptionOf(reports.settings),
    });
  }
  return { objects, records, unwritable: unwritable.length, failed };
}

/** Parquet's media type (IANA, 2024). */
const PARQUET = 'application/vnd.apache.parquet';

async function keep(run: SecurityLakeExport, key: string, object: SecurityLakeObject, destination: string): Promise<void> {
  await put(run, 'a refused Security Lake object', {
    Bucket: run.reports.bucket,
    Key: key,
    Body: object.body,
    ContentType: PARQUET,
    Metadata: { 'security-lake-location': destination },
    ...encryptionOf(run.reports.settings),
  });
}

/** A write to the reports bucket that, failing, is logged rather than thrown (the import already succeeded). */
async function put(run: SecurityLakeExport, what: string, input: ConstructorParameters<typeof PutObjectCommand>[0]): Promise<void> {
  try {
    await run.reports.s3.send(new PutObjectCommand(input));
  } catch (error) {
    run.logger.error(`Could not write ${what} to the reports bucket`, { key: input.Key, error: oneLine(String((error as Error).message ?? error)) });
  }
}
