import { acknowledgementsIn } from '@devsecops-factory/test-kit';
import {
  Stack,
  aws_codebuild as codebuild,
  aws_codepipeline as codepipeline,
  aws_codepipeline_actions as actions,
  aws_iam as iam,
} from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DeployAction } from '../../src/private/deploy-action';
import { identityStatements, pipelineAround, sourceArtifact, testStack } from '../support/stacks';

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
    expect(acknowledgementsIn(setUp(false)).map((ack) => ack.id)).toEqual([]);
  });

  test('acknowledges the artifact bucket read grant on the project role once bound', () => {
    expect(acknowledgementsIn(setUp(true)).map((ack) => ack.id)).toEqual([
      'AwsSolutions-IAM5[Action::s3:GetObject*]',
      'AwsSolutions-IAM5[Action::s3:GetBucket*]',
      'AwsSolutions-IAM5[Action::s3:List*]',
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<PipelineArtifactsBucket[0-9A-F]{8}\.Arn>\/\*\]$/),
    ]);
  });

  test('lets a project cloning through a connection use it under both service prefixes (codeconnections ARNs since 2024)', () => {
    const stack = testStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    const project = new codebuild.PipelineProject(stack, 'Project', { role });
    const source = sourceArtifact();
    const connectionArn = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0123abcd-0123-abcd-0123-0123456789ab';
    new codepipeline.Pipeline(stack, 'Pipeline', {
      stages: [
        {
          stageName: 'Source',
          actions: [
            new actions.CodeStarConnectionsSourceAction({
              actionName: 'Source',
              connectionArn,
              owner: 'acme',
              repo: 'shop',
              output: source,
              codeBuildCloneOutput: true,
            }),
          ],
        },
        { stageName: 'Deploy', actions: [new DeployAction(role, { actionName: 'Deploy', project, input: source })] },
      ],
    });
    const roleLogicalId = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
    const granted = Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleLogicalId }]))
      .flatMap((policy) => identityStatements({ Resources: { policy } }))
      .filter((statement) => statement.Resource === connectionArn)
      .flatMap((statement) => [statement.Action].flat());
    expect(granted.sort()).toEqual(['codeconnections:UseConnection', 'codestar-connections:UseConnection']);
  });

  test('grants no connection use behind another source', () => {
    const stack = testStack();
    const role = setUpIn(stack);
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('UseConnection');
    expect(role).toBeDefined();
  });
});

function setUpIn(stack: Stack): iam.Role {
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
  const project = new codebuild.PipelineProject(stack, 'Project', { role });
  const source = sourceArtifact();
  pipelineAround(stack, source, [{ name: 'Deploy', actions: [new DeployAction(role, { actionName: 'Deploy', project, input: source })] }]);
  return role;
}
