import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { FINDING_TYPE_NAMESPACES } from './finding-types';
import { LIMITS } from './limits';
import { PARTITIONS } from './scan-context';

/** One broken rule: where and what. */
export interface ValidationIssue {
  /** Dotted path of the offending field, e.g. `Resources.3.Type`. */
  readonly path: string;
  readonly message: string;
}

const LABELS = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
const PRODUCT_ARN = /^arn:(aws|aws-us-gov|aws-cn):securityhub:[a-z]{2}(-[a-z]+)+-\d:(\d{12}):product\/(\d{12})\/default$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const REQUIRED = [
  'SchemaVersion', 'Id', 'ProductArn', 'GeneratorId', 'AwsAccountId', 'CreatedAt', 'UpdatedAt', 'Title', 'Description', 'Resources',
] as const;

/**
 * Checks a finding against the rules Security Hub applies on
 * BatchImportFindings (required fields, formats, lengths, counts, size).
 * Returns every issue found; an empty list means the finding would be accepted.
 */
export function validateFinding(f: AwsSecurityFinding): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const fail = (path: string, message: string): void => {
    issues.push({ path, message });
  };
  const record = f as unknown as Record<string, unknown>;
  for (const key of REQUIRED) {
    if (record[key] === undefined || record[key] === null) fail(key, 'is required');
  }
  if (f.SchemaVersion !== undefined && f.SchemaVersion !== '2018-10-08') fail('SchemaVersion', 'must be 2018-10-08');
  if (f.Id !== undefined && (f.Id.length < 1 || f.Id.length > LIMITS.idChars)) fail('Id', `must be 1-${LIMITS.idChars} characters`);
  if (f.AwsAccountId !== undefined && !/^\d{12}$/.test(f.AwsAccountId)) fail('AwsAccountId', 'must be 12 digits');
  if (f.ProductArn !== undefined) {
    const m = PRODUCT_ARN.exec(f.ProductArn);
    if (m === null) fail('ProductArn', 'must be arn:<partition>:securityhub:<region>:<account>:product/<account>/default');
    else if (m[3] !== m[4] || (f.AwsAccountId !== undefined && m[3] !== f.AwsAccountId)) fail('ProductArn', 'account must match AwsAccountId');
  }
  if (f.GeneratorId !== undefined && (f.GeneratorId.length < 1 || f.GeneratorId.length > LIMITS.generatorIdChars)) {
    fail('GeneratorId', `must be 1-${LIMITS.generatorIdChars} characters`);
  }
  for (const key of ['CreatedAt', 'UpdatedAt', 'FirstObservedAt', 'LastObservedAt'] as const) {
    const value = f[key];
    if (value !== undefined && (!RFC3339.test(value) || Number.isNaN(Date.parse(value)))) fail(key, 'must be an RFC 3339 timestamp');
  }
  checkText(fail, 'Title', f.Title, LIMITS.titleChars);
  checkText(fail, 'Description', f.Description, LIMITS.descriptionChars);
  const recommendation = f.Remediation?.Recommendation;
  if (recommendation?.Text !== undefined && recommendation.Text.length > LIMITS.remediationTextChars) {
    fail('Remediation.Recommendation.Text', `must be at most ${LIMITS.remediationTextChars} characters`);
  }
  if (f.Severity !== undefined) checkSeverity(fail, 'Severity', f.Severity);
  if (f.FindingProviderFields?.Severity !== undefined) checkSeverity(fail, 'FindingProviderFields.Severity', f.FindingProviderFields.Severity);
  if (f.Severity === undefined && f.FindingProviderFields?.Severity === undefined) fail('Severity', 'is required');
  checkTypes(fail, 'Types', f.Types);
  if (f.FindingProviderFields?.Types !== undefined) checkTypes(fail, 'FindingProviderFields.Types', f.FindingProviderFields.Types);
  if (f.Resources !== undefined) {
    if (f.Resources.length < 1 || f.Resources.length > LIMITS.resources) fail('Resources', `must hold 1-${LIMITS.resources} resources`);
    f.Resources.forEach((r, i) => {
      if (!r.Type || r.Type.length > LIMITS.resourceTypeChars) fail(`Resources.${i}.Type`, `must be 1-${LIMITS.resourceTypeChars} characters`);
      if (!r.Id) fail(`Resources.${i}.Id`, 'is required');
      if (r.Partition !== undefined && !PARTITIONS.includes(r.Partition as (typeof PARTITIONS)[number])) {
        fail(`Resources.${i}.Partition`, 'must be aws, aws-cn or aws-us-gov');
      }
    });
  }
  const fields = Object.entries(f.ProductFields ?? {});
  if (fields.length > LIMITS.productFields) fail('ProductFields', `must hold at most ${LIMITS.productFields} pairs`);
  for (const [key, value] of fields) {
    if (key.length < 1 || key.length > LIMITS.productFieldKeyChars) {
      fail(`ProductFields.${key}`, `key must be 1-${LIMITS.productFieldKeyChars} characters`);
    }
    if (key.toLowerCase().startsWith('aws/')) fail(`ProductFields.${key}`, 'the aws/ prefix is reserved');
    if (typeof value !== 'string' || value.length > LIMITS.productFieldValueChars) {
      fail(`ProductFields.${key}`, `value must be a string of at most ${LIMITS.productFieldValueChars} characters`);
    }
  }
  (f.Vulnerabilities ?? []).forEach((v, i) => {
    if (!v.Id) fail(`Vulnerabilities.${i}.Id`, 'is required');
    if (v.FixAvailable !== undefined && !['YES', 'NO', 'PARTIAL'].includes(v.FixAvailable)) {
      fail(`Vulnerabilities.${i}.FixAvailable`, 'must be YES, NO or PARTIAL');
    }
    (v.Cvss ?? []).forEach((c, j) => {
      if (c.BaseScore !== undefined && !(c.BaseScore >= 0 && c.BaseScore <= 10)) fail(`Vulnerabilities.${i}.Cvss.${j}.BaseScore`, 'must be 0-10');
    });
  });
  if (f.RecordState !== undefined && f.RecordState !== 'ACTIVE' && f.RecordState !== 'ARCHIVED') fail('RecordState', 'must be ACTIVE or ARCHIVED');
  checkStrings(fail, '', f);
  const bytes = Buffer.byteLength(JSON.stringify(f), 'utf8');
  if (bytes > LIMITS.findingBytes) fail('', `the finding is ${bytes} bytes, over ${LIMITS.findingBytes}`);
  return issues;
}

