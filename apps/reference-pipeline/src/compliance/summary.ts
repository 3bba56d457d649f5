import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { compliancePacks } from './packs';

/** aws-cdk-lib records acknowledgements of its own validators too; the summary is about the nag packs. */
const NAG_RULE = /^(AwsSolutions|NIST\.800\.53\.R5|Serverless|HIPAA\.Security|PCI\.DSS\.321)-/;

export interface Acknowledgement {
  readonly ruleId: string;
  readonly reason: string;
  readonly constructPath: string;
}

export interface PackResult {
  readonly pack: string;
  readonly violations: number;
  readonly rules: string[];
}

export interface ComplianceSummary {
  readonly stacks: string[];
  readonly packs: PackResult[];
  readonly acknowledgements: Acknowledgement[];
}

/**
 * Evaluates every pack against the tree and collects the acknowledgements
 * recorded on it, so the README's main command can show what was checked and
 * what was accepted, with the reasons.
 */
export function summarizeCompliance(root: IConstruct): ComplianceSummary {
  const packs = compliancePacks().map((pack) => {
    const report = pack.validateScope(root);
    return {
      pack: pack.readPackName,
      violations: report.violations.reduce((sum, v) => sum + v.violatingResources.length, 0),
      rules: report.violations.map((v) => v.ruleName),
    };
  });
  const acknowledgements: Acknowledgement[] = [];
  const stacks: string[] = [];
  for (const node of root.node.findAll()) {
    if (Stack.isStack(node)) stacks.push(node.stackName);
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const rule of asRules(entry.data).filter((r) => NAG_RULE.test(r.id))) {
        acknowledgements.push({ ruleId: rule.id, reason: rule.reason, constructPath: node.node.path });
      }
    }
  }
  return { stacks, packs, acknowledgements };
}

/** aws-cdk-lib records each acknowledgement as `{ [qualifiedRuleId]: reason }`. */
function asRules(data: unknown): Array<{ id: string; reason: string }> {
  if (typeof data !== 'object' || data === null) return [];
  return Object.entries(data as Record<string, unknown>).map(([id, reason]) => ({
    id: id.replace(/^[a-z-]+::/i, ''),
    reason: String(reason),
  }));
}

/** Human-readable lines for the synth output. */
export function formatSummary(summary: ComplianceSummary): string {
  const lines = [`Stacks: ${summary.stacks.join(', ')}`, 'Compliance (cdk-nag, checked at synth):'];
  for (const pack of summary.packs) {
    const state = pack.violations === 0 ? 'PASS' : `FAIL (${pack.violations} unacknowledged: ${pack.rules.join(', ')})`;
    lines.push(`  ${pack.pack.padEnd(16)} ${state}`);
  }
  // Granular ids (AwsSolutions-IAM5[Action::s3:List*]) are grouped under their rule for reading.
  const byRule = new Map<string, number>();
  for (const ack of summary.acknowledgements) {
    const rule = ack.ruleId.replace(/\[.*\]$/, '');
    byRule.set(rule, (byRule.get(rule) ?? 0) + 1);
  }
  lines.push(`Acknowledged with a specific reason: ${summary.acknowledgements.length}`);
  for (const [rule, count] of [...byRule].sort((a, b) => b[1] - a[1])) lines.push(`  ${rule.padEnd(48)} ${count}`);
  return lines.join('\n');
}
