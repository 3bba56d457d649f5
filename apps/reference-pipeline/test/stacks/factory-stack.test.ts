import { join } from 'node:path';
import { removeAcknowledgements, identityStatements, isServiceWideWildcard } from '@devsecops-factory/test-kit';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { compliancePacks } from '../../src/compliance/packs';
import { loadConfig } from '../../src/config/load';
import { FactoryConfig } from '../../src/config/schema';
import { FactoryStack } from '../../src/stacks/factory-stack';

const referenceConfig = loadConfig(join(__dirname, '..', '..', 'factory.config.yaml'));

function synth(config: FactoryConfig = referenceConfig, env?: { region: string; account: string }) {
  const app = new App();
  const stack = new FactoryStack(app, 'Factory', { config, env });
  return { app, stack, template: Template.fromStack(stack) };
}

const { stack, template } = synth();
const pipeline = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0].Properties;
const stage = (name: string) => pipeline.Stages.find((s: { Name: string }) => s.Name === name);

describe('FactoryStack pipeline', () => {
  test('is a CodePipeline V2 over the KMS-encrypted artifact store', () => {
    expect(pipeline.PipelineType).toBe('V2');
    expect(pipeline.ArtifactStore.EncryptionKey.Type).toBe('KMS');
  });

  test('runs the stages in the factory order', () => {
    expect(pipeline.Stages.map((s: { Name: string }) => s.Name)).toEqual([
      'Source', 'SecretScan', 'Scan', 'Publish', 'Staging', 'DAST', 'Approval', 'Production',
    ]);
  });

  test('clones the full repository so the secret scan sees the whole history', () => {
    expect(stage('Source').Actions[0].Configuration).toMatchObject({ OutputArtifactFormat: 'CODEBUILD_CLONE_REF' });
  });

  test('runs code SAST and the image build + SCA in parallel', () => {
    const actions = stage('Scan').Actions;
    expect(actions).toHaveLength(2);
    expect(new Set(actions.map((a: { RunOrder: number }) => a.RunOrder)).size).toBe(1);
  });

  test('deploys the digest the ECR push exported, the same one to staging and production', () => {
    const digestOf = (name: string) => JSON.stringify(stage(name).Actions[0].Configuration);
    for (const name of ['Staging', 'Production']) expect(digestOf(name)).toContain('#{Publish.IMAGE_DIGEST}');
    expect(JSON.stringify(stage('Approval'))).toContain('#{Publish.IMAGE_DIGEST}');
  });

  test('keeps an immutable, KMS-encrypted image repository, scanned through the registry configuration', () => {
    template.hasResourceProperties('AWS::ECR::Repository', {
      ImageTagMutability: 'IMMUTABLE',
      EncryptionConfiguration: Match.objectLike({ EncryptionType: 'KMS' }),
    });
    // Per-repository scan-on-push is deprecated: the publish stage starts or awaits the registry's scan.
    const [repository] = Object.values(template.findResources('AWS::ECR::Repository'));
    expect(repository.Properties.ImageScanningConfiguration).toBeUndefined();
  });

  test('lets the repository name be generated, so a redeploy after teardown does not fail with "already exists"', () => {
    const [repository] = Object.values(template.findResources('AWS::ECR::Repository'));
    expect(repository.Properties.RepositoryName).toBeUndefined();
    expect(repository.DeletionPolicy).toBe('Retain');
    // The manifests' image name is the config's, whatever the repository is called.
    expect(JSON.stringify(stage('Staging'))).toBeDefined();
    expect(JSON.stringify(template.findResources('AWS::CodeBuild::Project'))).toContain(
      '"MANIFEST_IMAGE_NAME","Type":"PLAINTEXT","Value":"sample-app"',
    );
  });

  test('imports a retained repository instead of creating it when asked', () => {
    const config = { ...referenceConfig, image: { ...referenceConfig.image, repositoryName: 'sample-app', importExistingRepository: true } };
    const imported = synth(config).template;
    imported.resourceCountIs('AWS::ECR::Repository', 0);
    expect(JSON.stringify(imported.toJSON())).toContain(':repository/sample-app');
  });

  test('lets a production in another account pull the image, and only that account', () => {
    const deployRoleArn = 'arn:aws:iam::222222222222:role/factory-deploy';
    const config = { ...referenceConfig, deploy: { ...referenceConfig.deploy, production: { ...referenceConfig.deploy.production, deployRoleArn } } };
    const crossAccount = synth(config);
    expect(compliancePacks().flatMap((pack) => pack.validateScope(crossAccount.stack).violations.map((v) => v.ruleName))).toEqual([]);
    const [repository] = Object.values(crossAccount.template.findResources('AWS::ECR::Repository'));
    const principals = repository.Properties.RepositoryPolicyText.Statement.map((s: any) => JSON.stringify(s.Principal));
    expect(principals).toEqual([JSON.stringify({ AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] } })]);
    const [sameAccount] = Object.values(template.findResources('AWS::ECR::Repository'));
    expect(sameAccount.Properties.RepositoryPolicyText).toBeUndefined();
  });

  test('notifies the security topic on findings-processor errors, dead letters and reports waiting too long', () => {
    const alarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm'))
      .filter(([id]) => id.startsWith('Findings'));
    expect(alarms.map(([, alarm]) => alarm.Properties.MetricName).sort()).toEqual([
      'ApproximateAgeOfOldestMessage',
      'ApproximateNumberOfMessagesVisible',
      'Errors',
    ]);
    const [securityTopic] = Object.keys(template.findResources('AWS::SNS::Topic')).filter((id) => id.startsWith('NotificationsSecurityAlertTopic'));
    expect(securityTopic).toBeDefined();
    for (const [, alarm] of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: securityTopic }]);
  });

  test('every role that may use the connection as codestar-connections may also use it as codeconnections', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const actionsOn = (policy: any, prefix: string) => [policy.Properties.PolicyDocument.Statement].flat()
      .filter((st: any) => [st.Action].flat().includes(`${prefix}:UseConnection`)).map((st: any) => JSON.stringify(st.Resource));
    const withLegacy = policies.filter((policy) => actionsOn(policy, 'codestar-connections').length > 0);
    // The source action role and the seven projects that clone.
    expect(withLegacy.length).toBe(8);
    for (const policy of withLegacy) expect(actionsOn(policy, 'codeconnections')).toEqual(actionsOn(policy, 'codestar-connections'));
  });
});

