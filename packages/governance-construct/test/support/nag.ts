import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** One rule violation reported by a cdk-nag pack, flattened per resource. */
export interface Violation {
  readonly rule: string;
  readonly path: string;
}

/** Run AwsSolutions and NIST 800-53 rev5 over the tree under `scope`. */
export function nagViolations(scope: IConstruct): Violation[] {
  const violations: Violation[] = [];
  for (const pack of [new AwsSolutionsChecks(), new NIST80053R5Checks()]) {
    for (const violation of pack.validateScope(scope).violations) {
      for (const resource of violation.violatingResources) {
        violations.push({ rule: violation.ruleName, path: resource.constructPath ?? resource.resourceLogicalId ?? '?' });
      }
    }
  }
  return violations;
}

/** An acknowledgement recorded with `Validations.of(construct).acknowledge()`. */
export interface Acknowledgement {
  readonly construct: IConstruct;
  readonly rule: string;
  readonly reason: string;
}

interface MetadataEntry {
  type: string;
  data: Record<string, string>;
}

function metadataOf(construct: IConstruct): MetadataEntry[] {
  // constructs keeps metadata in a private array; tests reach into it to take
  // one acknowledgement away and put it back.
  return ((construct.node as unknown as { _metadata?: MetadataEntry[] })._metadata ?? []);
}

function ruleOf(key: string): string {
  return key.replace(/^annotation::/i, '');
}

/** Rules of the two cdk-nag packs; aws-cdk-lib's own warnings are proven by synthesis (test/consumer-stack.test.ts). */
const NAG_RULE = /^(AwsSolutions|NIST\.800\.53\.R5)-/;

/** Every cdk-nag acknowledgement in the tree under `scope`. */
export function acknowledgementsIn(scope: IConstruct): Acknowledgement[] {
  return scope.node.findAll().flatMap((construct) =>
    metadataOf(construct)
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data).map(([key, reason]) => ({ construct, rule: ruleOf(key), reason }))),
  ).filter((acknowledgement) => NAG_RULE.test(acknowledgement.rule));
}

/**
 * Run the packs with one acknowledgement removed and return what they report
 * for the acknowledged rule under the acknowledging construct.
 */
export function violationsWithout(scope: IConstruct, acknowledgement: Acknowledgement): Violation[] {
  const entries = metadataOf(acknowledgement.construct);
  const index = entries.findIndex((entry) =>
    entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && Object.keys(entry.data).some((key) => ruleOf(key) === acknowledgement.rule));
  if (index < 0) {
    throw new Error(`no acknowledgement of ${acknowledgement.rule} on ${acknowledgement.construct.node.path}`);
  }
  const [removed] = entries.splice(index, 1);
  try {
    const prefix = acknowledgement.construct.node.path;
    return nagViolations(scope).filter((violation) =>
      violation.rule === acknowledgement.rule && (violation.path === prefix || violation.path.startsWith(`${prefix}/`)));
  } finally {
    entries.splice(index, 0, removed);
  }
}
