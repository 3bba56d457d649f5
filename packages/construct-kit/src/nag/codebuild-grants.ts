import { ArnFormat, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { acknowledgeWildcardResource } from './resource-text';

/**
 * Acknowledges the findings that aws-cdk-lib's own grants raise on a CodeBuild project's role, each by its exact
 * finding id, so that any other wildcard added to the role is still reported: the default log group
 * `/aws/codebuild/<project>` (its streams), the report groups named after the project, the `kms:ReEncrypt*` and
 * `kms:GenerateDataKey*` pairs on the one encryption key, and the role's own default policy.
 */
export function acknowledgeCodeBuildProjectGrants(project: codebuild.Project): void {
  const role = projectRole(project);
  const stack = Stack.of(project);
  // The same ARNs aws-cdk-lib's Project grants, rendered as this stack renders them.
  acknowledgeWildcardResource(role, stack.formatArn({
    service: 'logs', resource: 'log-group', arnFormat: ArnFormat.COLON_RESOURCE_NAME, resourceName: `/aws/codebuild/${project.projectName}:*`,
  }), 'aws-cdk-lib always grants a CodeBuild project its default log group /aws/codebuild/<project>; the :* covers that group\'s '
    + 'streams only (the factory\'s projects log to their own KMS-encrypted log group).');
  acknowledgeWildcardResource(role, stack.formatArn({
    service: 'codebuild', resource: 'report-group', resourceName: `${project.projectName}-*`,
  }), 'aws-cdk-lib always grants a CodeBuild project the report groups named after it (<project>-*); no other report group is covered.');
  Validations.of(role).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
      reason: 'aws-cdk-lib grants CodeBuild the ReEncryptFrom/ReEncryptTo pair as kms:ReEncrypt* on the project\'s one encryption key only.',
    },
    {
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason: 'aws-cdk-lib grants CodeBuild GenerateDataKey and GenerateDataKeyWithoutPlaintext as kms:GenerateDataKey* on the project\'s '
        + 'one encryption key only.',
    },
    {
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: 'The grants aws-cdk-lib and CodePipeline add to the project role (its log group, the key, the artifact bucket) land in the '
        + 'role\'s own default policy, which lives and dies with this one role and is shared with nothing.',
    },
  );
}

/**
 * Acknowledges the grants aws-cdk-lib adds when a CodeBuild project runs in a VPC (the build's elastic network
 * interfaces), by exact finding id. Call it only for a project with a VPC.
 */
export function acknowledgeCodeBuildVpcGrants(project: codebuild.Project): void {
  Validations.of(projectRole(project)).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*]',
    reason: 'aws-cdk-lib lets a VPC CodeBuild project grant CodeBuild permission on its network interfaces: '
      + 'ec2:CreateNetworkInterfacePermission only, conditioned on the project\'s subnets and ec2:AuthorizedService codebuild.amazonaws.com.',
  });
  const policy = project.node.tryFindChild('PolicyDocument');
  if (policy === undefined) return;
  Validations.of(policy).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'aws-cdk-lib\'s VPC policy for CodeBuild: creating, describing and deleting the build\'s network interfaces and describing '
        + 'subnets, security groups, DHCP options and VPCs, which support no resource-level permissions (CodeBuild documents them for '
        + 'builds in a VPC).',
    },
    {
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: 'aws-cdk-lib attaches its CodeBuild VPC policy to the project role only; '
        + 'it is shared with nothing.',
    },
  );
}

/** What aws-cdk-lib's `grantRead` on a bucket writes as action prefixes. */
const ARTIFACT_READ_ACTIONS = ['s3:GetObject*', 's3:GetBucket*', 's3:List*'];
/** What `grantReadWrite` adds to them (the other actions it adds are not wildcards). */
const ARTIFACT_WRITE_ACTIONS = ['s3:DeleteObject*', 's3:Abort*'];

/** Properties of {@link acknowledgeArtifactBucketGrants}. */
export interface ArtifactBucketGrantOptions {
  /** The action has output artifacts: CodePipeline grants read/write instead of read. */
  readonly writes: boolean;
}

/**
 * Acknowledges the grant CodePipeline gives a CodeBuild action's project role on the pipeline's artifact bucket
 * (aws-cdk-lib's read, or read/write, action prefixes; the bucket's objects), by exact finding id. The objects are
 * acknowledged for a bucket of the role's stack or an imported one, never for a bucket of another stack (a
 * cross-stack or cross-region replication bucket): that finding stays visible.
 */
export function acknowledgeArtifactBucketGrants(role: iam.IRole, bucket: s3.IBucket, options: ArtifactBucketGrantOptions): void {
  const actions = [...ARTIFACT_READ_ACTIONS, ...(options.writes ? ARTIFACT_WRITE_ACTIONS : [])];
  const reason = `CodePipeline grants this project ${options.writes ? 'read/write' : 'read'} access to the pipeline's artifact bucket `
    + `(aws-cdk-lib writes the action prefixes ${actions.join(', ')} on that one bucket and its objects) so that the build can fetch its `
    + `input artifacts${options.writes ? ' and store its output artifacts' : ''}.`;
  Validations.of(role).acknowledge(...actions.map((action) => ({ id: `AwsSolutions-IAM5[Action::${action}]`, reason })));
  const resource = bucket.node.defaultChild;
  if (!CfnResource.isCfnResource(resource) || Stack.of(resource) === Stack.of(role)) {
    acknowledgeWildcardResource(role, bucket.arnForObjects('*'),
      'The objects of the pipeline\'s artifact bucket: CodePipeline names a new key per execution and artifact.');
  }
}

/**
 * Acknowledges the artifact bucket grant of a project whose action is a plain aws-cdk-lib `CodeBuildAction`.
 * That bucket is only known when the action joins a pipeline: the action then grants the project role access to
 * it and passes it to the project's `bindToCodePipeline`, which is extended here to acknowledge the grant for
 * exactly that bucket.
 */
export function acknowledgePipelineArtifactGrants(project: codebuild.Project, action: codepipeline.IAction): void {
  const bindToCodePipeline = project.bindToCodePipeline.bind(project);
  project.bindToCodePipeline = (scope, options) => {
    bindToCodePipeline(scope, options);
    acknowledgeArtifactBucketGrants(projectRole(project), options.artifactBucket, {
      writes: (action.actionProperties.outputs ?? []).length > 0,
    });
  };
}

function projectRole(project: codebuild.Project): iam.IRole {
  // Only a project built without a role has none; aws-cdk-lib then grants nothing to acknowledge.
  if (project.role === undefined) throw new Error(`${project.node.path}: the project has no role whose grants could be acknowledged`);
  return project.role;
}
