import { App, Stack, aws_codepipeline as codepipeline, aws_codepipeline_actions as actions, aws_kms as kms, aws_s3 as s3 } from 'aws-cdk-lib';

/** A stack with a fixed environment, so ARNs in the template are literal. */
export function testStack(account = '111111111111', region = 'eu-west-1'): Stack {
  return new Stack(new App(), 'Test', { env: { account, region } });
}

/** The key a pipeline shares between its stages. */
export function sharedKey(stack: Stack): kms.Key {
  return new kms.Key(stack, 'PipelineKey', { enableKeyRotation: true });
}

export function sourceArtifact(): codepipeline.Artifact {
  return new codepipeline.Artifact('Source');
}

export const DIGEST = `sha256:${'a'.repeat(64)}`;
export const REPOSITORY = '111111111111.dkr.ecr.eu-west-1.amazonaws.com/sample-app';

/**
 * A minimal pipeline (S3 source) around the given actions, so action
 * configuration and the grants CodePipeline adds show in the template.
 */
export function pipelineAround(
  stack: Stack,
  source: codepipeline.Artifact,
  stages: Array<{ name: string; actions: codepipeline.IAction[] }>,
): codepipeline.Pipeline {
  const bucket = new s3.Bucket(stack, 'SourceBucket', { enforceSSL: true, versioned: true, encryption: s3.BucketEncryption.S3_MANAGED });
  return new codepipeline.Pipeline(stack, 'Pipeline', {
    stages: [
      { stageName: 'Source', actions: [new actions.S3SourceAction({ actionName: 'Source', bucket, bucketKey: 'source.zip', output: source })] },
      ...stages.map((stage) => ({ stageName: stage.name, actions: stage.actions })),
    ],
  });
}

/** The configuration of one action of the synthesized pipeline. */
export function actionConfiguration(template: any, actionName: string): Record<string, any> {
  const pipelines = Object.values(template.Resources).filter((resource: any) => resource.Type === 'AWS::CodePipeline::Pipeline') as any[];
  const found = pipelines.flatMap((pipeline) => pipeline.Properties.Stages.flatMap((stage: any) => stage.Actions))
    .find((action: any) => action.Name === actionName);
  if (!found) {
    throw new Error(`no action ${actionName}`);
  }
  return found.Configuration;
}

/** Every statement of every IAM policy (inline, managed, role and key policies excluded). */
export function identityStatements(template: any): any[] {
  return Object.values(template.Resources)
    .filter((resource: any) => resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy')
    .flatMap((resource: any) => resource.Properties.PolicyDocument.Statement);
}

/** Flags `*` and service-wide (`s3:*`) actions. */
export function wildcardActions(statements: any[]): string[] {
  return statements.flatMap((statement) => [statement.Action ?? []].flat())
    .filter((action: string) => action === '*' || action.endsWith(':*'));
}
