import { ArnFormat, CfnResource, Stack, Validations, aws_codebuild as codebuild, aws_iam as iam, aws_s3 as s3 } from 'aws-cdk-lib';
import { nagResourceText } from './nag-resource-text';

/**
 * Acknowledges the findings that aws-cdk-lib's own CodeBuild grants raise on
 * a project role, each by its exact finding id, so any other wildcard added
 * to the role is still reported.
 */
export function acknowledgeCodeBuildProjectGrants(role: iam.Role, project: codebuild.PipelineProject): void {
  const stack = Stack.of(project);
  // The same ARNs aws-cdk-lib's Project grants, rendered as this stack renders them.
  const defaultLogStreams = nagResourceText(role, stack.formatArn({
    service: 'logs', resource: 'log-group', arnFormat: ArnFormat.COLON_RESOURCE_NAME, resourceName: `/aws/codebuild/${project.projectName}:*`,
  }));
  const ownReportGroups = nagResourceText(role, stack.formatArn({
    service: 'codebuild', resource: 'report-group', resourceName: `${project.projectName}-*`,
  }));
  Validations.of(role).acknowledge(
    {
      id: `AwsSolutions-IAM5[Resource::${defaultLogStreams}]`,
      reason: 'aws-cdk-lib always grants a CodeBuild project its default log group /aws/codebuild/<project>; the :* covers its build-named log streams only. The build logs to its own KMS-encrypted log group.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::${ownReportGroups}]`,
      reason: 'aws-cdk-lib always grants a CodeBuild project the report groups named after it (<project>-*); nothing outside this project\'s own report groups is covered.',
    },
    {
      id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
      reason: 'aws-cdk-lib grants CodeBuild the ReEncryptFrom/ReEncryptTo pair as kms:ReEncrypt* on the one pipeline key (resource is that key ARN only).',
    },
    {
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason: 'aws-cdk-lib grants CodeBuild GenerateDataKey and GenerateDataKeyWithoutPlaintext as kms:GenerateDataKey* on the one pipeline key (resource is that key ARN only).',
    },
    {
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: 'The grants that aws-cdk-lib and CodePipeline add to the project role (its log group, the pipeline key, the artifact bucket) land in the role\'s own policy; it is attached to this one role and shared with nothing.',
    },
  );
}

/**
 * Acknowledges the read grant CodePipeline gives a CodeBuild action's project
 * on the pipeline artifact bucket (aws-cdk-lib's read action set), by exact
 * finding id. Nothing is acknowledged for a bucket whose logical id is not
 * known here (another stack): those findings stay visible.
 */
export function acknowledgeArtifactBucketRead(role: iam.IRole, bucket: s3.IBucket): void {
  const reason = 'CodePipeline grants the deploy project read access to the pipeline artifact bucket (s3:GetObject*, s3:GetBucket*, s3:List* on that bucket and its objects) so it can fetch the source artifact.';
  Validations.of(role).acknowledge(
    { id: 'AwsSolutions-IAM5[Action::s3:GetObject*]', reason },
    { id: 'AwsSolutions-IAM5[Action::s3:GetBucket*]', reason },
    { id: 'AwsSolutions-IAM5[Action::s3:List*]', reason },
  );
  const bucketResource = bucket.node.defaultChild;
  if (CfnResource.isCfnResource(bucketResource) && Stack.of(bucketResource) === Stack.of(role)) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(bucketResource).getLogicalId(bucketResource)}.Arn>/*]`,
      reason: 'The objects of the pipeline artifact bucket: the project reads the source artifact of the execution it runs for.',
    });
  }
}

/**
 * Acknowledges the grants aws-cdk-lib adds when a CodeBuild project runs in a
 * VPC (the build's elastic network interfaces), by exact finding id; nothing
 * when the project has no VPC.
 */
export function acknowledgeCodeBuildVpcGrants(role: iam.Role, project: codebuild.PipelineProject): void {
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*]',
    reason: 'aws-cdk-lib lets a VPC CodeBuild project grant CodeBuild permission on its network interfaces: ec2:CreateNetworkInterfacePermission only, conditioned on the project\'s subnets and ec2:AuthorizedService codebuild.amazonaws.com.',
  });
  const policy = project.node.tryFindChild('PolicyDocument');
  if (policy !== undefined) {
    Validations.of(policy).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'aws-cdk-lib\'s VPC policy for CodeBuild: creating, describing and deleting the build\'s network interfaces and describing subnets, security groups, DHCP options and VPCs, as CodeBuild documents for builds in a VPC.',
      },
      {
        id: 'NIST.800.53.R5-IAMNoInlinePolicy',
        reason: 'aws-cdk-lib attaches its CodeBuild VPC policy to the project role only; it is shared with nothing.',
      },
    );
  }
}