type Fail = (path: string, message: string) => void;

function checkText(fail: Fail, path: string, value: string | undefined, max: number): void {
  if (value === undefined) return;
  if (value.trim().length === 0) fail(path, 'must not be blank');
  if (value.length > max) fail(path, `must be at most ${max} characters`);
}

function checkSeverity(fail: Fail, path: string, severity: { Label?: string; Original?: string; Normalized?: number }): void {
  if (severity.Label === undefined && severity.Normalized === undefined) fail(path, 'needs Label (or Normalized)');
  if (severity.Label !== undefined && !LABELS.includes(severity.Label)) fail(`${path}.Label`, `must be one of ${LABELS.join(', ')}`);
  if (severity.Original !== undefined && severity.Original.length > LIMITS.severityOriginalChars) {
    fail(`${path}.Original`, `must be at most ${LIMITS.severityOriginalChars} characters`);
  }
  if (severity.Normalized !== undefined && !(severity.Normalized >= 0 && severity.Normalized <= 100)) fail(`${path}.Normalized`, 'must be 0-100');
}

function checkTypes(fail: Fail, path: string, types: string[] | undefined): void {
  if (types === undefined) return;
  if (types.length > LIMITS.types) fail(path, `must hold at most ${LIMITS.types} types`);
  if (new Set(types).size !== types.length) fail(path, 'must not repeat a type');
  types.forEach((type, i) => {
    const parts = type.split('/');
    if (parts.length < 1 || parts.length > 3 || parts.some((p) => p.trim().length === 0)) {
      fail(`${path}.${i}`, 'must be namespace/category/classifier');
    } else if (!FINDING_TYPE_NAMESPACES.includes(parts[0])) {
      fail(`${path}.${i}`, `unknown namespace '${parts[0]}'`);
    }
  });
}

function checkStrings(fail: Fail, path: string, node: unknown): void {
  if (typeof node === 'string') {
    if (Buffer.byteLength(node, 'utf8') > LIMITS.stringBytes) fail(path, 'strings must stay under 32 KB');
  } else if (Array.isArray(node)) {
    node.forEach((v, i) => checkStrings(fail, path ? `${path}.${i}` : String(i), v));
  } else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) checkStrings(fail, path ? `${path}.${k}` : k, v);
  }
}
