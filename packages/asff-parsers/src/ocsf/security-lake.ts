import { gzipSync } from 'node:zlib';
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { OCSF_CLASSES, OCSF_VERSION, toOcsf, type OcsfEvent } from './ocsf-finding';
import { OCSF_PARQUET_SCHEMAS, parquetRowOf, parquetSchemaOf, type ParquetGroup } from './parquet-schema';
import { validateOcsf, type OcsfIssue } from './validate-ocsf';

/**
 * Amazon Security Lake custom-source objects from ASFF findings: the OCSF events of `toOcsf()` as Parquet, one
 * object per OCSF class and partition. What Security Lake asks of a custom source (Amazon Security Lake User
 * Guide, "Collecting data from custom sources in Security Lake", and the CreateCustomLogSource API reference):
 * - one OCSF event class per source and per Parquet object ("the same OCSF event class should apply to each
 *   record within a Parquet-formatted object"; deliver each class "as a separate source"): a source for
 *   Vulnerability Finding (2002) and one for Detection Finding (2004), `eventClasses` VULNERABILITY_FINDING and
 *   DETECTION_FINDING;
 * - objects under the prefix Security Lake assigned to the source (its `provider.location`,
 *   `s3://<lake bucket>/ext/<source name>/...`), partitioned by Region, account and day:
 *   `region=<region>/accountId=<account>/eventDay=<YYYYMMDD>/<object>` below that prefix;
 * - OCSF 1.1 (the schema version custom sources are validated against): OCSF_VERSION;
 * - its best practices: records sorted by time, data pages of at most 1 MB, bounded row groups, compressed.
 * Compression is GZIP: every Parquet reader has it and node:zlib too (zstandard, which the guide prefers,
 * is in node:zlib only from Node 22.15, and a WASM or native compressor is what this writer avoids).
 */

/** Security Lake's names of the two classes (`eventClasses` of CreateCustomLogSource). */
export const SECURITY_LAKE_EVENT_CLASSES: Readonly<Record<number, string>> = {
  [OCSF_CLASSES.vulnerability.uid]: 'VULNERABILITY_FINDING',
  [OCSF_CLASSES.detection.uid]: 'DETECTION_FINDING',
};

/** Rows per row group: findings are a few KB each, so a group stays far below the guide's 256 MB. */
const ROW_GROUP_ROWS = 10_000;
/** The guide's bound on a data page, uncompressed. */
const PAGE_BYTES = 1024 * 1024;

/** One Parquet object for one custom source. */
export interface SecurityLakeObject {
  /** OCSF class of every record (2002 or 2004): the custom source it belongs to. */
  readonly classUid: number;
  /** Security Lake's name of the class, as the source was registered with. */
  readonly eventClass: string;
  readonly region: string;
  readonly accountId: string;
  /** `YYYYMMDD`, UTC, of the records' `time`. */
  readonly eventDay: string;
  /** The object's key below the source's location: `region=…/accountId=…/eventDay=…/<name>.gz.parquet`. */
  readonly key: string;
  readonly body: Uint8Array;
  readonly records: number;
}

/** A finding whose OCSF event cannot be written, and why: it goes to the dead letter, never dropped. */
export interface UnwritableFinding {
  readonly finding: AwsSecurityFinding;
  readonly issues: readonly OcsfIssue[];
}

/** Where Security Lake put a custom source: its bucket and the prefix below which the source writes. */
export interface SecurityLakeLocation {
  readonly bucket: string;
  /** Ends with `/`. */
  readonly prefix: string;
}

/**
 * A source's `provider.location` (`s3://aws-security-data-lake-<region>-<id>/ext/<source>/` or with a
 * version segment) as bucket and prefix.
 */
export function parseSecurityLakeLocation(location: string): SecurityLakeLocation {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(location.trim());
  if (!match || match[2].split('/').some((part, i, parts) => part === '' && i < parts.length - 1)) {
    throw new Error(`a Security Lake source location is s3://<bucket>/<prefix> (its provider.location), got '${location}'`);
  }
  const prefix = match[2].endsWith('/') ? match[2] : `${match[2]}/`;
  return { bucket: match[1], prefix };
}

