import { Stack, Validations } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/** What CDK's `grantRead` / `grantReadWrite` on the artifact bucket write into a role's policy. */
const ARTIFACT_GRANT_ACTIONS = ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'];
const ARTIFACT_KEY_ACTIONS = ['kms:GenerateDataKey*', 'kms:ReEncrypt*'];

const ARTIFACT_REASON = 'CodePipeline grants its roles read/write on the one pipeline artifact bucket and its key; '
  + 'CDK writes these as action prefixes (e.g. s3:GetObject*) confined to that bucket, never a service-wide wildcard';

/**
 * Acknowledgements for the factory's own pipeline: CodePipeline grants its
 * role and its per-action roles access to the artifact bucket and its key.
 * The stage constructs acknowledge the grants CodePipeline gives their own
 * project roles themselves (when their action joins the pipeline); the
 * pipeline's roles are this app's, so their acknowledgements are too. Each is
 * proven necessary by a test.
 */
export function acknowledgePipelineGrants(pipeline: codepipeline.Pipeline, artifactBucket: s3.IBucket): void {
  const stack = Stack.of(pipeline);
  const bucketLogicalId = stack.resolve((artifactBucket.node.defaultChild as s3.CfnBucket).logicalId);
  Validations.of(pipeline).acknowledge(
    ...[...ARTIFACT_GRANT_ACTIONS, ...ARTIFACT_KEY_ACTIONS].map((action) => ({ id: `AwsSolutions-IAM5[Action::${action}]`, reason: ARTIFACT_REASON })),
    { id: `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/*]`, reason: ARTIFACT_REASON },
    {
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: 'CodePipeline creates one role per action with a DefaultPolicy scoped to that action; a shared managed policy would widen every role to the union of their needs',
    },
  );
}

/** The ZAP API key protects the daemon the DAST build starts on localhost; no external party holds it. */
export function acknowledgeBuildLocalSecret(secret: secretsmanager.ISecret): void {
  const reason = 'Generated key shared only between the DAST build and the ZAP daemon it starts on localhost in the same container; '
    + 'no external system holds it, so a rotation schedule has nothing to rotate against';
  Validations.of(secret).acknowledge(
    { id: 'AwsSolutions-SMG4', reason },
    { id: 'NIST.800.53.R5-SecretsManagerRotationEnabled', reason },
  );
}
