import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { PipelineSource } from '../../src/constructs/pipeline-source';

const CONNECTION = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0123abcd-0123-abcd-0123-0123456789ab';

function sourceActionStatements(
  source:
    | { type: 'codeconnections'; connectionArn: string; repository: string; branch: string }
    | { type: 'codecommit'; repositoryName: string; branch: string },
) {
  const stack = new Stack(new App(), 'Source');
  const pipelineSource = new PipelineSource(stack, 'Source', source as any);
  const sink = new s3.Bucket(stack, 'Sink');
  new codepipeline.Pipeline(stack, 'Pipeline', {
    stages: [
      { stageName: 'Source', actions: [pipelineSource.action] },
      { stageName: 'Sink', actions: [new actions.S3DeployAction({ actionName: 'Sink', bucket: sink, input: pipelineSource.output })] },
    ],
  });
  return Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith('PipelineSource'))
    .flatMap(([, policy]) => [policy.Properties.PolicyDocument.Statement].flat());
}

describe('PipelineSource', () => {
  test('the source action role may use the connection under both service prefixes (codeconnections ARNs since 2024)', () => {
    const statements = sourceActionStatements({ type: 'codeconnections', connectionArn: CONNECTION, repository: 'acme/shop', branch: 'main' });
    const onConnection = statements.filter((s: any) => s.Resource === CONNECTION).flatMap((s: any) => [s.Action].flat());
    expect(onConnection.sort()).toEqual(['codeconnections:UseConnection', 'codestar-connections:UseConnection']);
  });

  test('a CodeCommit source needs no connection', () => {
    const statements = sourceActionStatements({ type: 'codecommit', repositoryName: 'shop', branch: 'main' });
    expect(JSON.stringify(statements)).not.toContain('UseConnection');
  });
});
