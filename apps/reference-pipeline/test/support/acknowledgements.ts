import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

export interface RecordedAcknowledgement {
  /** As cdk-nag reports it, e.g. `AwsSolutions-S1`. */
  readonly ruleId: string;
  /** As aws-cdk-lib records it, e.g. `Annotation::AwsSolutions-S1`. */
  readonly qualifiedId: string;
  readonly path: string;
}

/** Acknowledgements of other validators (aws-cdk-lib adds some of its own) are not ours to prove. */
const NAG_RULE = /^(AwsSolutions|NIST\.800\.53\.R5)-/;

/** Every acknowledgement recorded in the tree, one entry per rule per construct. */
export function acknowledgementsIn(root: IConstruct): RecordedAcknowledgement[] {
  const found: RecordedAcknowledgement[] = [];
  for (const node of root.node.findAll()) {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const qualifiedId of Object.keys(entry.data ?? {})) {
        const ruleId = qualifiedId.replace(/^[A-Za-z-]+::/, '');
        if (NAG_RULE.test(ruleId)) found.push({ ruleId, qualifiedId, path: node.node.path });
      }
    }
  }
  return found;
}

/**
 * Removes one acknowledgement from one construct, so a test can prove the
 * violation it hides is real. constructs keeps metadata in a private array;
 * this reaches into it on purpose, for tests only.
 */
export function withoutAcknowledgement(root: IConstruct, ack: RecordedAcknowledgement): void {
  const node = root.node.findAll().find((c) => c.node.path === ack.path);
  if (!node) throw new Error(`no construct at ${ack.path}`);
  const entries = (node.node as unknown as { _metadata: Array<{ type: string; data: Record<string, string> }> })._metadata;
  for (const entry of entries) {
    if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && ack.qualifiedId in entry.data) {
      const { [ack.qualifiedId]: _removed, ...rest } = entry.data;
      entry.data = rest;
    }
  }
}

/** Removes every nag acknowledgement in the tree and returns what was removed. */
export function withoutAnyAcknowledgement(root: IConstruct): RecordedAcknowledgement[] {
  const all = acknowledgementsIn(root);
  for (const ack of all) withoutAcknowledgement(root, ack);
  return all;
}
