import type { AwsSecurityFinding, Resource, Vulnerability } from '@aws-sdk/client-securityhub';
import {
  CORRELATION_GROUP_PRODUCT_FIELD,
  CORRELATION_PRODUCT_FIELD,
  correlationGroup,
  correlationKey,
  FINGERPRINT_PRODUCT_FIELD,
} from './correlation';
import { enforceLimitsInPlace } from './enforce-limits';
import { findingId } from './finding-id';
import { redactSecrets } from './redact';
import type { Partition, ScanContext } from './scan-context';
import { relativeToSourceRoot, sourceRootRewriter } from './source-root';
import { SUPPRESSED_PRODUCT_FIELD, SUPPRESSION_KIND_PRODUCT_FIELD } from './tool-suppression';
import { withBaseScore } from '../parsers/cvss';
import type { DraftResource, FindingDraft, Parser, DraftVulnerability } from '../parsers/parser';

/** The ASFF schema version Security Hub expects. */
export const SCHEMA_VERSION = '2018-10-08';

/** Written to CompanyName. */
export const COMPANY_NAME = 'DevSecOps Factory';

/** The tool a finding comes from (the parts of a Parser the builder needs). */
export type FindingTool = Pick<Parser, 'id' | 'displayName'>;

/** Options for `buildFinding`. */
export interface BuildOptions {
  /** Overrides the Id (the converter uses it to disambiguate repeated Ids). */
  readonly id?: string;
}

/**
 * The ProductArn of findings an account imports for itself:
 * `arn:<partition>:securityhub:<region>:<account>:product/<account>/default`.
 */
export function productArn(scan: Pick<ScanContext, 'account' | 'region' | 'partition'>): string {
  const partition = scan.partition ?? 'aws';
  return `arn:${partition}:securityhub:${scan.region}:${scan.account}:product/${scan.account}/default`;
}

/**
 * Turns a parser's draft into an AwsSecurityFinding that Security Hub accepts:
 * stable Id, partition-correct ProductArn, severity label plus the tool's raw
 * value, Resources that name the scanned thing, secrets replaced by
 * fingerprints everywhere, and every limit honoured by visible truncation.
 */
export function buildFinding(input: FindingDraft, tool: FindingTool, scan: ScanContext, options: BuildOptions = {}): AwsSecurityFinding {
  // Redact before anything trims or cuts a text, so no partial secret survives.
  const secrets = input.secrets ?? [];
  const withoutSecrets = secrets.length > 0 ? redactSecrets(input, secrets) : input;
  // Paths relative to the checkout before the Id is derived from them.
  const rewrite = sourceRootRewriter(scan.sourceRoot);
  const draft = rewrite !== undefined ? relativeToSourceRoot(withoutSecrets, rewrite) : withoutSecrets;
  const now = (scan.now ?? new Date()).toISOString();
  const partition: Partition = scan.partition ?? 'aws';
  const severity = { Label: draft.severity.label, Original: draft.severity.original };
  const types = [...new Set(draft.types)];
  const title = nonBlank(draft.title, draft.ruleId);
  const baseId = findingId(tool.id, scan, draft.ruleId, draft.locationKey);
  const id = options.id ?? baseId;
  const finding: AwsSecurityFinding = {
    SchemaVersion: SCHEMA_VERSION,
    Id: id,
    ProductArn: productArn(scan),
    ProductName: tool.displayName,
    CompanyName: COMPANY_NAME,
    Region: scan.region,
    GeneratorId: `${tool.id}/${nonBlank(draft.ruleId, 'unknown-rule')}`,
    AwsAccountId: scan.account,
    Types: types,
    CreatedAt: now,
    UpdatedAt: now,
    Severity: severity,
    FindingProviderFields: { Severity: { ...severity }, Types: [...types] },
    Title: title,
    Description: nonBlank(draft.description, title),
    Resources: resources(draft.resources, scan, partition),
    ProductFields: productFields(draft, tool, scan, fingerprint(tool, scan, draft, baseId, id)),
    RecordState: draft.closed === true ? 'ARCHIVED' : 'ACTIVE',
  };
  if (draft.firstObservedAt !== undefined && isTimestamp(draft.firstObservedAt)) finding.FirstObservedAt = draft.firstObservedAt;
  if (draft.lastObservedAt !== undefined && isTimestamp(draft.lastObservedAt)) finding.LastObservedAt = draft.lastObservedAt;
  if (draft.sourceUrl !== undefined && draft.sourceUrl !== '') finding.SourceUrl = draft.sourceUrl;
  const remediationText = draft.remediation?.text?.trim();
  const remediationUrl = draft.remediation?.url?.trim();
  if (remediationText || remediationUrl) {
    const recommendation = {
      ...(remediationText ? { Text: remediationText } : {}),
      ...(remediationUrl ? { Url: remediationUrl } : {}),
    };
    finding.Remediation = { Recommendation: recommendation };
  }
  if (draft.vulnerabilities !== undefined && draft.vulnerabilities.length > 0) {
    finding.Vulnerabilities = draft.vulnerabilities.map(
      (v): Vulnerability => ({
        Id: v.id,
        ...(v.vulnerablePackages?.length ? { VulnerablePackages: [...v.vulnerablePackages] } : {}),
        ...(v.cvss?.length ? { Cvss: v.cvss.map(withBaseScore) } : {}),
        ...(v.relatedVulnerabilities?.length ? { RelatedVulnerabilities: [...new Set(v.relatedVulnerabilities)] } : {}),
        ...(v.vendor ? { Vendor: vendorOf(v.vendor) } : {}),
        ...(v.referenceUrls?.length ? { ReferenceUrls: [...new Set(v.referenceUrls)] } : {}),
        ...(v.fixAvailable ? { FixAvailable: v.fixAvailable } : {}),
        ...(v.epssScore !== undefined && Number.isFinite(v.epssScore) ? { EpssScore: v.epssScore } : {}),
      }),
    );
  }
  const correlation = correlationKey(finding);
  // Set before the limits pass, which keeps the first 50 ProductFields: the key must survive it.
  if (correlation !== undefined) {
    const group = correlationGroup(finding);
    finding.ProductFields = { [CORRELATION_PRODUCT_FIELD]: correlation, [CORRELATION_GROUP_PRODUCT_FIELD]: group, ...finding.ProductFields };
  }
  const redacted = secrets.length > 0 ? redactSecrets(finding, secrets) : finding;
  return enforceLimitsInPlace(redacted);
}

