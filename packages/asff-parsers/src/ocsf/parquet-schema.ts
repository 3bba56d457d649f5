import type { SchemaElement } from 'hyparquet-writer';
import { OCSF_CLASSES } from './ocsf-finding';

/**
 * The Parquet schema of the OCSF events `toOcsf()` writes, one per class, with OCSF's object types kept as
 * Parquet nested types: an object is a group, an array a LIST, `unmapped.product_fields` a MAP of strings.
 * Security Lake's Glue crawler reads the table's columns from these files, so an object flattened to a JSON
 * string would be one opaque `string` column that Athena cannot address by attribute.
 *
 * The scalar types follow OCSF 1.1.0's: `integer_t` INT32, `long_t` and `timestamp_t` INT64 (milliseconds
 * since the epoch, as OCSF and Security Lake's own sources store `time`), `float_t` DOUBLE (a CVSS score read
 * back is the number written), `boolean_t` BOOLEAN, the string types UTF8. Every column is OPTIONAL: which
 * attributes an event must have is `validateOcsf()`'s check, made before a row is written.
 */
export type ParquetNode = Scalar | ParquetGroup | readonly [ParquetNode] | typeof STRING_MAP;
type Scalar = 'string' | 'int' | 'long' | 'double' | 'boolean';
export interface ParquetGroup { readonly [name: string]: ParquetNode }

/** A map of strings to strings (the attribute names of the source are data, not columns). */
export const STRING_MAP = { map: 'string' } as const;

const analytic = { uid: 'string', name: 'string', type_id: 'int', type: 'string' } as const;

/** The attributes both classes carry (base event, finding, the cloud profile). */
const BASE: ParquetGroup = {
  metadata: {
    version: 'string',
    product: { name: 'string', vendor_name: 'string', uid: 'string' },
    profiles: ['string'],
    uid: 'string',
    modified_time: 'long',
  },
  time: 'long',
  category_uid: 'int',
  category_name: 'string',
  class_uid: 'int',
  class_name: 'string',
  activity_id: 'int',
  activity_name: 'string',
  type_uid: 'long',
  type_name: 'string',
  severity_id: 'int',
  severity: 'string',
  status_id: 'int',
  status: 'string',
  message: 'string',
  cloud: { provider: 'string', region: 'string', account: { uid: 'string', type_id: 'int', type: 'string' } },
  finding_info: {
    uid: 'string',
    title: 'string',
    desc: 'string',
    types: ['string'],
    created_time: 'long',
    modified_time: 'long',
    first_seen_time: 'long',
    last_seen_time: 'long',
    src_url: 'string',
    product_uid: 'string',
    analytic,
    related_events: [{ uid: 'string', product_uid: 'string' }],
  },
  resources: [{ uid: 'string', type: 'string', cloud_partition: 'string', region: 'string' }],
  unmapped: { product_fields: STRING_MAP },
};

const VULNERABILITY = {
  cve: { uid: 'string', cvss: [{ version: 'string', base_score: 'double', vector_string: 'string' }] },
  cwe: { uid: 'string' },
  title: 'string',
  affected_packages: [{
    name: 'string',
    version: 'string',
    epoch: 'int',
    release: 'string',
    architecture: 'string',
    package_manager: 'string',
    path: 'string',
    fixed_in_version: 'string',
    remediation: { desc: 'string' },
  }],
  references: ['string'],
  related_vulnerabilities: ['string'],
  vendor_name: 'string',
  is_fix_available: 'boolean',
} as const;

/** The schema of each class: Security Lake takes one class per custom source, and so per file. */
export const OCSF_PARQUET_SCHEMAS: Readonly<Record<number, ParquetGroup>> = {
  [OCSF_CLASSES.vulnerability.uid]: { ...BASE, vulnerabilities: [VULNERABILITY] },
  [OCSF_CLASSES.detection.uid]: { ...BASE, remediation: { desc: 'string', references: ['string'] } },
};

const PRIMITIVES: Record<Scalar, Omit<SchemaElement, 'name'>> = {
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  int: { type: 'INT32' },
  long: { type: 'INT64' },
  double: { type: 'DOUBLE' },
  boolean: { type: 'BOOLEAN' },
};