interface Partition {
  readonly classUid: number;
  readonly region: string;
  readonly accountId: string;
  readonly eventDay: string;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ACCOUNT = /^\d{12}$/;
const OBJECT_NAME = /^[\w.-]{1,200}$/;

/** Rows a batch holds by default before its caller should `flush` it: one row group. */
export const SECURITY_LAKE_BATCH_RECORDS = ROW_GROUP_ROWS;

export interface SecurityLakeBatchOptions {
  /**
   * Records held at most: once `full`, `flush` writes the partition holding the most as an object of its own.
   * Default: SECURITY_LAKE_BATCH_RECORDS.
   */
  readonly maxRecords?: number;
}

interface HeldRow {
  readonly time: number;
  readonly uid: string;
  readonly row: Record<string, unknown>;
}

/**
 * Collects findings and writes them as Security Lake objects. Each finding is mapped, checked against
 * OCSF's required attributes (`validateOcsf`) and against the Parquet schema of its class, and placed in its
 * partition; one that fails any check is kept in `unwritable` with the reasons.
 *
 * The memory it holds is bounded by `maxRecords`, not by the report: a caller adds findings while the batch
 * is not `full` and `flush`es it when it is, writing each object before adding more. A partition flushed that
 * way is written in parts, `<name>-part-<n>.gz.parquet` in the order the findings were added (each sorted by
 * time); one that never was is `<name>.gz.parquet`. The same findings added in the same order therefore give
 * the same keys and bytes: a retried report (which converts to the same findings in the same order) replaces
 * its objects rather than adding its records twice.
 */
export class SecurityLakeBatch {
  private readonly partitions = new Map<string, { partition: Partition; rows: HeldRow[]; parts: number }>();
  private readonly refused: UnwritableFinding[] = [];
  private readonly maxRecords: number;
  private held = 0;

  constructor(options: SecurityLakeBatchOptions = {}) {
    this.maxRecords = options.maxRecords ?? SECURITY_LAKE_BATCH_RECORDS;
    if (!Number.isInteger(this.maxRecords) || this.maxRecords < 1) throw new Error(`maxRecords is a positive integer, got ${this.maxRecords}`);
  }

  /** Adds one finding; false when it cannot be written (see `unwritable`). */
  add(finding: AwsSecurityFinding): boolean {
    const event = toOcsf(finding);
    const issues: OcsfIssue[] = [...validateOcsf(event)];
    const partition = partitionOf(event, issues);
    const schema = OCSF_PARQUET_SCHEMAS[event.class_uid as number] as ParquetGroup | undefined;
    const shaped = schema ? parquetRowOf(event, schema) : undefined;
    issues.push(...(shaped?.issues ?? []));
    if (issues.length > 0 || !partition || !shaped?.row) {
      this.refused.push({ finding, issues });
      return false;
    }
    const id = partitionId(partition);
    let entry = this.partitions.get(id);
    if (!entry) this.partitions.set(id, entry = { partition, rows: [], parts: 0 });
    const uid = String((event.finding_info as OcsfEvent | undefined)?.uid ?? '');
    entry.rows.push({ time: event.time as number, uid, row: shaped.row });
    this.held++;
    return true;
  }

  /** Findings that could not be written, in the order they were added. */
  get unwritable(): readonly UnwritableFinding[] {
    return this.refused;
  }

  /** Writable findings held: added and not yet taken by `flush` or `objects`. */
  get size(): number {
    return this.held;
  }

  /** Whether the batch holds `maxRecords`: `flush` it before adding more. */
  get full(): boolean {
    return this.held >= this.maxRecords;
  }

  /**
   * While the batch is `full`, takes the partition holding the most records (the first by partition on a tie)
   * and returns it as the next part of that partition; none when it is not full. The records are let go.
   */
  async flush(objectName: string): Promise<SecurityLakeObject[]> {
    checkObjectName(objectName);
    const flushed: SecurityLakeObject[] = [];
    while (this.full) {
      const [id, entry] = [...this.partitions.entries()]
        .sort(([a, x], [b, y]) => y.rows.length - x.rows.length || a.localeCompare(b))[0];
      entry.parts++;
      flushed.push(await this.take(id, `${objectName}-part-${String(entry.parts).padStart(5, '0')}`));
    }
    return flushed;
  }

