import { Validations } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { nagResourceText } from './resource-text';

/** What aws-cdk-lib's `grantReadWrite` on the artifact bucket and its key writes as action prefixes. */
const PIPELINE_GRANT_ACTIONS = [
  's3:GetObject*',
  's3:GetBucket*',
  's3:List*',
  's3:DeleteObject*',
  's3:Abort*',
  'kms:GenerateDataKey*',
  'kms:ReEncrypt*',
];

/**
 * Acknowledges, on a pipeline the factory builds itself, the grants CodePipeline gives its own role and the role of
 * each action on the artifact bucket (its objects) and the bucket's key, by exact finding id. The stage
 * constructs acknowledge what CodePipeline grants their project roles themselves (acknowledgePipelineArtifactGrants).
 */
export function acknowledgePipelineRoleGrants(pipeline: codepipeline.Pipeline, artifactBucket: s3.IBucket): void {
  const reason = 'CodePipeline grants its roles read/write on the one pipeline artifact bucket and its key; '
    + 'aws-cdk-lib writes these as action prefixes (e.g. s3:GetObject*) confined to that bucket, never a service-wide wildcard.';
  Validations.of(pipeline).acknowledge(
    ...PIPELINE_GRANT_ACTIONS.map((action) => ({ id: `AwsSolutions-IAM5[Action::${action}]`, reason })),
    { id: `AwsSolutions-IAM5[Resource::${nagResourceText(pipeline, artifactBucket.arnForObjects('*'))}]`, reason },
    {
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: 'CodePipeline creates one role per action with a default policy scoped to that action; a shared managed policy would widen '
        + 'every role to the union of their needs.',
    },
  );
}
