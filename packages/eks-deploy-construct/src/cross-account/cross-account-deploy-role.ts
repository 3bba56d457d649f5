import { ArnFormat, Aws, Duration, PhysicalName, Stack, Token, aws_eks as eks, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { grantNamespaceAccess } from '../private/namespace-access';

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Properties of a `CrossAccountDeployRole`.
 */
export interface CrossAccountDeployRoleProps {
  /**
   * The role of the pipeline's deploy project (`EksDeployStage.role`), the
   * only principal allowed to assume this role.
   */
  readonly trustedRole: iam.IRole;

  /** Name of the EKS cluster, in this stack's account and region. */
  readonly clusterName: string;

  /** The namespace the pipeline may deploy to; it must exist. */
  readonly namespace: string;

  /**
   * Name of the role. Give it for a pipeline in another CDK app: the pipeline
   * account builds the ARN from it (`CrossAccountDeployRole.arnFor`).
   *
   * @default `eks-deploy-<clusterName>-<namespace>-<8 hex characters of this construct's path>`,
   * at most 64 characters: two roles for one cluster and namespace do not collide.
   * Read it from `roleName` (or use `roleArn`) within the same app.
   */
  readonly roleName?: string;
}

/**
 * The role a pipeline in another account assumes to deploy to a cluster of
 * this account: trusted by that pipeline's deploy project role only, allowed
 * to describe this one cluster and, through an EKS access entry, to edit one
 * namespace.
 *
 * Deploy the pipeline stack first: IAM refuses a trust policy whose
 * principal does not exist yet.
 */
export class CrossAccountDeployRole extends Construct {
  /**
   * ARN of a deploy role, to pass as `EksDeployStage.deployRoleArn`.
   *
   * @param account the account of the target cluster
   * @param roleName the `roleName` of the `CrossAccountDeployRole` there
   */
  public static arnFor(account: string, roleName: string): string {
    return `arn:${Aws.PARTITION}:iam::${account}:role/${roleName}`;
  }

  /** The role's name (`CrossAccountDeployRole.arnFor`). */
  public readonly roleName: string;
  /** The role's ARN (`EksDeployStage.deployRoleArn`). */
  public readonly roleArn: string;
  /** The role. */
  public readonly role: iam.IRole;
  /** The namespace-scoped access entry of the role. */
  public readonly accessEntry: eks.CfnAccessEntry;

  constructor(scope: Construct, id: string, props: CrossAccountDeployRoleProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.namespace) && !DNS_LABEL.test(props.namespace)) {
      throw new Error(`namespace must be a DNS-1123 label; got '${props.namespace}'`);
    }
    const roleName = props.roleName ?? defaultRoleName(this, props.clusterName, props.namespace);
    if (!Token.isUnresolved(roleName) && !ROLE_NAME.test(roleName)) {
      throw new Error(`roleName must be 1-64 characters of letters, digits and +=,.@_-; got '${roleName}'`);
    }
    const stack = Stack.of(this);

    const role = new iam.Role(this, 'Role', {
      roleName,
      assumedBy: new iam.ArnPrincipal(props.trustedRole.roleArn),
      maxSessionDuration: Duration.hours(1),
      description: `Assumed by one pipeline deploy project to deploy to ${props.clusterName}/${props.namespace}`,
    });
    new iam.ManagedPolicy(this, 'Policy', {
      description: `Describe EKS cluster ${props.clusterName} (kubeconfig for the deploy)`,
      roles: [role],
      statements: [new iam.PolicyStatement({
        sid: 'DescribeTheTargetCluster',
        actions: ['eks:DescribeCluster'],
        resources: [
          stack.formatArn({ service: 'eks', resource: 'cluster', resourceName: props.clusterName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
        ],
      })],
    });
    this.accessEntry = grantNamespaceAccess(this, 'AccessEntry', props.clusterName, role.roleArn, props.namespace);
    this.role = role;
    this.roleName = Token.isUnresolved(roleName) ? role.roleName : roleName;
    this.roleArn = role.roleArn;
  }
}

/**
 * `eks-deploy-<cluster>-<namespace>-<suffix>`: readable, and unique per
 * construct because the suffix comes from the construct's address (a stable
 * hash of its path), so a second role for the same cluster and namespace gets
 * another name. The readable part is cut so the whole stays within IAM's 64.
 */
function defaultRoleName(scope: Construct, clusterName: string, namespace: string): string {
  if (Token.isUnresolved(clusterName) || Token.isUnresolved(namespace)) {
    // A token cannot be cut to length; let CDK generate a unique name instead.
    return PhysicalName.GENERATE_IF_NEEDED;
  }
  const suffix = `-${scope.node.addr.slice(-8)}`;
  return `eks-deploy-${clusterName}-${namespace}`.slice(0, 64 - suffix.length) + suffix;
}
