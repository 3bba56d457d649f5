import { aws_codebuild as codebuild, aws_iam as iam } from 'aws-cdk-lib';
import { DeployAction } from '../../src/deploy/deploy-action';
import { acknowledgedRuleIds } from '../support/acknowledgements';
import { pipelineAround, sourceArtifact, testStack } from '../support/stacks';

describe('DeployAction', () => {
  function setUp(joinPipeline: boolean): iam.Role {
    const stack = testStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    const project = new codebuild.PipelineProject(stack, 'Project', { role });
    const source = sourceArtifact();
    const action = new DeployAction(role, { actionName: 'Deploy', project, input: source });
    if (joinPipeline) {
      pipelineAround(stack, source, [{ name: 'Deploy', actions: [action] }]);
    }
    return role;
  }

  test('acknowledges nothing before it joins a pipeline', () => {
    expect(acknowledgedRuleIds(setUp(false))).toEqual([]);
  });

  test('acknowledges the artifact bucket read grant on the project role once bound', () => {
    expect(acknowledgedRuleIds(setUp(true))).toEqual([
      'AwsSolutions-IAM5[Action::s3:GetObject*]',
      'AwsSolutions-IAM5[Action::s3:GetBucket*]',
      'AwsSolutions-IAM5[Action::s3:List*]',
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<PipelineArtifactsBucket[0-9A-F]{8}\.Arn>\/\*\]$/),
    ]);
  });
});
