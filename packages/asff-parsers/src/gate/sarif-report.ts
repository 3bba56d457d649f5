import { GatedFinding, GateResult } from './gate-result';
import { SeverityLabel } from '../policy/severity';

const LEVEL: Record<SeverityLabel, 'error' | 'warning' | 'note'> = {
  CRITICAL: 'error',
  HIGH: 'error',
  MEDIUM: 'warning',
  LOW: 'note',
  INFORMATIONAL: 'note',
};

/** Security severity scores GitHub and other SARIF viewers rank by. */
const SECURITY_SEVERITY: Record<SeverityLabel, string> = { CRITICAL: '9.5', HIGH: '8.0', MEDIUM: '5.5', LOW: '2.0', INFORMATIONAL: '0.0' };

/**
 * SARIF 2.1.0 of the gated findings, for code-scanning views: one result per
 * ACTIVE finding, suppressed ones carrying a SARIF suppression with the reason,
 * and the Security Hub finding Id as a partial fingerprint.
 */
export function sarifReport(result: GateResult, toolVersion = '0.0.0'): string {
  const rules = new Map<string, SeverityLabel>();
  for (const f of result.findings) {
    const known = rules.get(f.rule);
    if (!known || LEVEL[f.severity] === 'error') rules.set(f.rule, f.severity);
  }
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'asff gate',
            version: toolVersion,
            rules: [...rules].map(([id, severity]) => ({ id, properties: { 'security-severity': SECURITY_SEVERITY[severity] } })),
          },
        },
        properties: {
          stage: result.stage,
          threshold: result.threshold,
          mode: result.mode,
          passed: result.passed,
          ...(result.ages
            ? { new: result.ages.new, existingWithinSla: result.ages.existing, overdue: result.ages.overdue, baseline: result.baselineSize }
            : {}),
          correlated: result.correlated,
        },
        results: result.findings.map((f) => sarifResult(f)),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

function sarifResult(f: GatedFinding): Record<string, unknown> {
  return {
    ruleId: f.rule,
    level: LEVEL[f.severity],
    message: { text: f.title },
    locations: [
      f.file
        ? { physicalLocation: { artifactLocation: { uri: f.file }, ...(f.line ? { region: { startLine: f.line } } : {}) } }
        : { logicalLocations: [{ fullyQualifiedName: f.location ?? f.id }] },
    ],
    partialFingerprints: { securityHubFindingId: f.id },
    properties: {
      severity: f.severity,
      gateStatus: f.status,
      ...(f.age ? { age: f.age } : {}),
      ...(f.firstObservedAt ? { firstObservedAt: f.firstObservedAt } : {}),
      ...(f.sla ? { sla: f.sla } : {}),
      ...(f.correlatedWith ? { correlatedWith: f.correlatedWith } : {}),
      ...(f.inSourceSuppression !== undefined ? { inSourceSuppressionNotHonoured: f.inSourceSuppression } : {}),
    },
    // The standing against the default branch, in SARIF's own terms (code-scanning views show it).
    ...(f.age ? { baselineState: f.age === 'new' ? 'new' : 'unchanged' } : {}),
    ...(f.status === 'suppressed' ? { suppressions: [{ kind: 'external', justification: f.suppressedBecause }] } : {}),
  };
}
