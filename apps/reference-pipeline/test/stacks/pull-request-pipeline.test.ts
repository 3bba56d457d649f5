import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as YAML from 'yaml';
import { compliancePacks } from '../../src/compliance/packs';
import { ConfigError, parseConfig, parseFactory } from '../../src/config/load';
import { FactoryStack } from '../../src/stacks/factory-stack';
import { factoryCoverage } from '../support/iam-coverage';
import { CfnTemplate } from '../support/iam-matcher';

/** The reference configuration with pull-request pipelines and GitHub feedback turned on, synthesized once. */
const APP_DIR = join(__dirname, '..', '..');
const TOKEN_ARN = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:factory/github-token-AbCdEf';
function referenceConfig(): any {
  const raw = YAML.parse(readFileSync(join(APP_DIR, 'factory.config.yaml'), 'utf8'));
  return { ...raw, factoryPolicyFile: join(APP_DIR, raw.factoryPolicyFile) };
}
const config = parseConfig({
  ...referenceConfig(),
  pullRequests: { enabled: true, feedback: { provider: 'github', tokenSecretArn: TOKEN_ARN } },
});
const stack = new FactoryStack(new App(), 'Factory', { config, env: { account: '111111111111', region: 'us-east-1' } });
const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Record<string, any>;
const pipelines = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::CodePipeline::Pipeline');
const [[, main], [, pullRequests]] = [
  pipelines.find(([, p]) => p.Properties.Name === 'devsecops-factory')!,
  pipelines.find(([, p]) => p.Properties.Name === 'devsecops-factory-pull-requests')!,
];
const projectOf = (action: any) => resources[action.Configuration.ProjectName.Ref];
const environmentOf = (project: any) => Object.fromEntries(project.Properties.Environment.EnvironmentVariables.map((v: any) => [v.Name, v]));
const pullRequestProjects = pullRequests.Properties.Stages.flatMap((s: any) => s.Actions)
  .filter((a: any) => a.ActionTypeId.Provider === 'CodeBuild')
  .map(projectOf);

