import { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { GatedFinding, GateResult, GateStatus } from './gate-result';
import { findSuppression } from '../policy/match-suppression';
import { SecurityPolicy, thresholdFor } from '../policy/security-policy';
import { meetsThreshold, SEVERITY_LABELS, SeverityLabel, severityOf, severityRank } from '../policy/severity';

export interface EvaluateGateOptions {
  readonly policy: SecurityPolicy;
  readonly stage: string;
  /** Default: now (decides which suppressions have expired). */
  readonly now?: Date;
}

const STATUS_ORDER: Record<GateStatus, number> = { 'blocking': 0, 'below-threshold': 1, 'suppressed': 2, 'archived': 3 };

/**
 * Judges a stage: it fails when an ACTIVE finding that no active suppression
 * covers meets the stage's threshold. A finding counts as suppressed when the
 * policy suppresses it, when its Workflow is SUPPRESSED, or when the tool
 * itself reported it as suppressed (ProductFields.Suppressed); ARCHIVED
 * findings (fixed, or closed by the tool) never count.
 */
export async function evaluateGate(
  findings: AsyncIterable<AwsSecurityFinding> | Iterable<AwsSecurityFinding>,
  options: EvaluateGateOptions,
): Promise<GateResult> {
  const threshold = thresholdFor(options.policy, options.stage);
  const now = options.now ?? new Date();
  const counts = Object.fromEntries(SEVERITY_LABELS.map((label) => [label, 0])) as Record<SeverityLabel, number>;
  const gated: GatedFinding[] = [];
  let archived = 0;
  let suppressed = 0;
  let expiredSuppressions = 0;
  for await (const finding of findings) {
    if (finding.RecordState === 'ARCHIVED') {
      archived++;
      continue;
    }
    const severity = severityOf(finding);
    const match = findSuppression(options.policy, finding, options.stage, now);
    const suppressedBecause = match?.active
      ? `policy: ${match.suppression.reason} (until ${match.suppression.expires})`
      : finding.Workflow?.Status === 'SUPPRESSED'
        ? 'Workflow SUPPRESSED in Security Hub'
        : finding.ProductFields?.Suppressed
          ? `tool: ${finding.ProductFields.Suppressed}`
          : undefined;
    let status: GateStatus;
    if (suppressedBecause) {
      status = 'suppressed';
      suppressed++;
    } else {
      counts[severity]++;
      status = meetsThreshold(severity, threshold) ? 'blocking' : 'below-threshold';
    }
    if (match && !match.active) expiredSuppressions++;
    gated.push({
      ...describe(finding, severity),
      status,
      suppressedBecause,
      expiredSuppression: match && !match.active ? { reason: match.suppression.reason, expires: match.suppression.expires } : undefined,
    });
  }
  gated.sort((
    a,
    b,
  ) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || severityRank(b.severity) - severityRank(a.severity) || a.title.localeCompare(b.title));
  const blocking = gated.filter((f) => f.status === 'blocking').length;
  return { stage: options.stage, threshold, passed: blocking === 0, counts, blocking, suppressed, archived, expiredSuppressions, findings: gated };
}

function describe(finding: AwsSecurityFinding, severity: SeverityLabel): Omit<GatedFinding, 'status'> {
  const resource = finding.Resources?.find((r) => r.Details?.Other?.file) ?? finding.Resources?.[0];
  const file = resource?.Details?.Other?.file;
  const line = Number(resource?.Details?.Other?.line);
  const rule = finding.ProductFields?.RuleId ?? finding.Vulnerabilities?.[0]?.Id ?? finding.GeneratorId ?? 'unknown-rule';
  return {
    id: finding.Id!,
    title: finding.Title ?? finding.Id!,
    severity,
    rule,
    location: file ? (Number.isInteger(line) && line > 0 ? `${file}:${line}` : file) : resource?.Id,
    file,
    line: Number.isInteger(line) && line > 0 ? line : undefined,
    remediationUrl: finding.Remediation?.Recommendation?.Url,
  };
}
