import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Removes one acknowledgement (by rule id) from every construct under scope,
 * so a test can prove that the acknowledgement is what silences the finding.
 * Returns how many were removed.
 */
export function removeAcknowledgement(scope: IConstruct, ruleId: string): number {
  let removed = 0;
  for (const construct of scope.node.findAll()) {
    const entries: Array<{ type: string; data: Record<string, string> }> | undefined = (construct.node as any)._metadata;
    if (!entries) {
      continue;
    }
    for (let index = entries.length - 1; index >= 0; index--) {
      const entry = entries[index];
      const key = entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY
        ? Object.keys(entry.data).find((candidate) => plainRuleId(candidate) === ruleId) : undefined;
      if (key !== undefined) {
        const { [key]: _removed, ...rest } = entry.data;
        removed++;
        if (Object.keys(rest).length === 0) {
          entries.splice(index, 1);
        } else {
          entries[index] = { ...entry, data: rest };
        }
      }
    }
  }
  return removed;
}

/** Every acknowledged rule id under scope. */
export function acknowledgedRuleIds(scope: IConstruct): string[] {
  return scope.node.findAll().flatMap((construct) => construct.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.keys(entry.data as Record<string, string>).map(plainRuleId)));
}

/** aws-cdk-lib records acknowledgements as `Annotation::<rule id>`; cdk-nag reports the plain id. */
function plainRuleId(recorded: string): string {
  return recorded.replace(/^annotation::/i, '');
}
