/**
 * Field validation of one imported finding, written from the Security Hub API
 * model and the contract note, independently of the package's own validator.
 * Returns the first problem found, as Security Hub reports one ErrorMessage.
 */

export const MAX_FINDING_BYTES = 240 * 1024;
const MAX_STRING_CHARS = 32 * 1024;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const TYPE_NAMESPACES = new Set([
  'Software and Configuration Checks',
  'TTPs',
  'Effects',
  'Unusual Behaviors',
  'Sensitive Data Identifications',
]);
const LABELS = new Set(['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);
const PARTITIONS = new Set(['aws', 'aws-cn', 'aws-us-gov']);

export interface CallerContext {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
}

type Json = Record<string, unknown>;

function isBlank(value: unknown): boolean {
  return typeof value !== 'string' || value.trim().length === 0;
}

function longString(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') {
    return value.length >= MAX_STRING_CHARS ? `${path} exceeds ${MAX_STRING_CHARS} characters` : undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = longString(value[i], `${path}[${i}]`);
      if (problem) return problem;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const problem = longString(v, `${path}.${k}`);
      if (problem) return problem;
    }
  }
  return undefined;
}

/** Problems that make Security Hub reject the finding with ErrorCode InvalidInput. */
export function validateImportedFinding(finding: Json, caller: CallerContext): string | undefined {
  const required = [
    'SchemaVersion', 'Id', 'ProductArn', 'GeneratorId', 'AwsAccountId', 'CreatedAt', 'UpdatedAt', 'Title', 'Description', 'Resources',
  ];
  for (const field of required) {
    if (finding[field] === undefined || finding[field] === null) return `Missing required field ${field}`;
  }
  if (finding.SchemaVersion !== '2018-10-08') return 'SchemaVersion must be 2018-10-08';
  const id = finding.Id as string;
  if (typeof id !== 'string' || id.length < 1 || id.length > 512) return 'Id must be 1-512 characters';
  const expectedProductArn = `arn:${caller.partition}:securityhub:${caller.region}:${caller.accountId}:product/${caller.accountId}/default`;
  if (finding.ProductArn !== expectedProductArn) return `ProductArn must be ${expectedProductArn}`;
  if (typeof finding.GeneratorId !== 'string' || finding.GeneratorId.length < 1 || finding.GeneratorId.length > 512) {
    return 'GeneratorId must be 1-512 characters';
  }
  for (const field of ['CreatedAt', 'UpdatedAt', 'FirstObservedAt', 'LastObservedAt']) {
    const value = finding[field];
    if (value !== undefined && (typeof value !== 'string' || !RFC3339.test(value) || Number.isNaN(Date.parse(value)))) {
      return `${field} must be an RFC 3339 timestamp`;
    }
  }
  if (isBlank(finding.Title) || (finding.Title as string).length > 256) return 'Title must be 1-256 characters and not blank';
  if (isBlank(finding.Description) || (finding.Description as string).length > 1024) {
    return 'Description must be 1-1024 characters and not blank';
  }
  const severity = finding.Severity as Json | undefined;
  if (!severity || (severity.Label === undefined && severity.Normalized === undefined)) return 'Severity.Label is required';
  if (severity.Label !== undefined && !LABELS.has(severity.Label as string)) return `Severity.Label ${String(severity.Label)} is not valid`;
  if (severity.Normalized !== undefined && (typeof severity.Normalized !== 'number' || severity.Normalized < 0 || severity.Normalized > 100)) {
    return 'Severity.Normalized must be 0-100';
  }
  if (typeof severity.Original === 'string' && severity.Original.length > 64) return 'Severity.Original exceeds 64 characters';
  const types = finding.Types;
  if (types !== undefined) {
    if (!Array.isArray(types) || types.length > 50) return 'Types must be a list of at most 50';
    if (new Set(types).size !== types.length) return 'Types contains duplicates';
    for (const type of types) {
      const parts = typeof type === 'string' ? type.split('/') : [];
      if (parts.length < 1 || parts.length > 3 || !TYPE_NAMESPACES.has(parts[0])) return `Type ${String(type)} is not in the ASFF taxonomy`;
    }
  }
  const resources = finding.Resources;
  if (!Array.isArray(resources) || resources.length < 1 || resources.length > 32) return 'Resources must hold 1-32 entries';
  for (const resource of resources as Json[]) {
    if (isBlank(resource.Type) || (resource.Type as string).length > 256) return 'Resource.Type must be 1-256 characters';
    if (isBlank(resource.Id)) return 'Resource.Id is required';
    if (resource.Partition !== undefined && !PARTITIONS.has(resource.Partition as string)) return 'Resource.Partition is not valid';
  }
  const productFields = finding.ProductFields as Json | undefined;
  if (productFields !== undefined) {
    const entries = Object.entries(productFields);
    if (entries.length > 50) return 'ProductFields holds more than 50 entries';
    for (const [key, value] of entries) {
      if (key.length < 1 || key.length > 128) return 'ProductFields key must be 1-128 characters';
      if (key.startsWith('aws/')) return `ProductFields key ${key} uses the reserved aws/ prefix`;
      if (typeof value !== 'string' || value.length > 2048) return `ProductFields value of ${key} must be a string of at most 2048 characters`;
    }
  }
  for (const related of [finding.RelatedFindings, (finding.FindingProviderFields as Json | undefined)?.RelatedFindings]) {
    if (related === undefined) continue;
    if (!Array.isArray(related) || related.length < 1 || related.length > 10) return 'RelatedFindings must hold 1-10 entries';
    for (const r of related as Json[]) {
      if (isBlank(r.ProductArn) || isBlank(r.Id) || (r.Id as string).length > 512) {
        return 'RelatedFindings[] needs a ProductArn and an Id of at most 512 characters';
      }
    }
  }
  const remediationText = ((finding.Remediation as Json | undefined)?.Recommendation as Json | undefined)?.Text;
  if (typeof remediationText === 'string' && remediationText.length > 512) return 'Remediation.Recommendation.Text exceeds 512 characters';
  const vulnerabilities = finding.Vulnerabilities;
  if (vulnerabilities !== undefined) {
    if (!Array.isArray(vulnerabilities)) return 'Vulnerabilities must be a list';
    for (const vulnerability of vulnerabilities as Json[]) {
      if (isBlank(vulnerability.Id)) return 'Vulnerabilities[].Id is required';
      if (vulnerability.FixAvailable !== undefined && !['YES', 'NO', 'PARTIAL'].includes(vulnerability.FixAvailable as string)) {
        return 'Vulnerabilities[].FixAvailable must be YES, NO or PARTIAL';
      }
    }
  }
  if (finding.RecordState !== undefined && !['ACTIVE', 'ARCHIVED'].includes(finding.RecordState as string)) {
    return 'RecordState must be ACTIVE or ARCHIVED';
  }
  return longString(finding, 'Finding');
}
