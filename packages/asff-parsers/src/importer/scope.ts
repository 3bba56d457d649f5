import { AwsSecurityFinding, AwsSecurityFindingFilters } from '@aws-sdk/client-securityhub';

/**
 * ProductFields key that records which scope (repository + branch + stage/tool)
 * a finding belongs to, so that GetFindings can select the findings of one
 * scope without touching the findings of other pipelines.
 */
export const SCOPE_PRODUCT_FIELD = 'devsecops-factory/scope';

const MAX_PRODUCT_FIELDS = 50;
const MAX_PRODUCT_FIELD_VALUE = 2048;

/** The parts of a scope. Every part is required so that two pipelines never share a scope by accident. */
export interface ScopeParts {
  readonly repository: string;
  readonly branch: string;
  /** Pipeline stage, e.g. `build`, `staging`. */
  readonly stage: string;
  /** Tool id, e.g. `grype`. */
  readonly tool: string;
}

/** `repository@branch#stage/tool`. */
export function formatScope(parts: ScopeParts): string {
  for (const [name, value] of Object.entries(parts)) {
    if (!value || !value.trim()) throw new Error(`Scope part ${name} must not be empty`);
  }
  return checkScope(`${parts.repository}@${parts.branch}#${parts.stage}/${parts.tool}`);
}

export function checkScope(scope: string): string {
  if (!scope.trim()) throw new Error('Scope must not be empty');
  if (scope.length > MAX_PRODUCT_FIELD_VALUE) throw new Error(`Scope must be at most ${MAX_PRODUCT_FIELD_VALUE} characters`);
  return scope;
}

/**
 * Records the scope in ProductFields. A finding that already holds the 50
 * fields Security Hub allows gives up its last field for the scope, because
 * without the scope the finding could never be archived.
 */
export function withScope(finding: AwsSecurityFinding, scope: string): AwsSecurityFinding {
  const fields = { ...(finding.ProductFields ?? {}) };
  delete fields[SCOPE_PRODUCT_FIELD];
  const keys = Object.keys(fields);
  if (keys.length >= MAX_PRODUCT_FIELDS) {
    for (const key of keys.slice(MAX_PRODUCT_FIELDS - 1)) delete fields[key];
  }
  fields[SCOPE_PRODUCT_FIELD] = scope;
  return { ...finding, ProductFields: fields };
}

export function scopeOf(finding: AwsSecurityFinding): string | undefined {
  return finding.ProductFields?.[SCOPE_PRODUCT_FIELD];
}

/** GetFindings filters selecting the ACTIVE findings of one scope. */
export function scopeFilters(scope: string): AwsSecurityFindingFilters {
  return {
    ProductFields: [{ Key: SCOPE_PRODUCT_FIELD, Value: scope, Comparison: 'EQUALS' }],
    RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
  };
}
