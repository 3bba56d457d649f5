import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** One finding of the AwsSolutions or NIST 800-53 rev5 pack: the rule (with its finding id) and the resource's path. */
export interface Violation {
  readonly rule: string;
  readonly path: string;
}

/** Every finding of the two packs the factory runs, on the tree under `scope`. */
export function nagViolations(scope: IConstruct): Violation[] {
  return [new AwsSolutionsChecks(), new NIST80053R5Checks()].flatMap((pack) => pack.validateScope(scope).violations.flatMap(
    (violation) => violation.violatingResources.map((resource) => ({
      rule: violation.ruleName,
      path: resource.constructPath ?? resource.resourceLogicalId ?? '?',
    }))));
}

/** One `Validations.of(construct).acknowledge()` of a cdk-nag rule, as recorded in the tree. */
export interface Acknowledgement {
  /** The acknowledging construct's path. */
  readonly path: string;
  /** As cdk-nag reports it, e.g. `AwsSolutions-IAM5[Resource::*]`. */
  readonly id: string;
  readonly reason: string;
}

interface MetadataEntry {
  type: string;
  data: Record<string, string>;
}

/** constructs keeps metadata in a private array; the tests reach into it to take acknowledgements away. */
function metadataOf(construct: IConstruct): MetadataEntry[] {
  return (construct.node as unknown as { _metadata?: MetadataEntry[] })._metadata ?? [];
}

/** aws-cdk-lib records an acknowledgement as `Annotation::<rule id>`; cdk-nag reports the plain id. */
function plainId(recorded: string): string {
  return recorded.replace(/^annotation::/i, '');
}

/** Rules of the two packs; aws-cdk-lib's own acknowledgements of its warnings are not ours to prove. */
const NAG_RULE = /^(AwsSolutions|NIST\.800\.53\.R5)-/;

/** Every cdk-nag acknowledgement under `scope`, one per rule per acknowledge() call. */
export function acknowledgementsIn(scope: IConstruct): Acknowledgement[] {
  return scope.node.findAll().flatMap((construct) => metadataOf(construct)
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.entries(entry.data).map(([key, reason]) => ({ path: construct.node.path, id: plainId(key), reason }))))
    .filter((acknowledgement) => NAG_RULE.test(acknowledgement.id));
}

/**
 * Takes away, for good, every acknowledgement under `scope` that `matches`, so that a test can prove the findings
 * they hide are real. Returns what was taken away.
 */
export function removeAcknowledgements(scope: IConstruct, matches: (acknowledgement: Acknowledgement) => boolean): Acknowledgement[] {
  const removed: Acknowledgement[] = [];
  for (const construct of scope.node.findAll()) {
    const entries = metadataOf(construct);
    for (let index = entries.length - 1; index >= 0; index--) {
      const entry = entries[index];
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      const kept = Object.entries(entry.data).filter(([key, reason]) => {
        const acknowledgement = { path: construct.node.path, id: plainId(key), reason };
        if (!NAG_RULE.test(acknowledgement.id) || !matches(acknowledgement)) return true;
        removed.push(acknowledgement);
        return false;
      });
      if (kept.length === 0) entries.splice(index, 1);
      else entries[index] = { ...entry, data: Object.fromEntries(kept) };
    }
  }
  return removed;
}

/**
 * What one acknowledgement hides: the findings of its rule on the acknowledging construct and below, with the
 * acknowledgement (every acknowledgement of that id by that construct) taken away, then put back.
 */
export function violationsWithout(scope: IConstruct, acknowledgement: Pick<Acknowledgement, 'path' | 'id'>): Violation[] {
  const construct = scope.node.findAll().find((candidate) => candidate.node.path === acknowledgement.path);
  if (construct === undefined) throw new Error(`no construct at ${acknowledgement.path}`);
  const entries = metadataOf(construct);
  const saved = [...entries];
  const removed = removeAcknowledgements(construct, (candidate) => candidate.path === acknowledgement.path && candidate.id === acknowledgement.id);
  if (removed.length === 0) throw new Error(`no acknowledgement of ${acknowledgement.id} on ${acknowledgement.path}`);
  try {
    return nagViolations(scope).filter((violation) => violation.rule === acknowledgement.id
      && (violation.path === acknowledgement.path || violation.path.startsWith(`${acknowledgement.path}/`)));
  } finally {
    entries.splice(0, entries.length, ...saved);
  }
}