  /**
   * The Parquet objects of what the batch holds, one per class and partition, each named
   * `<objectName>.gz.parquet` (or the partition's next part, when `flush` wrote parts of it): give a name
   * that is the same when the same findings are written again (a retry then replaces its object rather
   * than duplicating its records) and differs between batches. None when no finding was writable. The
   * records are let go: the batch holds nothing afterwards.
   */
  async objects(objectName: string): Promise<SecurityLakeObject[]> {
    checkObjectName(objectName);
    const ids = [...this.partitions.keys()].filter((id) => this.partitions.get(id)!.rows.length > 0).sort((a, b) => a.localeCompare(b));
    const objects: SecurityLakeObject[] = [];
    for (const id of ids) {
      const entry = this.partitions.get(id)!;
      const name = entry.parts > 0 ? `${objectName}-part-${String(++entry.parts).padStart(5, '0')}` : objectName;
      objects.push(await this.take(id, name));
    }
    return objects;
  }

  /** The rows held for one partition as one object named `<name>.gz.parquet`; the partition is left empty. */
  private async take(id: string, name: string): Promise<SecurityLakeObject> {
    // Loaded when there is something to write: hyparquet-writer is an ES module only, which Node loads from
    // CommonJS (this package) from 20.19 on and jest not at all; loading the Lambda entry or mapping to OCSF
    // must not depend on it.
    const { parquetWriteBuffer } = await import('hyparquet-writer');
    const entry = this.partitions.get(id)!;
    const { partition, rows } = entry;
    // Let go of the rows before encoding: the columns below are then the only copy while the object is built.
    entry.rows = [];
    this.held -= rows.length;
    // The guide's best practice: records sorted by time (ties by uid, so that the same batch is the same bytes).
    const ordered = rows.sort((a, b) => a.time - b.time || a.uid.localeCompare(b.uid)).map((r) => r.row);
    rows.length = 0;
    const schema = OCSF_PARQUET_SCHEMAS[partition.classUid];
    const body = new Uint8Array(parquetWriteBuffer({
      schema: parquetSchemaOf(schema),
      columnData: Object.keys(schema).map((column) => ({ name: column, data: ordered.map((row) => row[column] ?? null) })),
      codec: 'GZIP',
      compressors: { GZIP: (bytes: Uint8Array) => new Uint8Array(gzipSync(bytes)) },
      rowGroupSize: ROW_GROUP_ROWS,
      pageSize: PAGE_BYTES,
      createdBy: 'devsecops-factory asff-parsers (OCSF for Amazon Security Lake)',
      kvMetadata: [{ key: 'ocsf.version', value: OCSF_VERSION }, { key: 'ocsf.class_uid', value: String(partition.classUid) }],
    }));
    return {
      ...partition,
      eventClass: SECURITY_LAKE_EVENT_CLASSES[partition.classUid],
      key: `${partitionPath(partition)}${name}.gz.parquet`,
      body,
      records: ordered.length,
    };
  }
}

/** `region=<region>/accountId=<account>/eventDay=<YYYYMMDD>/`: Security Lake's partition of a custom source. */
export function partitionPath(partition: Pick<Partition, 'region' | 'accountId' | 'eventDay'>): string {
  return `region=${partition.region}/accountId=${partition.accountId}/eventDay=${partition.eventDay}/`;
}

function checkObjectName(objectName: string): void {
  if (!OBJECT_NAME.test(objectName)) throw new Error(`a Security Lake object name is letters, digits, '.', '_' and '-', got '${objectName}'`);
}

function partitionId(p: Partition): string {
  return `${p.classUid}|${p.region}|${p.accountId}|${p.eventDay}`;
}

/** The event's partition; what keeps it from having one is added to `issues`. */
function partitionOf(event: OcsfEvent, issues: OcsfIssue[]): Partition | undefined {
  const cloud = (event.cloud ?? {}) as { region?: unknown; account?: { uid?: unknown } };
  const region = cloud.region;
  const accountId = cloud.account?.uid;
  const problems: OcsfIssue[] = [];
  if (typeof region !== 'string' || !REGION.test(region)) {
    problems.push({ path: 'cloud.region', message: 'must be an AWS Region: Security Lake partitions by it' });
  }
  if (typeof accountId !== 'string' || !ACCOUNT.test(accountId)) {
    problems.push({ path: 'cloud.account.uid', message: 'must be a 12-digit AWS account id: Security Lake partitions by it' });
  }
  issues.push(...problems);
  const time = event.time;
  if (problems.length > 0 || typeof time !== 'number' || !Number.isInteger(time) || time <= 0) return undefined;
  return { classUid: event.class_uid as number, region: region as string, accountId: accountId as string, eventDay: eventDayOf(time) };
}

/** `YYYYMMDD` in UTC. */
export function eventDayOf(millis: number): string {
  return new Date(millis).toISOString().slice(0, 10).replace(/-/g, '');
}