describe('FactoryStack security', () => {
  test('grants no wildcard action and no service-wide wildcard anywhere', () => {
    const offending = identityStatements(template).filter((s) => s.actions.some(isServiceWideWildcard));
    expect(offending).toEqual([]);
  });

  test('no key policy grants kms:* to anyone: every key comes from the one key factory', () => {
    const keys = Object.entries(template.findResources('AWS::KMS::Key'));
    expect(keys.length).toBeGreaterThanOrEqual(3);
    const statements = keys.flatMap(([id, key]) => [key.Properties.KeyPolicy.Statement].flat().map((st: any) => ({ id, st })));
    const wildcard = (st: any) => [st.Action].flat().filter((a: string) => a.includes('*'));
    expect(statements.filter(({ st }) => wildcard(st).includes('kms:*')).map(({ id }) => id)).toEqual([]);
    // The one family wildcard left (ReEncrypt*, GenerateDataKey*) is aws-cdk-lib's Secret construct's grant to the
    // account through Secrets Manager only (kms:ViaService), which Secrets Manager needs to encrypt secret versions.
    const others = statements.filter(({ st }) => wildcard(st).length > 0);
    expect(others.length).toBeGreaterThan(0);
    for (const { st } of others) {
      expect(wildcard(st).sort()).toEqual(['kms:GenerateDataKey*', 'kms:ReEncrypt*']);
      expect(JSON.stringify(st.Condition?.StringEquals?.['kms:ViaService'])).toContain('secretsmanager.');
    }
    // The account stays trusted (IAM grants of use and administration need it), action by action.
    for (const [, key] of keys) {
      const account = [key.Properties.KeyPolicy.Statement].flat().find((st: any) => JSON.stringify(st.Principal).includes(':root'));
      expect(account.Action).toEqual(expect.arrayContaining(['kms:PutKeyPolicy', 'kms:Decrypt', 'kms:GenerateDataKey']));
      expect(key.Properties).toMatchObject({ EnableKeyRotation: true, PendingWindowInDays: 30 });
    }
  });

  test('encrypts every log group, topic, queue and secret with a KMS key', () => {
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) expect(group.Properties.KmsKeyId).toBeDefined();
    for (const topic of Object.values(template.findResources('AWS::SNS::Topic'))) expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    for (const queue of Object.values(template.findResources('AWS::SQS::Queue'))) expect(queue.Properties.KmsMasterKeyId).toBeDefined();
    for (const secret of Object.values(template.findResources('AWS::SecretsManager::Secret'))) expect(secret.Properties.KmsKeyId).toBeDefined();
  });

  test('sets a timeout on every CodeBuild project', () => {
    const projects = Object.values(template.findResources('AWS::CodeBuild::Project'));
    expect(projects.length).toBeGreaterThanOrEqual(7);
    for (const project of projects) expect(project.Properties.TimeoutInMinutes).toBeGreaterThan(0);
  });

  test('hard-codes no partition, region or account, even when synthesized for GovCloud', () => {
    const gov = JSON.stringify(synth(referenceConfig, { region: 'us-gov-west-1', account: '123456789012' }).template.toJSON());
    // The git-secrets allow list names the fixtures' example account ids: data the scan ignores, not an account.
    const agnostic = JSON.stringify(template.toJSON()).replace(/"Name":"SCAN_ALLOWED_PATTERNS","Type":"PLAINTEXT","Value":"[^"]*"/g, '');
    expect(agnostic).toContain('"Name":"GITLEAKS_ENABLED"');
    expect(agnostic).not.toMatch(/arn:aws(-us-gov|-cn)?:/);
    expect(agnostic).not.toMatch(/\b\d{12}\b/);
    expect(gov).not.toMatch(/"arn:aws:/);
  });

  test('puts no configured e-mail or secret ARN into a build environment variable', () => {
    for (const project of Object.values(template.findResources('AWS::CodeBuild::Project'))) {
      for (const variable of project.Properties.Environment.EnvironmentVariables ?? []) {
        if (variable.Type === 'SECRETS_MANAGER' || variable.Type === 'PARAMETER_STORE') continue;
        expect(JSON.stringify(variable.Value)).not.toMatch(/@|secretsmanager/);
      }
    }
  });
});

