import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePolicy } from '@devsecops-factory/asff-parsers';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../src/config/load';
import { FactoryStack } from '../../src/stacks/factory-stack';

const repositoryRoot = join(__dirname, '..', '..', '..', '..');
const config = loadConfig(join(__dirname, '..', '..', 'factory.config.yaml'));

describe('the sample app policy the reference factory gates on', () => {
  const file = join(repositoryRoot, config.policyFile);
  const policy = parsePolicy(readFileSync(file, 'utf-8'), config.policyFile);

  test('names a threshold for every stage that runs asff gate', () => {
    const template = Template.fromStack(new FactoryStack(new App(), 'Factory', { config }));
    type Variable = { Name: string; Value: string };
    const stageNames = Object.values(template.findResources('AWS::CodeBuild::Project'))
      .map((project) => (project.Properties.Environment.EnvironmentVariables ?? []) as Variable[])
      // Projects that gate are the ones told where the policy is.
      .filter((variables) => variables.some((v) => v.Name === 'POLICY_FILE'))
      .map((variables) => variables.find((v) => v.Name === 'STAGE_NAME')!.Value);
    expect(stageNames.sort()).toEqual(['code', 'dast', 'ecr', 'image', 'secrets']);
    for (const stage of stageNames) expect(policy.stages[stage] ?? policy.defaultThreshold).toBeDefined();
  });

  test('lets no leaked secret through', () => {
    expect(policy.stages.secrets).toBe('LOW');
  });
});
