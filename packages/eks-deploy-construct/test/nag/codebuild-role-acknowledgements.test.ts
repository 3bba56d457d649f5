import { App, Stack, aws_codebuild as codebuild, aws_iam as iam, aws_s3 as s3 } from 'aws-cdk-lib';
import { acknowledgeArtifactBucketRead, acknowledgeCodeBuildProjectGrants } from '../../src/nag/codebuild-role-acknowledgements';
import { acknowledgedRuleIds } from '../support/acknowledgements';
import { testStack } from '../support/stacks';

function projectWithRole(stack: Stack): { role: iam.Role; project: codebuild.PipelineProject } {
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
  return { role, project: new codebuild.PipelineProject(stack, 'Build', { role }) };
}

describe('CodeBuild role acknowledgements', () => {
  test('name the project\'s default log group and report groups by its logical id and the stack environment', () => {
    const stack = testStack('333333333333', 'ap-southeast-2');
    const { role, project } = projectWithRole(stack);
    acknowledgeCodeBuildProjectGrants(role, project);
    expect(acknowledgedRuleIds(role)).toEqual(expect.arrayContaining([
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:ap-southeast-2:333333333333:log-group:/aws/codebuild/<Build45A36621>:*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:codebuild:ap-southeast-2:333333333333:report-group/<Build45A36621>-*]',
    ]));
  });

  test('name the partition literally when the stack renders it literally (cdk init\'s enablePartitionLiterals flag)', () => {
    const app = new App({ context: { '@aws-cdk/core:enablePartitionLiterals': true } });
    const stack = new Stack(app, 'Test', { env: { account: '333333333333', region: 'ap-southeast-2' } });
    const { role, project } = projectWithRole(stack);
    acknowledgeCodeBuildProjectGrants(role, project);
    expect(acknowledgedRuleIds(role)).toEqual(expect.arrayContaining([
      'AwsSolutions-IAM5[Resource::arn:aws:logs:ap-southeast-2:333333333333:log-group:/aws/codebuild/<Build45A36621>:*]',
      'AwsSolutions-IAM5[Resource::arn:aws:codebuild:ap-southeast-2:333333333333:report-group/<Build45A36621>-*]',
    ]));
  });

  test('use pseudo parameters in an environment-agnostic stack', () => {
    const stack = new Stack();
    const { role, project } = projectWithRole(stack);
    acknowledgeCodeBuildProjectGrants(role, project);
    expect(acknowledgedRuleIds(role)).toContain('AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/codebuild/<Build45A36621>:*]');
  });

  test('leave the objects of an artifact bucket from another stack unacknowledged', () => {
    const app = new App();
    const bucketStack = new Stack(app, 'Buckets', { env: { account: '111111111111', region: 'us-east-1' } });
    const bucket = new s3.Bucket(bucketStack, 'Artifacts');
    const stack = new Stack(app, 'Deploy', { env: { account: '111111111111', region: 'us-east-1' } });
    const { role } = projectWithRole(stack);
    acknowledgeArtifactBucketRead(role, bucket);
    expect(acknowledgedRuleIds(role).filter((id) => id.includes('Resource::'))).toEqual([]);
  });
});
