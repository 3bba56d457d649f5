import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { IConstruct } from 'constructs';

/**
 * The text cdk-nag uses to name a wildcard resource in an IAM finding
 * (`AwsSolutions-IAM5[Resource::<text>]`): references become `<LogicalId.Attr>`,
 * joins are flattened. Mirrors cdk-nag's own flattening so that each
 * acknowledgement names exactly one resource, never the whole rule.
 */
export function nagResourceText(scope: IConstruct, value: string): string {
  return flatten(Stack.of(scope).resolve(value));
}

function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\${/g, '<').replace(/}/g, '>');
  const obj = node as Record<string, any>;
  if (obj['Fn::Join']) {
    const [delimiter, items] = obj['Fn::Join'];
    return (items as unknown[]).map(flatten).join(delimiter);
  }
  if (obj['Fn::Sub']) return flatten(obj['Fn::Sub']);
  if (obj['Fn::GetAtt']) {
    const [resource, attribute] = obj['Fn::GetAtt'];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (obj['Fn::ImportValue']) return flatten(obj['Fn::ImportValue']);
  if (obj.Ref) return `<${flatten(obj.Ref)}>`;
  return JSON.stringify(node);
}

/** Acknowledges one IAM5 wildcard-resource finding on `scope`, for one resource. */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${nagResourceText(scope, resource)}]`, reason });
}

/** What aws-cdk-lib's `grantRead` on a bucket writes as action prefixes. */
const ARTIFACT_READ_ACTIONS = ['s3:GetObject*', 's3:GetBucket*', 's3:List*'];
/** What `grantReadWrite` adds to them (the other actions it adds are not wildcards). */
const ARTIFACT_WRITE_ACTIONS = ['s3:DeleteObject*', 's3:Abort*'];

/**
 * Acknowledges the grant CodePipeline gives the stage's project on the
 * pipeline's artifact bucket. That bucket is only known when the action joins
 * a pipeline: aws-cdk-lib's CodeBuildAction then grants the project role read
 * (read/write when the action has outputs) on it and passes it to the
 * project's `bindToCodePipeline`, which is extended here to acknowledge, for
 * exactly that bucket, the findings the grant raises. A bucket of another
 * stack (cross-stack or cross-region replication bucket) is not named here,
 * so its objects finding stays visible.
 */
export function acknowledgePipelineArtifactGrants(project: codebuild.Project, action: codepipeline.IAction): void {
  const bindToCodePipeline = project.bindToCodePipeline.bind(project);
  project.bindToCodePipeline = (scope, options) => {
    bindToCodePipeline(scope, options);
    const role = project.role!;
    const writes = (action.actionProperties.outputs ?? []).length > 0;
    const reason = `CodePipeline grants this stage's project ${writes ? 'read/write' : 'read'} access to the pipeline's artifact bucket `
      + `(aws-cdk-lib writes the action prefixes ${[...ARTIFACT_READ_ACTIONS, ...(writes ? ARTIFACT_WRITE_ACTIONS : [])].join(', ')} `
      + 'on that one bucket and its objects) so that the build can fetch its input artifacts'
      + (writes ? ' and store its output artifact.' : '.');
    Validations.of(role).acknowledge(
      ...[...ARTIFACT_READ_ACTIONS, ...(writes ? ARTIFACT_WRITE_ACTIONS : [])]
        .map((artifactAction) => ({ id: `AwsSolutions-IAM5[Action::${artifactAction}]`, reason })),
    );
    const bucket = options.artifactBucket.node.defaultChild;
    if (!CfnResource.isCfnResource(bucket) || Stack.of(bucket) === Stack.of(role)) {
      acknowledgeWildcardResource(role, options.artifactBucket.arnForObjects('*'),
        'The objects of the pipeline\'s artifact bucket: CodePipeline names a new key per execution and artifact.');
    }
  };
}

/**
 * Acknowledges the grants aws-cdk-lib adds when a CodeBuild project runs in a
 * VPC (the build's elastic network interfaces), by exact finding id.
 */
export function acknowledgeCodeBuildVpcGrants(project: codebuild.Project): void {
  Validations.of(project.role!).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*]',
    reason: 'aws-cdk-lib lets a VPC CodeBuild project grant CodeBuild permission on its network interfaces: ec2:CreateNetworkInterfacePermission only, '
      + 'conditioned on the project\'s subnets and ec2:AuthorizedService codebuild.amazonaws.com.',
  });
  const policy = project.node.tryFindChild('PolicyDocument');
  if (policy === undefined) return;
  Validations.of(policy).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'aws-cdk-lib\'s VPC policy for CodeBuild: creating, describing and deleting the build\'s network interfaces and describing subnets, '
        + 'security groups, DHCP options and VPCs, which support no resource-level permissions (CodeBuild documents them for builds in a VPC).',
    },
    { id: 'NIST.800.53.R5-IAMNoInlinePolicy', reason: 'aws-cdk-lib attaches its CodeBuild VPC policy to the project role only; it is shared with nothing.' },
  );
}