describe('the pull-request pipeline', () => {
  test('is a V2 pipeline next to the application\'s, started by opened and updated pull requests into the source branch', () => {
    expect(pipelines).toHaveLength(2);
    expect(pullRequests.Properties).toEqual(expect.objectContaining({ PipelineType: 'V2', ExecutionMode: 'PARALLEL' }));
    expect(pullRequests.Properties.Triggers).toEqual([{
      ProviderType: 'CodeStarSourceConnection',
      GitConfiguration: {
        SourceActionName: 'Source',
        PullRequest: [{ Branches: { Includes: ['main'] }, Events: ['OPEN', 'UPDATED'] }],
      },
    }]);
    const [source] = pullRequests.Properties.Stages[0].Actions;
    expect(source.Configuration).toEqual(
      expect.objectContaining({ DetectChanges: false, OutputArtifactFormat: 'CODEBUILD_CLONE_REF', BranchName: 'main' }),
    );
    // The application's own pipeline still starts on a push only.
    expect(main.Properties.Triggers).toBeUndefined();
  });

  test('runs the secret scan, then the code and image scans, and nothing that publishes, deploys or asks for approval', () => {
    expect(pullRequests.Properties.Stages.map((s: any) => [s.Name, s.Actions.map((a: any) => a.Name)])).toEqual([
      ['Source', ['Source']], ['SecretScan', ['SecretsScan']], ['Scan', ['CodeScan', 'ImageScan']],
    ]);
    const providers = new Set(pullRequests.Properties.Stages.flatMap((s: any) => s.Actions).map((a: any) => a.ActionTypeId.Provider));
    expect([...providers].sort()).toEqual(['CodeBuild', 'CodeStarSourceConnection']);
    for (const project of pullRequestProjects) {
      const buildSpec = project.Properties.Source.BuildSpec;
      expect(buildSpec['Fn::Join'] ? JSON.stringify(buildSpec) : buildSpec).not.toMatch(/crane push|kubectl apply/);
    }
  });

  test('gates against the default branch\'s scope of the same repository, uploads nothing, '
    + 'and posts to GitHub with a token from Secrets Manager', () => {
    const mainProjects = main.Properties.Stages.flatMap((s: any) => s.Actions)
      .filter((a: any) => a.ActionTypeId.Provider === 'CodeBuild')
      .map(projectOf);
    const mainRepository = environmentOf(mainProjects[0]).SCOPE_REPOSITORY.Value;
    expect(pullRequestProjects).toHaveLength(3);
    for (const project of pullRequestProjects) {
      const environment = environmentOf(project);
      expect({
        repository: environment.SCOPE_REPOSITORY.Value,
        upload: environment.REPORTS_UPLOAD.Value,
        baseline: environment.BASELINE_BRANCH.Value,
        provider: environment.FEEDBACK_PROVIDER.Value,
        feedbackRepository: environment.FEEDBACK_REPOSITORY.Value,
        token: [environment.FEEDBACK_TOKEN.Type, environment.FEEDBACK_TOKEN.Value],
      }).toEqual({
        repository: mainRepository,
        upload: 'false',
        baseline: 'main',
        provider: 'github',
        feedbackRepository: 'example-org/devsecops-factory',
        token: ['SECRETS_MANAGER', TOKEN_ARN],
      });
    }
    // Each build's scope names the pull request's source branch (a pipeline variable), never the default branch.
    const actions = pullRequests.Properties.Stages.slice(1).flatMap((s: any) => s.Actions);
    for (const action of actions) {
      expect(JSON.parse(action.Configuration.EnvironmentVariables)).toContainEqual({
        name: 'SCOPE_BRANCH',
        type: 'PLAINTEXT',
        value: '#{Source.BranchName}',
      });
    }
  });

  test('has its own artifact bucket: a pull request\'s build cannot touch the artifacts the application\'s pipeline hands on', () => {
    expect(pullRequests.Properties.ArtifactStore.Location).not.toEqual(main.Properties.ArtifactStore.Location);
  });

  test('every role allows every call its builds make, GetFindings included, and none may write to the reports bucket', () => {
    // The pull-request builds' share of the coverage (the application's pipeline has its own test file).
    const coverage = factoryCoverage(template.toJSON() as CfnTemplate);
    const pullRequestIds = Object.entries(resources).filter(([, r]) => pullRequestProjects.includes(r)).map(([id]) => id);
    const ours = (text: string) => pullRequestIds.some((id) => text.startsWith(id));
    expect(coverage.unknown.filter(ours)).toEqual([]);
    const denied = coverage.rows.filter((r) => ours(r.principal) && !r.allowed);
    expect(denied.map((r) => `${r.principal}: ${r.call} needs ${r.action} on ${r.resource}`)).toEqual([]);
    expect(coverage.rows.filter((r) => ours(r.principal)).length).toBeGreaterThanOrEqual(3 * 4);
    for (const id of pullRequestIds) {
      const rows = coverage.rows.filter((r) => r.principal === id);
      expect(rows.filter((r) => r.action === 'securityhub:GetFindings').map((r) => r.resource)).toEqual(['*']);
      expect(rows.filter((r) => r.action === 's3:PutObject')).toEqual([]);
      expect(rows.filter((r) => r.call === 'environment FEEDBACK_TOKEN (SECRETS_MANAGER)').map((r) => r.allowed)).toEqual([true]);
    }
  });

  test('the coverage check fails when a pull-request build\'s role loses GetFindings', () => {
    const broken = JSON.parse(JSON.stringify(template.toJSON()));
    const [id] = Object.entries<any>(broken.Resources).find(([, r]) => r === undefined || (r.Type === 'AWS::IAM::Policy'
      && JSON.stringify(r.Properties.Roles).includes('PullRequestsCodeScan')))!;
    const policy = broken.Resources[id];
    policy.Properties.PolicyDocument.Statement = policy.Properties.PolicyDocument.Statement.filter(
      (s: any) => s.Action !== 'securityhub:GetFindings',
    );
    const denied = factoryCoverage(broken).rows.filter((r) => !r.allowed && /^PullRequests/.test(r.principal));
    expect(denied.map((r) => `${r.call}: ${r.action} on ${r.resource}`)).toEqual([
      'asff gate --baseline-scope (GetFindings, securityhub SDK): securityhub:GetFindings on *',
    ]);
  });

  test.each(compliancePacks().map((p) => [p.readPackName, p] as const))('%s reports no unacknowledged violation', (_name, pack) => {
    expect(pack.validateScope(stack).violations.map((v) => `${v.ruleName} ${v.violatingResources[0]?.constructPath}`)).toEqual([]);
  });
});

describe('the configuration', () => {
  test('refuses pull requests on a CodeCommit source in one line naming the file and the field', () => {
    const raw = {
      ...referenceConfig(),
      source: { type: 'codecommit', repositoryName: 'shop', branch: 'main' },
      pullRequests: { enabled: true },
    };
    expect(() => parseConfig(raw, 'factory.config.yaml')).toThrow(new ConfigError('factory.config.yaml', [
      'pullRequests.enabled: CodePipeline V2 has no pull-request trigger for CodeCommit sources (only CodeConnections: GitHub, GitLab, Bitbucket)',
    ]));
  });

  test('builds no pull-request pipeline unless enabled, and takes other target branches and a self-managed API', () => {
    expect(parseConfig(referenceConfig()).pullRequests).toBeUndefined();
    const parsed = parseFactory({
      ...referenceConfig(),
      pullRequests: { enabled: true, targetBranches: ['main', 'release/2.x'], feedback: { provider: 'gitlab', tokenSecretArn: TOKEN_ARN, apiUrl: 'https://git.example.com/api/v4' } },
    });
    expect(parsed.applications[0].config.pullRequests).toEqual({
      enabled: true, targetBranches: ['main', 'release/2.x'], feedback: { provider: 'gitlab', tokenSecretArn: TOKEN_ARN, apiUrl: 'https://git.example.com/api/v4' },
    });
    const gitea = { ...referenceConfig(), pullRequests: { enabled: true, feedback: { provider: 'gitea', tokenSecretArn: TOKEN_ARN } } };
    expect(() => parseConfig(gitea, 'f.yaml')).toThrow(/^f\.yaml: pullRequests\.feedback\.provider: /);
    expect(() => parseConfig({ ...referenceConfig(), pullRequests: { enabled: true, feedback: { provider: 'github', tokenSecretArn: TOKEN_ARN, apiUrl: 'http://git.example.com' } } }, 'f.yaml'))
      .toThrow(/^f\.yaml: pullRequests\.feedback\.apiUrl: /);
  });
});
