import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** `rule path` of every finding of the two packs the factory runs, under `scope`. */
export function findings(scope: IConstruct): string[] {
  return [new AwsSolutionsChecks(), new NIST80053R5Checks()].flatMap((pack) => pack.validateScope(scope).violations.flatMap(
    (violation) => violation.violatingResources.map((resource) => `${violation.ruleName} ${resource.constructPath}`)));
}
