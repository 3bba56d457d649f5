import { App, Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ScanStageProps } from '../../src';

/** A stack in a fixed environment, so that tests see the same template every time. */
export function newStack(): Stack {
  return new Stack(new App(), 'Factory', { env: { account: '111111111111', region: 'eu-west-1' } });
}

/** Minimal shared resources a stage needs (a key, a bucket and the source artifact). */
export function stageDependencies(scope: Construct): ScanStageProps {
  const key = new kms.Key(scope, 'SharedKey', { enableKeyRotation: true });
  return {
    input: new codepipeline.Artifact('Source'),
    reportsBucket: new s3.Bucket(scope, 'SharedReports', { encryptionKey: key }),
    encryptionKey: key,
  };
}

/** A pipeline (S3 source) around the given actions, so that their configuration is rendered. */
export function pipelineAround(scope: Construct, source: codepipeline.Artifact, stageActions: codepipeline.IAction[]): codepipeline.Pipeline {
  const sourceBucket = new s3.Bucket(scope, 'SourceBucket', { versioned: true });
  return new codepipeline.Pipeline(scope, 'Pipeline', {
    stages: [
      {
        stageName: 'Source',
        actions: [new actions.S3SourceAction({ actionName: 'Source', bucket: sourceBucket, bucketKey: 'source.zip', output: source })],
      },
      ...stageActions.map((action, index) => ({ stageName: `Stage${index}`, actions: [action] })),
    ],
  });
}

/** A Secrets Manager secret referenced by complete ARN (no resource in the stack). */
export function importedSecret(scope: Construct, id: string, name: string): secretsmanager.ISecret {
  return secretsmanager.Secret.fromSecretCompleteArn(scope, id, `arn:aws:secretsmanager:eu-west-1:111111111111:secret:${name}-AbCdEf`);
}

/** An ECR repository referenced by name. */
export function importedRepository(scope: Construct): ecr.IRepository {
  return ecr.Repository.fromRepositoryName(scope, 'AppRepository', 'sample-app');
}

/** The environment variables of the CodeBuild project with this logical-id prefix. */
export function projectEnvironment(template: Record<string, any>, logicalIdPrefix: string): Record<string, { Type: string; Value: unknown }> {
  const [, project] = Object.entries<any>(template.Resources).find(
    ([id, r]) => r.Type === 'AWS::CodeBuild::Project' && id.startsWith(logicalIdPrefix),
  )!;
  return Object.fromEntries(project.Properties.Environment.EnvironmentVariables.map((v: any) => [v.Name, { Type: v.Type, Value: v.Value }]));
}
