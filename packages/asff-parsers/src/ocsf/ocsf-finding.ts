import type { AwsSecurityFinding, Cvss, SoftwarePackage, Vulnerability } from '@aws-sdk/client-securityhub';

/**
 * ASFF findings as OCSF 1.1.0 events, the schema version Amazon Security Lake takes from custom sources.
 * Two classes of the Findings category (2):
 * - Vulnerability Finding (2002) when the finding names at least one CVE or CWE (the class requires
 *   `vulnerabilities`, and a vulnerability object must carry a `cve` or a `cwe`);
 * - Detection Finding (2004) for everything else (SAST rules, secrets, misconfigurations, DAST alerts, and
 *   advisories known only by a GHSA or vendor id).
 * The mapping is documented field by field in docs/ocsf.md. Timestamps are milliseconds since the epoch
 * (OCSF `timestamp_t`); ASFF ProductFields go to `unmapped`, where OCSF keeps what it has no attribute for.
 */
export const OCSF_VERSION = '1.1.0';

export const OCSF_CLASSES = {
  vulnerability: { uid: 2002, name: 'Vulnerability Finding' },
  detection: { uid: 2004, name: 'Detection Finding' },
} as const;

const FINDINGS_CATEGORY = { uid: 2, name: 'Findings' } as const;

/** OCSF severity_id by ASFF Severity.Label. */
const SEVERITY_IDS: Record<string, [number, string]> = {
  INFORMATIONAL: [1, 'Informational'],
  LOW: [2, 'Low'],
  MEDIUM: [3, 'Medium'],
  HIGH: [4, 'High'],
  CRITICAL: [5, 'Critical'],
};

/** OCSF finding status_id by ASFF Workflow.Status (1.1.0: New, In Progress, Suppressed, Resolved). */
const STATUS_IDS: Record<string, [number, string]> = {
  NEW: [1, 'New'],
  NOTIFIED: [2, 'In Progress'],
  SUPPRESSED: [3, 'Suppressed'],
  RESOLVED: [4, 'Resolved'],
};

const ACTIVITIES: Record<number, string> = { 1: 'Create', 2: 'Update', 3: 'Close' };

/** One OCSF event: a plain JSON object (the schema is open; validateOcsf checks what it requires). */
export type OcsfEvent = Record<string, unknown>;

const CVE = /^CVE-\d{4}-\d{4,}$/i;
const CWE = /^CWE-(\d+)$/i;

/** The OCSF event for one ASFF finding. */
export function toOcsf(finding: AwsSecurityFinding): OcsfEvent {
  const vulnerabilities = (finding.Vulnerabilities ?? []).map(vulnerabilityOf).filter((v): v is OcsfEvent => v !== undefined);
  const cwes = cwesOf(finding);
  // A finding that names a CWE but no CVE (a SAST rule mapped to CWE-89) is a vulnerability too.
  if (vulnerabilities.length === 0 && cwes.length > 0) vulnerabilities.push({ cwe: { uid: cwes[0] }, title: finding.Title });
  const klass = vulnerabilities.length > 0 ? OCSF_CLASSES.vulnerability : OCSF_CLASSES.detection;
  const activityId = activityOf(finding);
  const [severityId, severity] = SEVERITY_IDS[finding.Severity?.Label ?? ''] ?? [0, 'Unknown'];
  const [statusId, status] = STATUS_IDS[finding.Workflow?.Status ?? 'NEW'] ?? [99, finding.Workflow?.Status ?? 'Other'];
  const event: OcsfEvent = {
    metadata: {
      version: OCSF_VERSION,
      product: {
        name: finding.ProductName ?? finding.GeneratorId?.split('/')[0] ?? 'unknown',
        vendor_name: finding.CompanyName ?? 'unknown',
        uid: finding.ProductArn,
      },
      profiles: ['cloud'],
      uid: finding.Id,
      ...(finding.UpdatedAt ? { modified_time: millis(finding.UpdatedAt) } : {}),
    },
    time: millis(finding.UpdatedAt ?? finding.CreatedAt),
    category_uid: FINDINGS_CATEGORY.uid,
    category_name: FINDINGS_CATEGORY.name,
    class_uid: klass.uid,
    class_name: klass.name,
    activity_id: activityId,
    activity_name: ACTIVITIES[activityId],
    type_uid: klass.uid * 100 + activityId,
    type_name: `${klass.name}: ${ACTIVITIES[activityId]}`,
    severity_id: severityId,
    severity,
    status_id: statusId,
    status,
    message: finding.Title,
    cloud: {
      provider: 'AWS',
      ...(finding.Region ? { region: finding.Region } : {}),
      ...(finding.AwsAccountId ? { account: { uid: finding.AwsAccountId, type_id: 10, type: 'AWS Account' } } : {}),
    },
    finding_info: findingInfo(finding),
    resources: (finding.Resources ?? []).map((r) => ({
      uid: r.Id,
      type: r.Type,
      ...(r.Partition ? { cloud_partition: r.Partition } : {}),
      ...(r.Region ? { region: r.Region } : {}),
    })),
    ...(vulnerabilities.length > 0 ? { vulnerabilities } : {}),
    ...(klass === OCSF_CLASSES.detection ? remediationOf(finding) : {}),
    ...(finding.ProductFields && Object.keys(finding.ProductFields).length > 0 ? { unmapped: { product_fields: { ...finding.ProductFields } } } : {}),
  };
  return event;
}

