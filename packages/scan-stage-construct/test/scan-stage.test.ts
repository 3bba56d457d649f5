import { policyStatements } from '@devsecops-factory/test-kit';
import { Lazy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  CodeScanStage, DastScanStage, EcrScanStage, ImageScanStage, IScanStage, ScanStageProps, SecretsScanStage,
} from '../src';
import { importedRepository, importedSecret, newStack, pipelineAround, stageDependencies } from './support/factory';

/**
 * Each scan stage with the props it needs besides the shared ones, after the stages it needs in the pipeline (the
 * stage under test last), by the policy stage it defaults to.
 */
type CreateStages = (stack: Stack, id: string, props: ScanStageProps) => IScanStage[];
const STAGES: Array<[string, CreateStages]> = [
  ['secrets', (stack, id, props) => [new SecretsScanStage(stack, id, props)]],
  ['code', (stack, id, props) => [new CodeScanStage(stack, id, props)]],
  ['image', (stack, id, props) => [new ImageScanStage(stack, id, props)]],
  ['ecr', (stack, id, props) => {
    const image = new ImageScanStage(stack, `${id}Image`, props);
    return [image, new EcrScanStage(stack, id, { ...props, imageArtifact: image.imageArtifact, ecrRepository: importedRepository(stack) })];
  }],
  ['dast', (stack, id, props) => [new DastScanStage(stack, id, {
    ...props, targetUrl: 'https://staging.example.com', zapApiKey: importedSecret(stack, `${id}Zap`, 'zap'),
  })]],
];

/** The stage, synthesized in a pipeline, with its project's resource and the stack's IAM statements. */
function synthesize(create: CreateStages, props: Partial<ScanStageProps> = {}) {
  const stack = newStack();
  const deps = stageDependencies(stack);
  const stages = create(stack, 'Stage', { ...deps, sourceRepository: 'acme/shop', ...props });
  const stage = stages[stages.length - 1];
  pipelineAround(stack, deps.input, stages.map((s) => s.action));
  const template = Template.fromStack(stack);
  const project = template.toJSON().Resources[stack.getLogicalId(stage.project.node.defaultChild as any)];
  const environment = Object.fromEntries(project.Properties.Environment.EnvironmentVariables.map((v: any) => [v.Name, v.Value]));
  return { stack, stage, template, project, environment, statements: policyStatements(template) };
}

describe.each(STAGES)('the %s scan stage as an IScanStage', (defaultPolicyStage, create) => {
  const { stack, stage, project, environment, statements } = synthesize(create);

  test('runs its build as `role`, logs to `logGroup` and reports the gate to `reportGroup`', () => {
    expect(stack.resolve(project.Properties.ServiceRole)).toEqual(stack.resolve(stage.role.roleArn));
    expect(project.Properties.LogsConfig.CloudWatchLogs.GroupName).toEqual(stack.resolve(stage.logGroup.logGroupName));
    expect(stage.project.role).toBe(stage.role);
    expect(stage.reportGroup.node.scope).toBe(stage);
  });

  test(`is gated as the policy's '${defaultPolicyStage}' stage by default, and writes under that stage's prefix only`, () => {
    expect(stage.policyStage).toBe(defaultPolicyStage);
    expect(environment.STAGE_NAME).toBe(defaultPolicyStage);
    const roleId = stack.getLogicalId(stage.role.node.defaultChild as any).replace(/[0-9A-F]{8}$/, '');
    const puts = statements
      .filter((s) => s.logicalId.startsWith(roleId) && s.actions.includes('s3:PutObject'))
      .flatMap((s) => s.resources.map((r) => JSON.stringify(r)))
      .filter((r) => r.includes('raw/'));
    expect(puts).toEqual([expect.stringContaining(`/raw/acme/shop/${defaultPolicyStage}/*`)]);
  });
});

describe('policyStage', () => {
  const [, createSecrets] = STAGES[0];

  test('names the stage in the gate, the findings scope and the report prefix its role may write to', () => {
    const { stage, environment, statements } = synthesize(createSecrets, { policyStage: 'secrets-history' });
    expect(stage.policyStage).toBe('secrets-history');
    expect(environment.STAGE_NAME).toBe('secrets-history');
    const resources = statements.filter((s) => s.actions.includes('s3:PutObject')).flatMap((s) => s.resources.map((r) => JSON.stringify(r)));
    expect(resources).toEqual(expect.arrayContaining([expect.stringContaining('/raw/acme/shop/secrets-history/*')]));
    expect(resources.filter((r) => r.includes('/raw/acme/shop/secrets/'))).toEqual([]);
  });

  test.each(['*', 'secrets/*', 'a/b', '..', '.', '', '#{Source.Stage}'])("refuses '%s', which is not one report key segment", (policyStage) => {
    expect(() => synthesize(createSecrets, { policyStage })).toThrow(/^policyStage must be a literal of letters, digits/);
  });

  test('refuses a token: the report prefix the role may write to is fixed at synth', () => {
    expect(() => synthesize(createSecrets, { policyStage: Lazy.string({ produce: () => 'secrets' }) })).toThrow(/^policyStage must be a literal/);
  });
});
