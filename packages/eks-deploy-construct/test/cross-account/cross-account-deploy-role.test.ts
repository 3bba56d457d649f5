import { nagViolations } from '@devsecops-factory/test-kit';
import { App, Fn, Stack, aws_iam as iam, aws_kms as kms } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CrossAccountDeployRole, DeployImage, DeployManifests, EksDeployStage } from '../../src';
import { DIGEST, REPOSITORY, identityStatements, sourceArtifact, testStack, wildcardActions } from '../support/stacks';

const PIPELINE_ROLE = 'arn:aws:iam::111111111111:role/pipeline-deploy-production';

function targetRole(stack: Stack, roleName?: string): CrossAccountDeployRole {
  return new CrossAccountDeployRole(stack, 'DeployRole', {
    trustedRole: iam.Role.fromRoleArn(stack, 'PipelineRole', PIPELINE_ROLE),
    clusterName: 'apps-production',
    namespace: 'web',
    roleName,
  });
}

describe('CrossAccountDeployRole', () => {
  const stack = testStack('222222222222', 'eu-west-1');
  targetRole(stack);
  const template = Template.fromStack(stack);
  const roleResource = Object.values(template.findResources('AWS::IAM::Role'))[0] as any;

  test('trusts the pipeline deploy project role and nothing else', () => {
    expect(roleResource.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: PIPELINE_ROLE } },
    ]);
  });

  test('has a readable default name unique to the construct, and short sessions', () => {
    expect(roleResource.Properties).toMatchObject({
      RoleName: expect.stringMatching(/^eks-deploy-apps-production-web-[0-9a-f]{8}$/),
      MaxSessionDuration: 3600,
    });
  });

  test('uses the given name as is, so another account can build its ARN', () => {
    const named = targetRole(testStack('222222222222'), 'eks-deploy-apps-production-web');
    expect(named.roleName).toBe('eks-deploy-apps-production-web');
    expect((Object.values(Template.fromStack(Stack.of(named)).findResources('AWS::IAM::Role'))[0] as any).Properties.RoleName)
      .toBe('eks-deploy-apps-production-web');
  });

  test('gives two roles for the same cluster and namespace different default names', () => {
    const twice = testStack('222222222222');
    const trustedRole = iam.Role.fromRoleArn(twice, 'PipelineRole', PIPELINE_ROLE);
    const first = new CrossAccountDeployRole(twice, 'FirstPipeline', { trustedRole, clusterName: 'apps-production', namespace: 'web' });
    const second = new CrossAccountDeployRole(twice, 'SecondPipeline', { trustedRole, clusterName: 'apps-production', namespace: 'web' });
    const names = Object.values(Template.fromStack(twice).findResources('AWS::IAM::Role')).map((role: any) => role.Properties.RoleName);
    expect(names).toEqual([first.roleName, second.roleName]);
    expect(new Set(names).size).toBe(2);
  });

  test('keeps a default name built from long cluster and namespace names within 64 characters and unique', () => {
    const long = testStack('222222222222');
    const trustedRole = iam.Role.fromRoleArn(long, 'PipelineRole', PIPELINE_ROLE);
    const props = { trustedRole, clusterName: 'c'.repeat(60), namespace: 'n'.repeat(40) };
    const names = [new CrossAccountDeployRole(long, 'A', props), new CrossAccountDeployRole(long, 'B', props)].map((role) => role.roleName);
    for (const name of names) expect(name).toMatch(/^eks-deploy-c+-[0-9a-f]{8}$/);
    for (const name of names) expect(name.length).toBe(64);
    expect(names[0]).not.toBe(names[1]);
  });

  test('lets CDK generate the name when the cluster name is only known at deploy time', () => {
    const deferred = testStack('222222222222');
    const role = new CrossAccountDeployRole(deferred, 'DeployRole', {
      trustedRole: iam.Role.fromRoleArn(deferred, 'PipelineRole', PIPELINE_ROLE),
      clusterName: Fn.importValue('AppsClusterName'),
      namespace: 'web',
    });
    const [logicalId, resource] = Object.entries(Template.fromStack(deferred).findResources('AWS::IAM::Role'))[0] as [string, any];
    // No name cut out of a token: CloudFormation names the role, and roleName refers to it.
    expect(resource.Properties.RoleName).toBeUndefined();
    expect(deferred.resolve(role.roleName)).toEqual({ Ref: logicalId });
  });

  test('may describe the target cluster only, through a managed policy', () => {
    const statements = identityStatements(template.toJSON());
    expect(statements).toEqual([expect.objectContaining({
      Action: 'eks:DescribeCluster',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks:eu-west-1:222222222222:cluster/apps-production']] },
    })]);
    expect(wildcardActions(statements)).toEqual([]);
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('edits the one namespace through an access entry, nothing cluster-wide', () => {
    template.hasResourceProperties('AWS::EKS::AccessEntry', {
      ClusterName: 'apps-production',
      AccessPolicies: [{
        PolicyArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks::aws:cluster-access-policy/AmazonEKSEditPolicy']] },
        AccessScope: { Type: 'namespace', Namespaces: ['web'] },
      }],
    });
  });

  test('is clean under AwsSolutions and NIST 800-53 rev5, with nothing acknowledged', () => {
    expect(nagViolations(stack)).toEqual([]);
  });

  test('builds the ARN the pipeline assumes from account and role name', () => {
    const pipelineStack = testStack();
    expect(pipelineStack.resolve(CrossAccountDeployRole.arnFor('222222222222', 'eks-deploy-apps-production-web')))
      .toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:role/eks-deploy-apps-production-web']] });
  });

  test('connects a pipeline stage in one account to a cluster in another within one app', () => {
    const app = new App();
    const pipelineStack = new Stack(app, 'Pipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
    const targetStack = new Stack(app, 'Target', { env: { account: '222222222222', region: 'eu-west-1' } });
    const production = new EksDeployStage(pipelineStack, 'Production', {
      environment: 'production',
      input: sourceArtifact(),
      image: DeployImage.fromDigest(REPOSITORY, DIGEST),
      manifests: DeployManifests.fromSourceDirectory('k8s', 'sample-app'),
      clusterName: 'apps-production',
      namespace: 'web',
      encryptionKey: new kms.Key(pipelineStack, 'Key', { enableKeyRotation: true }),
      deployRoleArn: CrossAccountDeployRole.arnFor('222222222222', 'eks-deploy-apps-production-web'),
    });
    new CrossAccountDeployRole(targetStack, 'DeployRole', {
      trustedRole: production.role, clusterName: 'apps-production', namespace: 'web', roleName: 'eks-deploy-apps-production-web',
    });
    const trust = (Object.values(Template.fromStack(targetStack).findResources('AWS::IAM::Role'))[0] as any).Properties.AssumeRolePolicyDocument
      .Statement[0];
    const stageRoleName = (Object.values(Template.fromStack(pipelineStack).findResources('AWS::IAM::Role'))[0] as any).Properties.RoleName;
    expect(typeof stageRoleName).toBe('string');
    expect(JSON.stringify(trust.Principal.AWS)).toContain(`:iam::111111111111:role/${stageRoleName}`);
  });

  test.each([
    ['a namespace that is not a DNS label', { namespace: 'Web' }, /namespace/],
    ['a role name IAM refuses', { roleName: 'deploy role' }, /roleName/],
  ])('rejects %s', (_name, overrides, message) => {
    const stack2 = testStack('222222222222');
    expect(() => new CrossAccountDeployRole(stack2, 'DeployRole', {
      trustedRole: iam.Role.fromRoleArn(stack2, 'PipelineRole', PIPELINE_ROLE),
      clusterName: 'apps-production',
      namespace: 'web',
      ...overrides,
    })).toThrow(message);
  });
});