describe('FactoryStack compliance', () => {
  test.each(compliancePacks().map((p) => [p.readPackName, p] as const))('%s reports no unacknowledged violation', (_name, pack) => {
    expect(pack.validateScope(stack).violations.map((v) => v.ruleName)).toEqual([]);
  });

  test('every acknowledgement in the factory hides a real violation', () => {
    const { stack: bare } = synth();
    const removed = removeAcknowledgements(bare, () => true);
    expect(removed.length).toBeGreaterThan(0);
    const violations = compliancePacks().flatMap((pack) => pack.validateScope(bare).violations)
      .flatMap((v) => v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath ?? '' })));
    const unneeded = removed.filter(
      (ack) => !violations.some((v) => v.rule === ack.id && (v.path === ack.path || v.path.startsWith(`${ack.path}/`))),
    );
    expect(unneeded).toEqual([]);
  });
});

describe('FactoryStack dashboard', () => {
  test('shows the pipeline\'s health, the findings of every scan stage and the processor\'s failures', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0].Properties.DashboardBody);
    for (const metric of [
      'FailedPipelineExecutions',
      'OpenFindings',
      'OverdueFindings',
      'NewFindings',
      'ResolvedFindingsAge',
      'DeadLetters',
      'ApproximateNumberOfMessagesVisible',
    ]) {
      expect(body).toContain(metric);
    }
    for (const stageName of ['secrets', 'code', 'image', 'ecr', 'dast']) expect(body).toContain(`Stage=\\\\\\"${stageName}\\\\\\"`);
    expect(body).toContain(stack.getLogicalId(stack.pipeline.node.defaultChild as never));
  });
});
