import { App, Stack, aws_iam as iam, aws_kms as kms } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CrossAccountDeployRole, DeployImage, DeployManifests, EksDeployStage } from '../../src';
import { DIGEST, REPOSITORY, identityStatements, nagViolations, sourceArtifact, testStack, wildcardActions } from '../support/stacks';

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

  test('has a predictable name and short sessions', () => {
    expect(roleResource.Properties).toMatchObject({ RoleName: 'eks-deploy-apps-production-web', MaxSessionDuration: 3600 });
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
      stageName: 'production',
      input: sourceArtifact(),
      image: DeployImage.fromDigest(REPOSITORY, DIGEST),
      manifests: DeployManifests.fromSourceDirectory('k8s', 'sample-app'),
      clusterName: 'apps-production',
      namespace: 'web',
      encryptionKey: new kms.Key(pipelineStack, 'Key', { enableKeyRotation: true }),
      deployRoleArn: CrossAccountDeployRole.arnFor('222222222222', 'eks-deploy-apps-production-web'),
    });
    new CrossAccountDeployRole(targetStack, 'DeployRole', { trustedRole: production.role, clusterName: 'apps-production', namespace: 'web' });
    const trust = (Object.values(Template.fromStack(targetStack).findResources('AWS::IAM::Role'))[0] as any).Properties.AssumeRolePolicyDocument.Statement[0];
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
