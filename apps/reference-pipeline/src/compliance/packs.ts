import { AwsSolutionsChecks, NagPack, NIST80053R5Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/**
 * The rule packs that gate the factory's own compliance. Each is registered as a
 * CDK policy-validation plugin, so `cdk synth` fails on any unacknowledged violation.
 */
export function compliancePacks(scope?: IConstruct): NagPack[] {
  return [new AwsSolutionsChecks(scope), new NIST80053R5Checks(scope)];
}
