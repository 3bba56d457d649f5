import { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { compileGlob, GlobMatcher } from './glob';
import { isExpired, SecurityPolicy, Suppression } from './security-policy';

/** How a policy treats one finding. */
export interface SuppressionMatch {
  readonly suppression: Suppression;
  /** False when the matching suppression has expired: the finding counts again. */
  readonly active: boolean;
}

const PATH_DETAIL_KEYS = ['file', 'path', 'filePath', 'locations', 'uri'];

/** The rule and vulnerability ids a finding answers to. */
export function ruleIdsOf(finding: AwsSecurityFinding): string[] {
  const ids = new Set<string>();
  const add = (value: string | undefined) => value && ids.add(value.toUpperCase());
  add(finding.ProductFields?.RuleId);
  add(finding.GeneratorId);
  // The builder writes GeneratorId as `<tool>/<rule>`; a rule id may itself contain slashes.
  if (finding.GeneratorId?.includes('/')) add(finding.GeneratorId.slice(finding.GeneratorId.indexOf('/') + 1));
  for (const vulnerability of finding.Vulnerabilities ?? []) {
    add(vulnerability.Id);
    for (const related of vulnerability.RelatedVulnerabilities ?? []) add(related);
  }
  return [...ids];
}

/** The file paths a finding points at, without `:line` suffixes. */
export function pathsOf(finding: AwsSecurityFinding): string[] {
  const paths = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value !== 'string' || !value) return;
    for (const part of value.split(/,\s*/)) {
      paths.add(part);
      paths.add(part.replace(/(:\d+){1,2}$/, ''));
    }
  };
  for (const resource of finding.Resources ?? []) {
    add(resource.Id);
    const other = resource.Details?.Other ?? {};
    for (const key of PATH_DETAIL_KEYS) add(other[key]);
  }
  for (const vulnerability of finding.Vulnerabilities ?? []) {
    for (const pkg of vulnerability.VulnerablePackages ?? []) add(pkg.FilePath);
  }
  return [...paths];
}

/**
 * Longer paths are never matched by a glob: no file system accepts a path this
 * long (PATH_MAX is 4096), so such a path is a crafted report, and leaving
 * its finding unsuppressed fails closed.
 */
export const MAX_MATCHED_PATH_CHARS = 4096;

const globCache = new Map<string, GlobMatcher>();
function glob(pattern: string): GlobMatcher {
  let matcher = globCache.get(pattern);
  if (!matcher) {
    matcher = compileGlob(pattern);
    globCache.set(pattern, matcher);
  }
  return matcher;
}

function matches(suppression: Suppression, finding: AwsSecurityFinding, stage: string | undefined): boolean {
  if (suppression.stages && stage !== undefined && !suppression.stages.includes(stage)) return false;
  if (suppression.id !== undefined) return finding.Id === suppression.id;
  if (!ruleIdsOf(finding).includes(suppression.rule!.toUpperCase())) return false;
  if (suppression.path === undefined) return true;
  const pattern = glob(suppression.path);
  return pathsOf(finding).some((path) => path.length <= MAX_MATCHED_PATH_CHARS && pattern.test(path));
}

/**
 * The suppression that applies to a finding: an active one wins over an
 * expired one, so renewing a suppression with a new entry works without
 * deleting the old one.
 */
export function findSuppression(
  policy: SecurityPolicy,
  finding: AwsSecurityFinding,
  stage: string | undefined,
  now: Date,
): SuppressionMatch | undefined {
  let expired: Suppression | undefined;
  for (const suppression of policy.suppressions) {
    if (!matches(suppression, finding, stage)) continue;
    if (!isExpired(suppression, now)) return { suppression, active: true };
    expired ??= suppression;
  }
  return expired ? { suppression: expired, active: false } : undefined;
}
