import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { imageRepository } from './finding-id';
import { sha256Hex } from './sha256';

/**
 * ProductFields key holding the correlation key: findings of different tools
 * about the same vulnerability in the same package (version) of the same
 * repository, branch and image share it, so that Security Hub queries and the
 * gate can treat them as one vulnerability.
 */
export const CORRELATION_PRODUCT_FIELD = 'devsecops-factory/correlation';

/**
 * ProductFields key holding a branch-independent fingerprint of the finding:
 * the Id's hash without the branch. The Id must differ per branch (each branch
 * has its own lifecycle), but `new` gating compares a branch with the default
 * branch and needs to know that two findings are the same issue.
 */
export const FINGERPRINT_PRODUCT_FIELD = 'devsecops-factory/fingerprint';

/**
 * ProductFields key of vulnerability findings with a correlation key: a hash
 * of repository, branch and image repository, the same for every tool's
 * findings about one image, so that one GetFindings query finds the other
 * tools' findings that may share a correlation key.
 */
export const CORRELATION_GROUP_PRODUCT_FIELD = 'devsecops-factory/correlation-group';

/** Security Hub accepts at most this many RelatedFindings per finding (API reference). */
export const MAX_RELATED_FINDINGS = 10;

const CVE = /^CVE-\d{4}-\d+$/i;

/**
 * The vulnerability a finding is about, as the tools that agree least would
 * name it: the CVE when the finding has one (Grype and Snyk report a GHSA with
 * the CVE as a related vulnerability, Trivy and ECR report the CVE itself).
 */
export function canonicalVulnerabilityId(finding: AwsSecurityFinding): string | undefined {
  const vulnerability = finding.Vulnerabilities?.[0];
  if (!vulnerability?.Id) return undefined;
  if (CVE.test(vulnerability.Id)) return vulnerability.Id.toUpperCase();
  const cve = (vulnerability.RelatedVulnerabilities ?? []).find((id) => CVE.test(id));
  return (cve ?? vulnerability.Id).toUpperCase();
}

/**
 * The correlation key of a vulnerability finding with a package: a hash of the
 * canonical vulnerability id, the package name (case-insensitive) and version,
 * and the repository, branch and image repository it was found in. Undefined
 * for findings that name no vulnerability or no package (code, secrets,
 * configuration): those are never merged across tools.
 */
export function correlationKey(finding: AwsSecurityFinding): string | undefined {
  const vulnerability = canonicalVulnerabilityId(finding);
  const pkg = finding.Vulnerabilities?.[0]?.VulnerablePackages?.[0];
  if (vulnerability === undefined || !pkg?.Name) return undefined;
  return sha256Hex(JSON.stringify([vulnerability, pkg.Name.toLowerCase(), pkg.Version ?? '', ...whereFound(finding)])).slice(0, 40);
}

/** The correlation group of a finding (see {@link CORRELATION_GROUP_PRODUCT_FIELD}). */
export function correlationGroup(finding: AwsSecurityFinding): string {
  return sha256Hex(JSON.stringify(whereFound(finding))).slice(0, 40);
}

function whereFound(finding: AwsSecurityFinding): string[] {
  const fields = finding.ProductFields ?? {};
  return [fields.Repository ?? '', fields.Branch ?? '', imageRepository(fields.Image)];
}

/** The finding's recorded correlation key, or the one computed from its fields (findings written before the key existed). */
export function correlationKeyOf(finding: AwsSecurityFinding): string | undefined {
  return finding.ProductFields?.[CORRELATION_PRODUCT_FIELD] ?? correlationKey(finding);
}

/** The finding's recorded fingerprint; without one (findings written before it existed) its Id. */
export function fingerprintOf(finding: AwsSecurityFinding): string {
  return finding.ProductFields?.[FINGERPRINT_PRODUCT_FIELD] ?? finding.Id ?? '';
}
