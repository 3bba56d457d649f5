import { Duration } from 'aws-cdk-lib';
import { DEFAULT_FACTORY_POLICY, DEFAULT_POLICY_FILE, SecretsScanStage } from '../src';
import { expectedStageBuildspec } from './support/buildspec-files';
import { newStack, stageDependencies } from './support/factory';
import { actionOverrides, renderStage } from './support/stage-template';

function render(props: Partial<ConstructorParameters<typeof SecretsScanStage>[2]> = {}) {
  const stack = newStack();
  const deps = stageDependencies(stack);
  const stage = new SecretsScanStage(stack, 'Secrets', { ...deps, ...props });
  return { stage, ...renderStage(stack, deps.input, stage.action, 'Secrets') };
}

describe('SecretsScanStage', () => {
  const { project, buildspec, environment, action, template } = render();

  test('runs the canonical secrets-scan buildspec, reporting the gate to its own report group', () => {
    const { reports, ...rest } = buildspec;
    expect(rest).toEqual(expectedStageBuildspec('secrets-scan.yml'));
    expect(Object.values(reports)).toEqual([{ 'files': ['junit-*.xml'], 'base-directory': 'reports', 'file-format': 'JUNITXML' }]);
    const reportGroup = Object.keys(template.findResources('AWS::CodeBuild::ReportGroup'))[0];
    expect(Object.keys(reports)).toEqual([`<GetAtt:${reportGroup}.Arn>`]);
  });

  test('builds without privileges on a pinned image, with artifact encryption and timeouts', () => {
    expect(project.Properties.Environment).toEqual(expect.objectContaining({
      Image: 'aws/codebuild/standard:7.0', PrivilegedMode: false, ComputeType: 'BUILD_GENERAL1_SMALL',
    }));
    expect(project.Properties.TimeoutInMinutes).toBe(20);
    expect(project.Properties.QueuedTimeoutInMinutes).toBe(60);
    expect(project.Properties.EncryptionKey).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^SharedKey/), 'Arn'] });
  });

  test('passes the bucket, stage, policy and where the CLI is (asset and its sha256) as plain settings', () => {
    expect(environment).toEqual({
      REPORTS_BUCKET: { Type: 'PLAINTEXT', Value: { Ref: expect.stringMatching(/^SharedReports/) } },
      STAGE_NAME: { Type: 'PLAINTEXT', Value: 'secrets' },
      SCOPE_REPOSITORY: { Type: 'PLAINTEXT', Value: 'Factory' },
      FACTORY_POLICY_B64: { Type: 'PLAINTEXT', Value: Buffer.from(DEFAULT_FACTORY_POLICY).toString('base64') },
      ALLOWED_SCANNER_CONFIGS: { Type: 'PLAINTEXT', Value: '' },
      POLICY_FILE: { Type: 'PLAINTEXT', Value: DEFAULT_POLICY_FILE },
      ASFF_CLI_SOURCE: { Type: 'PLAINTEXT', Value: 'asset' },
      ASFF_CLI_S3_URI: { Type: 'PLAINTEXT', Value: expect.stringMatching(/^s3:\/\/cdk-[a-z0-9]+-assets-111111111111-eu-west-1\/[0-9a-f]{64}\.js$/) },
      ASFF_CLI_SHA256: { Type: 'PLAINTEXT', Value: expect.stringMatching(/^[0-9a-f]{64}$/) },
      GITLEAKS_ENABLED: { Type: 'PLAINTEXT', Value: 'false' },
      SCAN_ALLOWED_PATTERNS: { Type: 'PLAINTEXT', Value: '' },
    });
  });

  test('gates with the factory policy it is given and keeps only the scanner configuration it allows', () => {
    const custom = render({ factoryPolicy: 'version: 1\ndefault: MEDIUM\n', allowedScannerConfigs: ['.trivyignore', 'config/.grype.yaml'] });
    expect(Buffer.from(custom.environment.FACTORY_POLICY_B64.Value as string, 'base64').toString('utf8')).toBe('version: 1\ndefault: MEDIUM\n');
    expect(custom.environment.ALLOWED_SCANNER_CONFIGS.Value).toBe('.trivyignore config/.grype.yaml');
  });

  test('refuses a factory policy that is not one, or too large for the build\'s environment, and configuration paths that climb', () => {
    expect(() => render({ factoryPolicy: 'stages: {}\n' })).toThrow(/'version: 1'/);
    expect(() => render({ factoryPolicy: `version: 1\n# ${'x'.repeat(9000)}\n` })).toThrow(/at most 8192/);
    expect(() => render({ allowedScannerConfigs: ['../.trivyignore'] })).toThrow(/allowedScannerConfigs/);
    expect(() => render({ allowedScannerConfigs: ['a b'] })).toThrow(/allowedScannerConfigs/);
  });

  test('passes the factory\'s allowed git-secrets patterns one per line, and refuses a broken one', () => {
    expect(render({ allowedPatterns: ['AKIAFAKE[0-9]+', '(111111111111|123456789012)'] }).environment.SCAN_ALLOWED_PATTERNS.Value)
      .toBe('AKIAFAKE[0-9]+\n(111111111111|123456789012)');
    expect(() => render({ allowedPatterns: ['(unclosed'] })).toThrow(/not a regular expression/);
    expect(() => render({ allowedPatterns: ['a\nb'] })).toThrow(/one non-empty line/);
  });

  test('refuses a repository that is not a literal fixed at synth, or that could climb out of its prefix', () => {
    for (const sourceRepository of ['#{SourceVariables.RepositoryName}', 'shop/../other', '../shop', 'shop//x', '']) {
      expect(() => render({ sourceRepository })).toThrow(/sourceRepository/);
    }
  });

  test('may upload only under its own repository and stage prefix of raw/ and policies/ in the reports bucket', () => {
    const objects = (prefix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^SharedReports/), 'Arn'] }, prefix]] });
    const puts = (scope: { template: { toJSON(): any } }) => Object.values<any>(scope.template.toJSON().Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => r.Properties.PolicyDocument.Statement)
      .filter((statement) => statement.Action === 's3:PutObject');
    // Default repository: the stack's name.
    expect(puts({ template })).toEqual([
      { Action: 's3:PutObject', Effect: 'Allow', Resource: [objects('/raw/Factory/secrets/*'), objects('/policies/Factory/secrets/*')] },
    ]);
    const named = render({ sourceRepository: 'example-org/shop' });
    expect(puts(named)).toEqual([
      {
        Action: 's3:PutObject',
        Effect: 'Allow',
        Resource: [objects('/raw/example-org/shop/secrets/*'), objects('/policies/example-org/shop/secrets/*')],
      },
    ]);
  });

  test('is a CodeBuild action on the input with no overrides by default', () => {
    expect(action.ActionTypeId).toEqual(expect.objectContaining({ Category: 'Build', Provider: 'CodeBuild' }));
    expect(action.InputArtifacts).toEqual([{ Name: 'Source' }]);
    expect(action.Name).toBe('SecretsScan');
    expect(actionOverrides(action)).toEqual({});
  });

  test('passes scope, order and namespace to the action, and gitleaks and the timeout to the project', () => {
    const custom = render({
      gitleaks: true,
      sourceRepository: 'example-org/shop',
      sourceBranch: '#{SourceVariables.BranchName}',
      runOrder: 2,
      variablesNamespace: 'Secrets',
      policyStage: 'secrets-history',
      timeout: Duration.minutes(45),
    });
    expect(actionOverrides(custom.action)).toEqual({
      SCOPE_BRANCH: { type: 'PLAINTEXT', value: '#{SourceVariables.BranchName}' },
    });
    expect(custom.environment.SCOPE_REPOSITORY.Value).toBe('example-org/shop');
    expect(custom.action.RunOrder).toBe(2);
    expect(custom.action.Namespace).toBe('Secrets');
    expect(custom.environment.GITLEAKS_ENABLED.Value).toBe('true');
    expect(custom.environment.STAGE_NAME.Value).toBe('secrets-history');
    expect(custom.project.Properties.TimeoutInMinutes).toBe(45);
  });

  test('logs to its own KMS-encrypted log group', () => {
    const group = project.Properties.LogsConfig.CloudWatchLogs.GroupName.Ref;
    expect(template.toJSON().Resources[group].Properties).toEqual(expect.objectContaining({
      KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^SharedKey/), 'Arn'] },
      RetentionInDays: 365,
    }));
  });
});
