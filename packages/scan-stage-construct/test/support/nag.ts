import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** One `Validations.acknowledge` call made while a construct tree was built. */
export interface RecordedAcknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** One violation of either pack: the rule and the resource it was found on. */
export interface Violation {
  readonly rule: string;
  readonly path: string;
}

/** Violations of the AwsSolutions and NIST 800-53 rev5 packs under `scope`. */
export function nagViolations(scope: IConstruct): Violation[] {
  return [new AwsSolutionsChecks(), new NIST80053R5Checks()].flatMap((pack) =>
    pack.validateScope(scope).violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => ({ rule: violation.ruleName, path: resource.constructPath ?? '' }))));
}

type Acknowledge = (this: Validations, ...rules: Parameters<Validations['acknowledge']>) => void;

function interceptAcknowledge<T>(onRule: (path: string, id: string, reason: string) => boolean, build: () => T): T {
  const original = Validations.prototype.acknowledge as Acknowledge;
  const spy = jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation(function (this: Validations, ...rules) {
    const path = (this as unknown as { scope: IConstruct }).scope.node.path;
    const kept = rules.filter((rule) => onRule(path, rule.id, rule.reason));
    if (kept.length > 0) original.apply(this, kept);
  });
  try {
    return build();
  } finally {
    spy.mockRestore();
  }
}

const NAG_RULE = /^(AwsSolutions|NIST\.800\.53\.R5)-/;

/** Builds the tree and returns every cdk-nag acknowledgement made while building it. */
export function recordAcknowledgements(build: () => unknown): RecordedAcknowledgement[] {
  const recorded: RecordedAcknowledgement[] = [];
  interceptAcknowledge((path, id, reason) => {
    if (NAG_RULE.test(id)) recorded.push({ path, id, reason });
    return true;
  }, build);
  return recorded;
}

/** Builds the tree with one acknowledgement left out and returns the violations. */
export function violationsWithout(skipped: RecordedAcknowledgement, build: () => IConstruct): Violation[] {
  const scope = interceptAcknowledge((path, id) => !(path === skipped.path && id === skipped.id), build);
  return nagViolations(scope);
}
