import { Stack, Validations } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/** What CDK's `grantRead` / `grantReadWrite` on the artifact bucket write into a role's policy. */
const ARTIFACT_READ_ACTIONS = ['s3:GetObject*', 's3:GetBucket*', 's3:List*'];
const ARTIFACT_GRANT_ACTIONS = [...ARTIFACT_READ_ACTIONS, 's3:DeleteObject*', 's3:Abort*'];
const ARTIFACT_KEY_ACTIONS = ['kms:GenerateDataKey*', 'kms:ReEncrypt*'];

const ARTIFACT_REASON = 'CodePipeline grants its roles read/write on the one pipeline artifact bucket and its key; '
  + 'CDK writes these as action prefixes (e.g. s3:GetObject*) confined to that bucket, never a service-wide wildcard';

/**
 * Acknowledgements the factory needs because of how CodePipeline wires roles
 * to its artifact store. The stage constructs cannot make them: they do not
 * know the artifact bucket. Each is proven necessary by a test.
 */
export interface StageRoles {
  /** Roles of actions that only read input artifacts. */
  readonly readers: iam.IRole[];
  /** Roles of actions that also write an output artifact. */
  readonly writers: iam.IRole[];
}

export function acknowledgePipelineGrants(
  pipeline: codepipeline.Pipeline,
  artifactBucket: s3.IBucket,
  stageRoles: StageRoles,
): void {
  const stack = Stack.of(pipeline);
  const bucketLogicalId = stack.resolve((artifactBucket.node.defaultChild as s3.CfnBucket).logicalId);
  const objectsOfArtifactBucket = `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/*]`;

  // The pipeline's own role and its per-action roles.
  Validations.of(pipeline).acknowledge(
    ...[...ARTIFACT_GRANT_ACTIONS, ...ARTIFACT_KEY_ACTIONS].map((action) => ({ id: `AwsSolutions-IAM5[Action::${action}]`, reason: ARTIFACT_REASON })),
    { id: objectsOfArtifactBucket, reason: ARTIFACT_REASON },
    {
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: 'CodePipeline creates one role per action with a DefaultPolicy scoped to that action; a shared managed policy would widen every role to the union of their needs',
    },
  );

  // The stages' CodeBuild roles, which the pipeline grants artifact access to.
  const acknowledge = (roles: iam.IRole[], actions: string[]) => {
    for (const role of roles) {
      Validations.of(role).acknowledge(
        ...actions.map((action) => ({ id: `AwsSolutions-IAM5[Action::${action}]`, reason: ARTIFACT_REASON })),
        { id: objectsOfArtifactBucket, reason: ARTIFACT_REASON },
      );
    }
  };
  acknowledge(stageRoles.readers, ARTIFACT_READ_ACTIONS);
  acknowledge(stageRoles.writers, ARTIFACT_GRANT_ACTIONS);
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
