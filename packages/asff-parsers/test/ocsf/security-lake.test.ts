import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { DataType, Precision, tableFromIPC, type Field, type Table } from 'apache-arrow';
import { parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet';
// The root entry resolves to parquet-wasm's node build (CommonJS, loads its .wasm from disk) under jest's `node`
// export condition; TypeScript's node10 resolution takes the package's `types`, the same API.
import { readParquet } from 'parquet-wasm';
import { OCSF_VERSION, toOcsf, validateOcsf } from '../../src/ocsf';
import { parquetRowOf, STRING_MAP } from '../../src/ocsf/parquet-schema';
import { eventDayOf, parseSecurityLakeLocation, SecurityLakeBatch, type SecurityLakeObject } from '../../src/ocsf/security-lake';
import { convertFixture, fixtureCases } from '../support/convert-helpers';

/** hyparquet, the reader: GZIP pages decompressed with node:zlib. */
async function readBack(object: SecurityLakeObject): Promise<Array<Record<string, unknown>>> {
  const file = toArrayBuffer(object.body);
  const rows = await parquetReadObjects({ file, compressors: { GZIP: (bytes: Uint8Array) => new Uint8Array(gunzipSync(bytes)) } });
  return rows.map((row) => plain(row) as Record<string, unknown>);
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** A row as the JSON event it was written from: INT64 as numbers, absent optional attributes (nulls) left out. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** parquet-wasm (Apache arrow-rs's Parquet reader as WebAssembly), the independent reader: an Arrow table. */
function readWithArrowRs(object: SecurityLakeObject): Table {
  return tableFromIPC(readParquet(object.body).intoIPCStream());
}

/** The rows of an Arrow table as JSON events, as `plain` makes them of hyparquet's rows. */
function arrowRows(table: Table): Array<Record<string, unknown>> {
  const rowType = table.schema.fields;
  return table.toArray().map((row) => arrowStruct(row as Record<string, unknown>, rowType));
}

function arrowStruct(struct: Record<string, unknown>, fields: Field[]): Record<string, unknown> {
  const entries = fields.map((field) => [field.name, struct[field.name], field.type] as const);
  return Object.fromEntries(entries.filter(([, v]) => v !== null && v !== undefined).map(([name, v, type]) => [name, arrowValue(v, type)]));
}

/** Decoded by the column's Arrow type: a struct row, a list vector, a map row of (key, value) entries, INT64 as bigint. */
function arrowValue(value: unknown, type: DataType): unknown {
  if (value === null || value === undefined) return null;
  if (DataType.isStruct(type)) return arrowStruct(value as Record<string, unknown>, type.children);
  if (DataType.isList(type)) return [...(value as Iterable<unknown>)].map((element) => arrowValue(element, type.children[0].type));
  if (DataType.isMap(type)) {
    const [key, item] = (type.children[0].type as DataType).children;
    return Object.fromEntries([...(value as Iterable<[unknown, unknown]>)].map(([k, v]) => [arrowValue(k, key.type), arrowValue(v, item.type)]));
  }
  return typeof value === 'bigint' ? Number(value) : value;
}

/** The findings of every parser's fixtures, one per Id (fixtures of one tool share findings, updated). */
const allFixtureFindings = async (): Promise<AwsSecurityFinding[]> => {
  const findings = new Map<string, AwsSecurityFinding>();
  for (const [tool, name] of fixtureCases()) {
    for (const finding of await convertFixture(tool, name).catch(() => [] as AwsSecurityFinding[])) findings.set(finding.Id!, finding);
  }
  return [...findings.values()];
};

describe('Security Lake custom-source objects', () => {
  let findings: AwsSecurityFinding[];
  let batch: SecurityLakeBatch;
  let objects: SecurityLakeObject[];
  beforeAll(async () => {
    findings = await allFixtureFindings();
    batch = new SecurityLakeBatch();
    for (const finding of findings) batch.add(finding);
    objects = await batch.objects('report-0123abcd');
  });

  test('every fixture finding of every parser is written: read back, each record is its OCSF event', async () => {
    expect(findings.length).toBeGreaterThan(100);
    expect(batch.unwritable).toEqual([]);
    const written = new Map<string, Record<string, unknown>>();
    for (const object of objects) for (const row of await readBack(object)) written.set((row.metadata as { uid: string }).uid, row);
    expect(written.size).toBe(findings.length);
    for (const finding of findings) expect(written.get(finding.Id!)).toEqual(toOcsf(finding));
  });

  test('one class per object, both classes present, records sorted by time, every record valid OCSF 1.1.0', async () => {
    expect(new Set(objects.map((o) => o.classUid))).toEqual(new Set([2002, 2004]));
    for (const object of objects) {
      const rows = await readBack(object);
      expect(rows.length).toBe(object.records);
      expect(new Set(rows.map((r) => r.class_uid))).toEqual(new Set([object.classUid]));
      expect(object.eventClass).toBe(object.classUid === 2002 ? 'VULNERABILITY_FINDING' : 'DETECTION_FINDING');
      const times = rows.map((r) => r.time as number);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(rows.flatMap((r) => validateOcsf(r))).toEqual([]);
      expect(rows.every((r) => (r.metadata as { version: string }).version === OCSF_VERSION)).toBe(true);
    }
  });

  test('OCSF objects are Parquet groups, arrays LISTs, product fields a MAP; pages are GZIP-compressed', () => {
    const vulnerability = objects.find((o) => o.classUid === 2002)!;
    const metadata = parquetMetadata(toArrayBuffer(vulnerability.body));
    const tree = parquetSchema(metadata);
    const child = (node: typeof tree, ...path: string[]) => path.reduce((n, name) => n.children.find((c) => c.element.name === name)!, node);
    expect(child(tree, 'metadata', 'product', 'vendor_name').element).toMatchObject({ type: 'BYTE_ARRAY', converted_type: 'UTF8' });
    expect(child(tree, 'vulnerabilities').element).toMatchObject({ converted_type: 'LIST', repetition_type: 'OPTIONAL' });
    const cvss = child(tree, 'vulnerabilities', 'list', 'element', 'cve', 'cvss');
    expect(cvss.element.converted_type).toBe('LIST');
    expect(child(cvss, 'list', 'element', 'base_score').element.type).toBe('DOUBLE');
    expect(child(tree, 'unmapped', 'product_fields').element.converted_type).toBe('MAP');
    expect(child(tree, 'time').element.type).toBe('INT64');
    expect(child(tree, 'remediation')).toBeUndefined();
    // No attribute flattened to a JSON string: every leaf is a typed column of its own.
    expect(metadata.row_groups[0].columns.length).toBeGreaterThan(60);
    expect(new Set(metadata.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec)))).toEqual(new Set(['GZIP']));
    expect(metadata.key_value_metadata).toEqual(expect.arrayContaining([{ key: 'ocsf.version', value: OCSF_VERSION }]));
    const detection = parquetSchema(parquetMetadata(toArrayBuffer(objects.find((o) => o.classUid === 2004)!.body)));
    expect(child(detection, 'remediation', 'desc').element.type).toBe('BYTE_ARRAY');
    expect(child(detection, 'vulnerabilities')).toBeUndefined();
  });

  test('the same findings written again are the same bytes: a retried write replaces its object', async () => {
    const again = new SecurityLakeBatch();
    for (const finding of [...findings].reverse()) again.add(finding);
    const digest = (o: SecurityLakeObject) => [o.key, createHash('sha256').update(o.body).digest('hex')];
    expect((await again.objects('report-0123abcd')).map(digest)).toEqual(objects.map(digest));
  });

  test('parquet-wasm (arrow-rs) reads every object to the same records and the same nested column types', () => {
    const byId = new Map(findings.map((f) => [f.Id!, toOcsf(f)]));
    let read = 0;
    for (const object of objects) {
      const table = readWithArrowRs(object);
      const rows = arrowRows(table);
      expect(rows.length).toBe(object.records);
      for (const row of rows) expect(row).toEqual(byId.get((row.metadata as { uid: string }).uid));
      read += rows.length;

      const field = (name: string) => table.schema.fields.find((f) => f.name === name);
      const child = (type: DataType, name: string) => (type.children as Field[]).find((f) => f.name === name)!.type as DataType;
      const time = field('time')!.type;
      expect(DataType.isInt(time) && time.bitWidth === 64 && time.isSigned).toBe(true);
      const productFields = child(field('unmapped')!.type, 'product_fields');
      expect(DataType.isMap(productFields)).toBe(true);
      expect((productFields.children[0].type as DataType).children.map((f) => [f.name, DataType.isUtf8(f.type)]))
        .toEqual([['key', true], ['value', true]]);
      const vulnerabilities = field('vulnerabilities')?.type;
      expect(vulnerabilities === undefined).toBe(object.classUid !== 2002);
      if (vulnerabilities === undefined) continue;
      expect(DataType.isList(vulnerabilities)).toBe(true);
      const vulnerability = vulnerabilities.children[0].type as DataType;
      expect(DataType.isStruct(vulnerability)).toBe(true);
      const cvss = child(child(vulnerability, 'cve'), 'cvss');
      expect(DataType.isList(cvss) && DataType.isStruct(cvss.children[0].type)).toBe(true);
      const baseScore = child(cvss.children[0].type, 'base_score');
      expect(DataType.isFloat(baseScore) && baseScore.precision === Precision.DOUBLE).toBe(true);
    }
    expect(read).toBe(findings.length);
  });

  // pyarrow (Apache Arrow's C++ Parquet reader) is a second, independent reader, but not a Debian package:
  // it is there when `pip install pyarrow` was run, and this test says so when it is not.
  const python = spawnSync('python3', ['-c', 'import pyarrow.parquet'], { encoding: 'utf8' });
  const withPyarrow = python.status === 0 ? test : test.skip;
  if (python.status !== 0) {
    const why = (python.stderr || String(python.error)).trim().split('\n').pop();
    console.warn(`security-lake.test: the pyarrow check is skipped: python3 cannot import pyarrow (${why}); pip install pyarrow runs it`);
  }
  withPyarrow('pyarrow reads every object to the same records and the same nested column types', () => {
    const dir = mkdtempSync(join(tmpdir(), 'security-lake-'));
    try {
      const files = objects.map((object, i) => {
        const file = join(dir, `${i}.parquet`);
        writeFileSync(file, object.body);
        return file;
      });
      const script = [
        'import json, sys, pyarrow.parquet as pq',
        'def plain(v):',
        '    if isinstance(v, dict): return {k: plain(x) for k, x in v.items() if x is not None}',
        // pyarrow gives a MAP as a list of (key, value) pairs.
        '    if isinstance(v, list) and v and all(isinstance(x, tuple) for x in v): return {k: x for k, x in v}',
        '    if isinstance(v, list): return [plain(x) for x in v]',
        '    return v',
        'out = []',
        'for f in sys.argv[1:]:',
        '    t = pq.read_table(f)',
        '    out.append({"types": {n: str(t.schema.field(n).type) for n in ["vulnerabilities", "unmapped", "time"] if n in t.schema.names},',
        '                "rows": [plain(r) for r in t.to_pylist()]})',
        'print(json.dumps(out))',
      ].join('\n');
      const result = spawnSync('python3', ['-c', script, ...files], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
      expect(result.stderr).toBe('');
      const read = JSON.parse(result.stdout) as Array<{ types: Record<string, string>; rows: Array<Record<string, unknown>> }>;
      const byId = new Map(findings.map((f) => [f.Id!, toOcsf(f)]));
      for (const [i, { types, rows }] of read.entries()) {
        expect(rows.length).toBe(objects[i].records);
        for (const row of rows) expect(row).toEqual(byId.get((row.metadata as { uid: string }).uid));
        expect(types.time).toBe('int64');
        expect(types.unmapped).toMatch(/^struct<product_fields: map<string, string/);
        const cvss = /^list<element: struct<cve: struct<uid: string, cvss: list<element: struct<version: string, base_score: double/;
        if (objects[i].classUid === 2002) expect(types.vulnerabilities).toMatch(cvss);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Security Lake partitions', () => {
  test('one object per class, Region, account and UTC day, keyed as Security Lake partitions a custom source', async () => {
    const batch = new SecurityLakeBatch();
    batch.add(aFinding({ Id: 'a', UpdatedAt: '2026-01-02T23:59:59.999Z' }));
    batch.add(aFinding({ Id: 'b', UpdatedAt: '2026-01-03T00:00:00.000Z' }));
    batch.add(aFinding({ Id: 'c', UpdatedAt: '2026-01-03T10:00:00.000Z', Region: 'us-east-1', AwsAccountId: '222222222222' }));
    batch.add(aFinding({ Id: 'd', UpdatedAt: '2026-01-03T11:00:00.000Z', Types: ['CWE-89'] }));
    batch.add(aFinding({ Id: 'e', UpdatedAt: '2026-01-03T12:00:00.000Z' }));
    const keys = (await batch.objects('build-7')).map((o) => [o.classUid, o.key, o.records]);
    expect(keys).toEqual([
      [2002, 'region=eu-west-1/accountId=111111111111/eventDay=20260103/build-7.gz.parquet', 1],
      [2004, 'region=eu-west-1/accountId=111111111111/eventDay=20260102/build-7.gz.parquet', 1],
      [2004, 'region=eu-west-1/accountId=111111111111/eventDay=20260103/build-7.gz.parquet', 2],
      [2004, 'region=us-east-1/accountId=222222222222/eventDay=20260103/build-7.gz.parquet', 1],
    ]);
    expect(eventDayOf(Date.parse('2026-12-31T23:59:59.999Z'))).toBe('20261231');
  });

  test('no finding, no object', async () => {
    const batch = new SecurityLakeBatch();
    expect(await batch.objects('empty')).toEqual([]);
    expect(batch.size).toBe(0);
  });

  test('a finding that cannot be written is kept with its reasons, never dropped: the others are written', async () => {
    const batch = new SecurityLakeBatch();
    const noAccount = aFinding({ Id: 'no-account', AwsAccountId: undefined });
    const noTime = aFinding({ Id: 'no-time', UpdatedAt: undefined, CreatedAt: undefined });
    const noTitle = aFinding({ Id: 'no-title', Title: undefined });
    expect([noAccount, noTime, noTitle, aFinding({ Id: 'fine' })].map((f) => batch.add(f))).toEqual([false, false, false, true]);
    expect(batch.unwritable.map((u) => [u.finding.Id, u.issues.map((i) => i.path)])).toEqual([
      ['no-account', ['cloud.account.uid']],
      ['no-time', ['time']],
      ['no-title', ['finding_info.title']],
    ]);
    const [object] = await batch.objects('mixed');
    expect((await readBack(object)).map((r) => (r.metadata as { uid: string }).uid)).toEqual(['fine']);
  });

  test('an attribute or a type the Parquet schema does not have is an issue, not a column silently left out', () => {
    const event = toOcsf(aFinding({ Id: 'x' }));
    const schema = { time: 'long', finding_info: { uid: 'string' }, unmapped: { product_fields: STRING_MAP } } as const;
    expect(parquetRowOf({ time: event.time, finding_info: { uid: 'x', title: 't' } }, schema).issues)
      .toEqual([{ path: 'finding_info.title', message: 'is not in the Parquet schema of this class' }]);
    expect(parquetRowOf({ time: 1.5, unmapped: { product_fields: { a: 1 } } }, schema).issues).toEqual([
      { path: 'time', message: 'must be an integer' },
      { path: 'unmapped.product_fields', message: 'must map names to strings (a is not a string)' },
    ]);
    expect(parquetRowOf({ time: event.time }, schema).row).toEqual({ time: BigInt(event.time as number) });
  });

  test('a source location is its provider.location, with or without a version segment', async () => {
    expect(parseSecurityLakeLocation('s3://aws-security-data-lake-eu-west-1-abc123/ext/factory-vulns/'))
      .toEqual({ bucket: 'aws-security-data-lake-eu-west-1-abc123', prefix: 'ext/factory-vulns/' });
    expect(parseSecurityLakeLocation('s3://aws-security-data-lake-eu-west-1-abc123/ext/factory-vulns/1.0'))
      .toEqual({ bucket: 'aws-security-data-lake-eu-west-1-abc123', prefix: 'ext/factory-vulns/1.0/' });
    for (const wrong of ['aws-security-data-lake-eu-west-1-abc123/ext/x/', 's3://bucket', 's3://bucket//ext/', 's3://Bucket/ext/']) {
      expect(() => parseSecurityLakeLocation(wrong)).toThrow(/s3:\/\/<bucket>\/<prefix>/);
    }
    await expect(new SecurityLakeBatch().objects('../escape')).rejects.toThrow(/object name/);
  });
});

describe('a bounded Security Lake batch', () => {
  /** Eleven findings in four partitions (classes 2002 and 2004, days 2 and 3 of January), added interleaved. */
  const findings = Array.from({ length: 11 }, (_, i) => aFinding({
    Id: `f${String(i).padStart(2, '0')}`,
    UpdatedAt: `2026-01-0${i % 3 === 0 ? 2 : 3}T${String(23 - i).padStart(2, '0')}:00:00.000Z`,
    ...(i % 4 === 1 ? { Types: ['CWE-89'] } : {}),
  }));

  /** Adds every finding as the export does: flushing whenever full, then taking the rest; the most held at once. */
  async function written(maxRecords: number): Promise<{ objects: SecurityLakeObject[]; mostHeld: number }> {
    const batch = new SecurityLakeBatch({ maxRecords });
    const objects: SecurityLakeObject[] = [];
    let mostHeld = 0;
    for (const finding of findings) {
      expect(batch.add(finding)).toBe(true);
      mostHeld = Math.max(mostHeld, batch.size);
      objects.push(...await batch.flush('report-1'));
      expect(batch.full).toBe(false);
    }
    objects.push(...await batch.objects('report-1'));
    expect(batch.size).toBe(0);
    return { objects, mostHeld };
  }

  test('holds at most maxRecords; the parts of a partition together are its findings, each once', async () => {
    const { objects, mostHeld } = await written(3);
    expect(mostHeld).toBe(3);
    expect(objects.length).toBeGreaterThan(3);
    const ids: string[] = [];
    for (const object of objects) {
      const rows = await readBack(object);
      expect(rows.length).toBe(object.records);
      expect(object.records).toBeLessThanOrEqual(3);
      // Each part holds its own partition's records only, sorted by time.
      for (const row of rows) {
        const finding = findings.find((f) => f.Id === (row.metadata as { uid: string }).uid)!;
        expect(row).toEqual(toOcsf(finding));
        expect(object.key).toContain(`eventDay=${eventDayOf(row.time as number)}/`);
        expect(row.class_uid).toBe(object.classUid);
      }
      const times = rows.map((r) => r.time as number);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      ids.push(...rows.map((r) => (r.metadata as { uid: string }).uid));
    }
    expect(ids.sort()).toEqual(findings.map((f) => f.Id).sort());
    // A partition written in parts has numbered parts, 1 to n; one that never filled the batch keeps its name.
    // (Keys are below the prefix of the class's source: the class is part of where an object goes.)
    const keys = objects.map((o) => `${o.classUid}/${o.key}`).sort();
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.every((k) => /\/report-1(-part-\d{5})?\.gz\.parquet$/.test(k))).toBe(true);
    for (const dir of new Set(keys.map((k) => k.slice(0, k.lastIndexOf('/'))))) {
      const names = keys.filter((k) => k.startsWith(`${dir}/`)).map((k) => k.slice(dir.length + 1));
      const parts = names.filter((n) => n.includes('-part-'));
      if (parts.length === 0) expect(names).toEqual(['report-1.gz.parquet']);
      else expect(names).toEqual(parts.map((_, i) => `report-1-part-${String(i + 1).padStart(5, '0')}.gz.parquet`));
    }
  });

  test('the same findings in the same order give the same keys and bytes: a retried report replaces its parts', async () => {
    const digest = (o: SecurityLakeObject) => [o.key, o.records, createHash('sha256').update(o.body).digest('hex')];
    const first = (await written(3)).objects.map(digest);
    expect((await written(3)).objects.map(digest)).toEqual(first);
  });

  test('a batch that never fills writes one object per partition, as an unbounded one does', async () => {
    const { objects } = await written(findings.length + 1);
    expect(objects.map((o) => o.key.replace(/^.*\//, ''))).toEqual(Array(4).fill('report-1.gz.parquet'));
    expect(() => new SecurityLakeBatch({ maxRecords: 0 })).toThrow(/maxRecords/);
    await expect(new SecurityLakeBatch({ maxRecords: 1 }).flush('../escape')).rejects.toThrow(/object name/);
  });
});

/** A finding with `overrides` (undefined removes an attribute, as a scanner that left it out). */
function aFinding(overrides: Partial<AwsSecurityFinding>): AwsSecurityFinding {
  return {
    SchemaVersion: '2018-10-08',
    Id: 'id',
    ProductArn: 'arn:aws:securityhub:eu-west-1:111111111111:product/111111111111/default',
    ProductName: 'Semgrep',
    CompanyName: 'DevSecOps Factory',
    GeneratorId: 'semgrep/rule',
    AwsAccountId: '111111111111',
    Region: 'eu-west-1',
    Types: ['Software and Configuration Checks'],
    CreatedAt: '2026-01-02T03:04:05.000Z',
    UpdatedAt: '2026-01-02T03:04:05.000Z',
    Severity: { Label: 'HIGH' },
    Title: 'A finding',
    Description: 'What the rule found.',
    Resources: [{ Type: 'Other', Id: 'repo/file.py:1' }],
    ...overrides,
  } as AwsSecurityFinding;
}
