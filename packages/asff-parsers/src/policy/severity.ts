import { AwsSecurityFinding } from '@aws-sdk/client-securityhub';

import type { SeverityLabel } from '../parsers/parser';

export type { SeverityLabel };

/** Security Hub severity labels, least severe first. */
export const SEVERITY_LABELS: readonly SeverityLabel[] = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

/** A stage threshold: the least severe label that fails the stage, or NONE to never fail. */
export type Threshold = SeverityLabel | 'NONE';

export function severityRank(label: SeverityLabel): number {
  return SEVERITY_LABELS.indexOf(label);
}

/** The finding's label; from the deprecated Normalized score when there is no label (0 INFO, 1-39 LOW, 40-69 MEDIUM, 70-89 HIGH, 90-100 CRITICAL). */
export function severityOf(finding: AwsSecurityFinding): SeverityLabel {
  const label = finding.Severity?.Label ?? finding.FindingProviderFields?.Severity?.Label;
  if (label && (SEVERITY_LABELS as readonly string[]).includes(label)) return label as SeverityLabel;
  const normalized = finding.Severity?.Normalized;
  if (typeof normalized === 'number') {
    if (normalized >= 90) return 'CRITICAL';
    if (normalized >= 70) return 'HIGH';
    if (normalized >= 40) return 'MEDIUM';
    if (normalized >= 1) return 'LOW';
  }
  return 'INFORMATIONAL';
}

export function meetsThreshold(label: SeverityLabel, threshold: Threshold): boolean {
  return threshold !== 'NONE' && severityRank(label) >= severityRank(threshold);
}