/**
 * The group as Parquet's flattened schema (depth first, each group with its number of children), lists
 * and maps in the three-level form the format specifies (`<name> (LIST) / repeated list / element`,
 * `<name> (MAP) / repeated key_value / key, value`), which Athena, Glue and Arrow read.
 */
export function parquetSchemaOf(group: ParquetGroup): SchemaElement[] {
  const elements: SchemaElement[] = [{ name: 'root', num_children: Object.keys(group).length }];
  const visit = (name: string, node: ParquetNode, repetition: 'OPTIONAL' | 'REQUIRED'): void => {
    if (typeof node === 'string') {
      elements.push({ name, repetition_type: repetition, ...PRIMITIVES[node] });
    } else if (isList(node)) {
      elements.push({ name, repetition_type: repetition, converted_type: 'LIST', num_children: 1 });
      elements.push({ name: 'list', repetition_type: 'REPEATED', num_children: 1 });
      visit('element', node[0], 'OPTIONAL');
    } else if (node === STRING_MAP) {
      elements.push({ name, repetition_type: repetition, converted_type: 'MAP', num_children: 1 });
      elements.push({ name: 'key_value', repetition_type: 'REPEATED', num_children: 2 });
      visit('key', 'string', 'REQUIRED');
      visit('value', 'string', 'OPTIONAL');
    } else {
      const children = Object.entries(node as ParquetGroup);
      elements.push({ name, repetition_type: repetition, num_children: children.length });
      for (const [child, childNode] of children) visit(child, childNode, 'OPTIONAL');
    }
  };
  for (const [name, node] of Object.entries(group)) visit(name, node, 'OPTIONAL');
  return elements;
}

/** A value the schema cannot hold, by its dotted path (`finding_info.types.0`). */
export interface ShapeIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * The event as the writer takes a row: every attribute checked against the schema (an attribute the schema
 * does not have would be left out of the file without a word, so it is an issue), `long` values as BigInt
 * (Parquet INT64). Returns the issues instead when there are any.
 */
export function parquetRowOf(event: Record<string, unknown>, group: ParquetGroup): { row?: Record<string, unknown>; issues: ShapeIssue[] } {
  const issues: ShapeIssue[] = [];
  const row = shape(event, group, '', issues) as Record<string, unknown>;
  return issues.length > 0 ? { issues } : { row, issues };
}

function shape(value: unknown, node: ParquetNode, path: string, issues: ShapeIssue[]): unknown {
  if (value === undefined || value === null) return null;
  const fail = (message: string) => {
    issues.push({ path: path || '(event)', message });
    return null;
  };
  if (typeof node === 'string') return scalar(value, node, fail);
  if (isList(node)) {
    if (!Array.isArray(value)) return fail('must be an array');
    return value.map((item, i) => shape(item, node[0], `${path}.${i}`, issues));
  }
  if (!isRecord(value)) return fail('must be an object');
  if (node === STRING_MAP) {
    const entries = Object.entries(value);
    const wrong = entries.find(([, v]) => typeof v !== 'string');
    return wrong ? fail(`must map names to strings (${wrong[0]} is not a string)`) : Object.fromEntries(entries);
  }
  const group = node as ParquetGroup;
  const out: Record<string, unknown> = {};
  for (const [name, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${name}` : name;
    if (!(name in group)) {
      issues.push({ path: childPath, message: 'is not in the Parquet schema of this class' });
      continue;
    }
    out[name] = shape(child, group[name], childPath, issues);
  }
  return out;
}

function scalar(value: unknown, type: Scalar, fail: (message: string) => null): unknown {
  switch (type) {
    case 'string':
      return typeof value === 'string' ? value : fail('must be a string');
    case 'boolean':
      return typeof value === 'boolean' ? value : fail('must be a boolean');
    case 'double':
      return typeof value === 'number' && Number.isFinite(value) ? value : fail('must be a number');
    case 'int':
      return Number.isInteger(value) && Math.abs(value as number) <= 2 ** 31 - 1 ? value : fail('must be a 32-bit integer');
    case 'long':
      return Number.isSafeInteger(value) ? BigInt(value as number) : fail('must be an integer');
  }
}

function isList(node: ParquetNode): node is readonly [ParquetNode] {
  return Array.isArray(node);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