function nonBlank(text: string | undefined, fallback: string): string {
  const trimmed = text?.trim();
  return trimmed ? trimmed : fallback.trim() || 'untitled';
}

function isTimestamp(text: string): boolean {
  return !Number.isNaN(Date.parse(text)) && /\d{4}-\d{2}-\d{2}T/.test(text);
}

function resources(drafts: readonly DraftResource[], scan: ScanContext, partition: Partition): Resource[] {
  const list: DraftResource[] = drafts.length > 0 ? [...drafts] : [fallbackResource(scan)];
  return list.map((r) => ({
    Type: r.type,
    Id: r.id,
    Partition: partition,
    Region: scan.region,
    ...(r.details !== undefined ? { Details: r.details } : {}),
  }));
}

/** When a report names nothing, the finding is about what was scanned. */
function fallbackResource(scan: ScanContext): DraftResource {
  if (scan.image) return { type: 'Container', id: scan.image, details: { Container: { ImageName: scan.image } } };
  if (scan.repository) return { type: 'Other', id: scan.repository };
  return { type: 'Other', id: 'unknown-scan-target' };
}

/**
 * The Id without the branch (and with the same occurrence suffix): the same
 * issue on a feature branch and on the default branch has the same fingerprint.
 */
function fingerprint(tool: FindingTool, scan: ScanContext, draft: FindingDraft, baseId: string, id: string): string {
  const suffix = id.startsWith(baseId) ? id.slice(baseId.length) : '';
  const withoutBranch = scan.branch ? findingId(tool.id, { ...scan, branch: '' }, draft.ruleId, draft.locationKey) : baseId;
  return withoutBranch + suffix;
}

function productFields(draft: FindingDraft, tool: FindingTool, scan: ScanContext, fingerprintValue: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const put = (key: string, value: string | undefined): void => {
    if (value !== undefined && value !== '') fields[key] = value;
  };
  put('Tool', tool.id);
  put(FINGERPRINT_PRODUCT_FIELD, fingerprintValue);
  put('RuleId', draft.ruleId);
  put('Repository', scan.repository);
  put('Branch', scan.branch);
  put('Commit', scan.commit);
  put('BuildId', scan.buildId);
  put('Image', scan.image);
  if (draft.suppressed !== undefined) {
    put(SUPPRESSED_PRODUCT_FIELD, draft.suppressed.reason || 'suppressed by the tool');
    put(SUPPRESSION_KIND_PRODUCT_FIELD, draft.suppressed.kind);
  }
  for (const [key, value] of Object.entries(draft.productFields ?? {})) {
    // Whether and how the tool suppressed the finding is the draft's `suppressed`, never a field a report names.
    if (key === SUPPRESSED_PRODUCT_FIELD || key === SUPPRESSION_KIND_PRODUCT_FIELD) continue;
    // `aws/` is reserved for AWS; a tool-provided key there would be refused.
    put(key.toLowerCase().startsWith('aws/') ? `tool/${key}` : key, value);
  }
  return fields;
}

function vendorOf(vendor: NonNullable<DraftVulnerability['vendor']>): NonNullable<Vulnerability['Vendor']> {
  return {
    Name: vendor.name,
    ...(vendor.url ? { Url: vendor.url } : {}),
    ...(vendor.severity ? { VendorSeverity: vendor.severity } : {}),
  };
}