/** Detection Findings carry the fix as `remediation` (its `desc` is required); vulnerabilities carry theirs per package. */
function remediationOf(finding: AwsSecurityFinding): OcsfEvent {
  const recommendation = finding.Remediation?.Recommendation;
  if (!recommendation?.Text) return {};
  return { remediation: { desc: recommendation.Text, ...(recommendation.Url ? { references: [recommendation.Url] } : {}) } };
}

function findingInfo(finding: AwsSecurityFinding): OcsfEvent {
  const ruleId = finding.GeneratorId?.includes('/') ? finding.GeneratorId.slice(finding.GeneratorId.indexOf('/') + 1) : finding.GeneratorId;
  return {
    uid: finding.Id,
    title: finding.Title,
    ...(finding.Description ? { desc: finding.Description } : {}),
    ...(finding.Types?.length ? { types: [...finding.Types] } : {}),
    ...(finding.CreatedAt ? { created_time: millis(finding.CreatedAt) } : {}),
    ...(finding.UpdatedAt ? { modified_time: millis(finding.UpdatedAt) } : {}),
    ...(finding.FirstObservedAt ? { first_seen_time: millis(finding.FirstObservedAt) } : {}),
    ...(finding.LastObservedAt ? { last_seen_time: millis(finding.LastObservedAt) } : {}),
    ...(finding.SourceUrl ? { src_url: finding.SourceUrl } : {}),
    ...(finding.ProductArn ? { product_uid: finding.ProductArn } : {}),
    ...(finding.GeneratorId ? { analytic: { uid: finding.GeneratorId, name: ruleId, type_id: 1, type: 'Rule' } } : {}),
    ...(finding.RelatedFindings?.length
      ? { related_events: finding.RelatedFindings.map((r) => ({ uid: r.Id, product_uid: r.ProductArn })) }
      : {}),
  };
}

/** ARCHIVED findings were closed by the lifecycle; one updated since its creation is an update. */
function activityOf(finding: AwsSecurityFinding): number {
  if (finding.RecordState === 'ARCHIVED') return 3;
  const first = finding.FirstObservedAt ?? finding.CreatedAt;
  return first !== undefined && finding.UpdatedAt !== undefined && Date.parse(finding.UpdatedAt) > Date.parse(first) ? 2 : 1;
}

/** An ASFF vulnerability as an OCSF one, or undefined when it names neither a CVE nor a CWE. */
function vulnerabilityOf(v: Vulnerability): OcsfEvent | undefined {
  const cveId = [v.Id, ...(v.RelatedVulnerabilities ?? [])].find((id) => id !== undefined && CVE.test(id));
  if (cveId === undefined) return undefined;
  const packages = (v.VulnerablePackages ?? []).map(packageOf).filter((p): p is OcsfEvent => p !== undefined);
  return {
    cve: { uid: cveId.toUpperCase(), ...(v.Cvss?.length ? { cvss: v.Cvss.map(cvssOf).filter((c): c is OcsfEvent => c !== undefined) } : {}) },
    ...(packages.length ? { affected_packages: packages } : {}),
    ...(v.ReferenceUrls?.length ? { references: [...v.ReferenceUrls] } : {}),
    ...(v.RelatedVulnerabilities?.length ? { related_vulnerabilities: v.RelatedVulnerabilities.filter((id) => id !== cveId) } : {}),
    ...(v.Vendor?.Name ? { vendor_name: v.Vendor.Name } : {}),
    ...(v.FixAvailable ? { is_fix_available: v.FixAvailable === 'YES' } : {}),
    ...(v.Id && v.Id !== cveId ? { title: v.Id } : {}),
  };
}

/** OCSF packages require a name and a version: one the scanner gave without a version is left out. */
function packageOf(p: SoftwarePackage): OcsfEvent | undefined {
  if (!p.Name || !p.Version) return undefined;
  return {
    name: p.Name,
    version: p.Version,
    ...(p.Epoch ? { epoch: Number(p.Epoch) } : {}),
    ...(p.Release ? { release: p.Release } : {}),
    ...(p.Architecture ? { architecture: p.Architecture } : {}),
    ...(p.PackageManager ? { package_manager: p.PackageManager } : {}),
    ...(p.FilePath ? { path: p.FilePath } : {}),
    ...(p.FixedInVersion ? { fixed_in_version: p.FixedInVersion } : {}),
    ...(p.Remediation ? { remediation: { desc: p.Remediation } } : {}),
  };
}

function cvssOf(c: Cvss): OcsfEvent | undefined {
  if (c.BaseScore === undefined || !c.Version) return undefined;
  return { version: c.Version, base_score: c.BaseScore, ...(c.BaseVector ? { vector_string: c.BaseVector } : {}) };
}

/** CWE ids a finding names in its Types or ProductFields (`cwe` fields), as numbers without the prefix. */
function cwesOf(finding: AwsSecurityFinding): string[] {
  const found = new Set<string>();
  const texts = [...(finding.Types ?? []), ...Object.entries(finding.ProductFields ?? {}).filter(([k]) => /cwe/i.test(k)).map(([, v]) => v)];
  for (const text of texts) {
    for (const part of text.split(/[\s,;/|]+/)) {
      const m = CWE.exec(part);
      if (m) found.add(`CWE-${m[1]}`);
    }
  }
  return [...found];
}

function millis(timestamp: string | undefined): number {
  const value = timestamp === undefined ? NaN : Date.parse(timestamp);
  return Number.isNaN(value) ? 0 : value;
}
