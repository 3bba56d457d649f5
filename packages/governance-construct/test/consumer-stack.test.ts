import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PipelineGovernance } from '../src';

const ENV = { account: '111122223333', region: 'eu-west-1' };
const UNRESOLVED_ENVIRONMENT = '@aws-cdk/aws-events:ruleUnresolvedEnvironment';

interface ConsumerOptions {
  readonly env?: typeof ENV;
  /** `cdk init`'s feature flags (e.g. literal partitions in a stack with an environment). */
  readonly recommendedFlags?: boolean;
}

/**
 * A consumer's stack with the governance twice (two factories in one account;
 * only one may own the region's Config recorder and Security Hub).
 */
function consumerStack({ env, recommendedFlags = false }: ConsumerOptions = {}): Stack {
  const app = new App({ context: recommendedFlags ? { ...CURRENTLY_RECOMMENDED_FLAGS } : {} });
  const stack = new Stack(app, 'Consumer', { env });
  new PipelineGovernance(stack, 'FactoryA', {
    factoryRoles: [iam.Role.fromRoleName(stack, 'DeployRoleA', 'factory-a-deploy')],
    enableConfigRecorder: true,
    enableSecurityHub: true,
  });
  new PipelineGovernance(stack, 'FactoryB', { factoryRoles: [iam.Role.fromRoleName(stack, 'DeployRoleB', 'factory-b-deploy')] });
  return stack;
}

function warnings(stack: Stack): string[] {
  const assembly = (stack.node.root as App).synth();
  return assembly.getStackArtifact(stack.artifactId).messages
    .filter((message) => message.level === 'warning')
    .map((message) => `${message.id}: ${String(message.entry.data).split('\n')[0]}`);
}

describe('the governance twice in a consumer\'s stack', () => {
  const cases: Array<[string, ConsumerOptions]> = [
    ['without an environment, default flags', {}],
    ['without an environment, cdk init flags', { recommendedFlags: true }],
    ['with an environment, default flags', { env: ENV }],
    ['with an environment, cdk init flags', { env: ENV, recommendedFlags: true }],
  ];

  test.each(cases)('synthesizes %s without a warning and AwsSolutions clean', (_name, options) => {
    const stack = consumerStack(options);
    expect(warnings(stack)).toEqual([]);
    expect(new AwsSolutionsChecks().validateScope(stack).violations.map((violation) => violation.ruleName)).toEqual([]);
  });

  test('needs its unresolved-environment acknowledgement on every rule: without it a stack with an environment warns', () => {
    // The warning is raised when the target is added, so the acknowledgement is left out while the tree is built.
    const original = Validations.prototype.acknowledge;
    const spy = jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation(function (this: Validations, ...rules) {
      const kept = rules.filter((rule) => rule.id !== UNRESOLVED_ENVIRONMENT);
      if (kept.length > 0) original.apply(this, kept);
    });
    let stack: Stack;
    try {
      stack = consumerStack({ env: ENV });
    } finally {
      spy.mockRestore();
    }
    const paths = warnings(stack).filter((warning) => warning.includes('unresolved environment')).map((warning) => warning.split(':')[0]).sort();
    expect(paths).toEqual(
      ['FactoryA', 'FactoryB']
        .flatMap((factory) =>
          ['CriticalApiCall', 'FactoryRolePolicyChange', 'PipelineExecutionFailed', 'StageExecutionFailed'].map(
            (rule) => `/Consumer/${factory}/EventRules/${rule}`,
          ),
        )
        .sort(),
    );
  });
});
