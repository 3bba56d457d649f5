import * as zlib from 'zlib';
import { acknowledgeCodeBuildProjectGrants, acknowledgeCodeBuildVpcGrants, allowCloudWatchLogsToUseKey } from '@devsecops-factory/construct-kit';
import {
  ArnFormat, Duration, PhysicalName, RemovalPolicy, Stack, Token, Validations,
  aws_codebuild as codebuild,
  aws_codepipeline as codepipeline,
  aws_ec2 as ec2,
  aws_ecr as ecr,
  aws_eks as eks,
  aws_iam as iam,
  aws_kms as kms,
  aws_logs as logs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { KubectlRelease } from './kubectl-release';
import { DeployImage } from '../image/deploy-image';
import { DeployManifests } from '../manifests/deploy-manifests';
import { DeployAction } from '../private/deploy-action';
import { deployBuildspec } from '../private/deploy-buildspec';
import { isDeferred } from '../private/image-digest';
import { grantNamespaceAccess } from '../private/namespace-access';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const ROLE_ARN = /^arn:[a-z-]+:iam::\d{12}:role\/[\w+=,.@/-]+$/;
/** `repository@sha256:<64 hex>`, no tag: what the build's admission check compares. */
const DIGEST_REFERENCE = /^[a-z0-9]([a-z0-9._:/-]*[a-z0-9])?@sha256:[a-f0-9]{64}$/;
/** ALLOWED_IMAGES is one environment variable: kept under the 4,096 characters CodeBuild allows a StartBuild override. */
const MAX_ALLOWED_IMAGES_CHARS = 4_000;
/**
 * Generated manifests travel inside the project definition; past this size an
 * application should keep its manifests in the source repository instead.
 */
const MAX_GENERATED_MANIFEST_CHARS = 16_000;
const DEFAULT_ROLLOUT_TIMEOUT = Duration.minutes(5);
const DEFAULT_BUILD_TIMEOUT = Duration.minutes(30);

/**
 * What the deploy verifies about the digest before anything reaches the cluster.
 */
export interface ImageVerification {
  /**
   * ARN of the AWS Signer signing profile the image must be signed with (`EcrScanStage.signingProfileArn`).
   * The build generates notation's trust policy from it: a signature by any other profile, or none, refuses
   * the deploy.
   */
  readonly signingProfileArn: string;

  /**
   * The ECR repository of the image: the project may read its images and their referrers (signatures and
   * the provenance statement), nothing else.
   */
  readonly repository: ecr.IRepository;
}

/**
 * Properties of an `EksDeployStage`.
 */
export interface EksDeployStageProps {
  /**
   * Short name of the environment this stage deploys to, e.g. `staging`: letters, digits and hyphens (at most
   * 40). It names the action (`Deploy-staging`) and the variables namespace, and appears in the role's and the
   * project's descriptions and the build logs.
   */
  readonly environment: string;

  /** The source artifact (it holds the manifests when they come from the repository). */
  readonly input: codepipeline.Artifact;

  /**
   * The image to deploy, by digest. Pass the same object to the staging and
   * the production stage.
   */
  readonly image: DeployImage;

  /** What to apply: a folder of the source artifact or generated manifests. */
  readonly manifests: DeployManifests;

  /**
   * Images other than the promoted one that containers of the manifests may
   * run (sidecars, init containers), each `repository@sha256:<64 hex>`
   * without tag. A container matches when its image has the same repository,
   * written as in the manifests, and digest (a tag before the digest is
   * ignored). The build's admission check refuses every other image, so an
   * application repository cannot add a container of its own choosing.
   *
   * @default - none: every container runs the promoted image
   */
  readonly allowedImages?: string[];

  /**
   * Name of an existing EKS cluster. Give either this or `cluster`.
   *
   * @default - the name of `cluster`
   */
  readonly clusterName?: string;

  /**
   * An existing (imported) EKS cluster. Give either this or `clusterName`.
   *
   * @default - the cluster named `clusterName`
   */
  readonly cluster?: eks.ICluster;

  /**
   * Region of the cluster.
   *
   * @default - the region of this stack
   */
  readonly clusterRegion?: string;

  /**
   * Kubernetes namespace to deploy into. It must exist: the deploy role may
   * edit this namespace and nothing else. The build checks it before rendering
   * anything and fails naming the command that creates it.
   */
  readonly namespace: string;

  /**
   * VPC to run the deploy build in. Needed when the cluster's API server
   * endpoint is private: CodeBuild outside the VPC cannot reach it. The
   * subnets need outbound HTTPS (a NAT gateway, or VPC endpoints for STS, EKS
   * and CloudWatch Logs plus a route to dl.k8s.io for the kubectl download),
   * and the cluster security group must allow HTTPS from `securityGroups`.
   *
   * @default - no VPC: the cluster endpoint must be public
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Subnets of `vpc` the build runs in (private subnets with egress).
   *
   * @default - the private subnets of `vpc`
   */
  readonly subnetSelection?: ec2.SubnetSelection;

  /**
   * Security groups of the build in `vpc`; allow HTTPS from them in the
   * cluster security group.
   *
   * @default - one new security group with outbound access only
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /** KMS key for the build logs and artifacts (shared by the pipeline's stages). */
  readonly encryptionKey: kms.IKey;

  /**
   * Refuse a digest whose signature does not verify against the factory's signing profile, or whose signed
   * provenance statement (in-toto, SLSA provenance v1, attached by `EcrScanStage`) does not name this
   * pipeline and a passed gate. The build fails with one line naming what failed, before it assumes
   * `deployRoleArn` or talks to the cluster.
   *
   * @default - no verification: the digest is deployed as given
   */
  readonly imageVerification?: ImageVerification;

  /**
   * Role in the cluster's account that the build assumes to deploy (see
   * `CrossAccountDeployRole`). The project may assume this role and nothing
   * else; no access entry is created in this account.
   *
   * @default - same account: the project's own role gets a namespace-scoped access entry
   */
  readonly deployRoleArn?: string;

  /**
   * How long `kubectl rollout status` waits before the deploy is rolled back.
   *
   * @default Duration.minutes(5)
   */
  readonly rolloutTimeout?: Duration;

  /**
   * Build timeout (download, apply, rollout and a possible rollback).
   *
   * @default Duration.minutes(30)
   */
  readonly buildTimeout?: Duration;

  /**
   * kubectl release, pinned and checksum-verified.
   *
   * @default KubectlRelease.V1_36_4
   */
  readonly kubectl?: KubectlRelease;

  /**
   * Retention of the build logs.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Position of the action in its pipeline stage.
   *
   * @default 1
   */
  readonly runOrder?: number;

  /**
   * Namespace of the variables the action exports (`DEPLOYED_IMAGE`).
   *
   * @default - `Deploy` followed by the environment, e.g. `DeployStaging`
   */
  readonly variablesNamespace?: string;
}

/**
 * A CodePipeline action and its CodeBuild project that deploy an image, by
 * digest, to a namespace of an existing EKS cluster, wait for the rollout and
 * roll back automatically when it fails.
 *
 * The build runs a pinned, checksum-verified kubectl after
 * `aws eks update-kubeconfig`; no cluster is created and no kubectl Lambda is
 * needed. Its role may describe that one cluster and, through an EKS access
 * entry, edit that one namespace (no cluster-admin, no aws-auth ConfigMap).
 */
export class EksDeployStage extends Construct {
  /** The CodeBuild project that runs the deploy. */
  public readonly project: codebuild.PipelineProject;
  /** The CodeBuild action to add to a pipeline stage. */
  public readonly action: codepipeline.IAction;
  /** The role of the project (trusted by a `CrossAccountDeployRole`). */
  public readonly role: iam.IRole;
  /** Namespace of the variables the action exports (`DEPLOYED_IMAGE`). */
  public readonly variablesNamespace: string;
  /** The Kubernetes namespace this stage deploys to (`ImageSignatureAdmissionAddon` checks its pods). */
  public readonly namespace: string;
  /** The images besides the promoted one that this stage's workloads may run, each pinned by digest. */
  public readonly allowedImages: string[];
  /**
   * The namespace-scoped access entry of the project role.
   *
   * @default - none when the deploy assumes `deployRoleArn`
   */
  public readonly accessEntry?: eks.CfnAccessEntry;

  constructor(scope: Construct, id: string, props: EksDeployStageProps) {
    super(scope, id);
    validateProps(props);
    const cluster = targetCluster(this, props);
    this.variablesNamespace = props.variablesNamespace ?? `Deploy${pascalCase(props.environment)}`;
    this.namespace = props.namespace;
    this.allowedImages = props.allowedImages ?? [];

    const role = deployRole(this, props, cluster);
    this.role = role;
    this.project = deployProject(this, role, props, cluster);
    acknowledgeCodeBuildProjectGrants(this.project);
    if (props.vpc !== undefined) acknowledgeCodeBuildVpcGrants(this.project);
    if (props.imageVerification !== undefined) grantImageVerification(role, props.imageVerification);
    this.accessEntry = grantClusterAccess(this, role, props, cluster);

    this.action = new DeployAction(role, {
      actionName: `Deploy-${props.environment}`,
      project: this.project,
      input: props.input,
      runOrder: props.runOrder,
      variablesNamespace: this.variablesNamespace,
      // The image is an override on the action, so it may be a pipeline
      // variable resolved when this execution runs.
      environmentVariables: plain({
        IMAGE_REPOSITORY: props.image.repository,
        IMAGE_DIGEST: props.image.digest,
      }),
    });
  }
}

/** The cluster the stage deploys to, as the project and the role's policy name it. */
interface TargetCluster {
  readonly name: string;
  readonly region: string;
}

function targetCluster(scope: Construct, props: EksDeployStageProps): TargetCluster {
  const stack = Stack.of(scope);
  const name = props.cluster?.clusterName ?? props.clusterName!;
  const region = props.clusterRegion ?? stack.region;
  const regionsKnown = !Token.isUnresolved(region) && !Token.isUnresolved(stack.region);
  if (props.deployRoleArn === undefined && regionsKnown && region !== stack.region) {
    // The access entry is a resource of this stack, so of this region.
    throw new Error(`cluster region ${region} differs from the stack region ${stack.region}: `
      + 'deploy a CrossAccountDeployRole in the cluster\'s region and pass deployRoleArn');
  }
  return { name, region };
}

/**
 * The role the deploy build runs as. A physical name is generated when a stack in another account needs its
 * ARN (a CrossAccountDeployRole trusts exactly this role). Confused-deputy protection: CodeBuild may assume it
 * only for a project of this account and Region. Not this project's ARN: its name is generated and the project
 * depends on the role (a circular dependency).
 */
function deployRole(scope: Construct, props: EksDeployStageProps, cluster: TargetCluster): iam.Role {
  const stack = Stack.of(scope);
  const anyProjectHere = stack.formatArn({ service: 'codebuild', resource: 'project', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  return new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com', {
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': anyProjectHere },
      },
    }),
    roleName: PhysicalName.GENERATE_IF_NEEDED,
    description: `Deploys ${props.environment} to EKS cluster ${cluster.name} namespace ${props.namespace}`,
  });
}

/** The deploy build: pinned kubectl, the target and the manifests as plain variables, logs in its own encrypted group. */
function deployProject(scope: Construct, role: iam.IRole, props: EksDeployStageProps, cluster: TargetCluster): codebuild.PipelineProject {
  const rolloutTimeout = props.rolloutTimeout ?? DEFAULT_ROLLOUT_TIMEOUT;
  const kubectl = props.kubectl ?? KubectlRelease.V1_36_4;
  const logGroup = new logs.LogGroup(scope, 'Logs', {
    encryptionKey: props.encryptionKey,
    retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  allowCloudWatchLogsToUseKey(props.encryptionKey, scope);
  return new codebuild.PipelineProject(scope, 'Project', {
    description: `Deploy an image by digest to EKS (${props.environment})`,
    role,
    encryptionKey: props.encryptionKey,
    timeout: props.buildTimeout ?? DEFAULT_BUILD_TIMEOUT,
    queuedTimeout: Duration.hours(1),
    buildSpec: codebuild.BuildSpec.fromObjectToYaml(deployBuildspec()),
    environment: {
      buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
      computeType: codebuild.ComputeType.SMALL,
      privileged: false,
      environmentVariables: plain({
        // The buildspec's name for the environment (it prefixes the build's log lines).
        STAGE_NAME: props.environment,
        CLUSTER_NAME: cluster.name,
        CLUSTER_REGION: cluster.region,
        NAMESPACE: props.namespace,
        DEPLOY_ROLE_ARN: props.deployRoleArn ?? '',
        MANIFEST_DIR: props.manifests.directory,
        MANIFEST_IMAGE_NAME: props.manifests.imageName,
        GENERATED_MANIFEST_GZ_B64: encodeGenerated(props.manifests.generatedYaml),
        ALLOWED_IMAGES: (props.allowedImages ?? []).join(','),
        ROLLOUT_TIMEOUT: `${rolloutTimeout.toSeconds()}s`,
        KUBECTL_VERSION: kubectl.version,
        KUBECTL_SHA256: kubectl.linuxAmd64Sha256,
        SIGNING_PROFILE_ARN: props.imageVerification?.signingProfileArn ?? '',
      }),
    },
    logging: { cloudWatch: { logGroup } },
    vpc: props.vpc,
    subnetSelection: props.subnetSelection,
    securityGroups: props.securityGroups,
  });
}

/**
 * How the build reaches the cluster: across accounts it may assume `deployRoleArn` and nothing else (no access
 * entry here); in this account it may describe the one cluster and gets a namespace-scoped access entry, returned.
 */
function grantClusterAccess(
  scope: Construct, role: iam.Role, props: EksDeployStageProps, cluster: TargetCluster,
): eks.CfnAccessEntry | undefined {
  if (props.deployRoleArn) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'AssumeTheTargetAccountDeployRole',
      actions: ['sts:AssumeRole'],
      resources: [props.deployRoleArn],
    }));
    return undefined;
  }
  const clusterArn = props.cluster?.clusterArn ?? Stack.of(scope).formatArn({
    service: 'eks',
    region: cluster.region,
    resource: 'cluster',
    resourceName: cluster.name,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'DescribeTheTargetCluster',
    actions: ['eks:DescribeCluster'],
    resources: [clusterArn],
  }));
  return grantNamespaceAccess(scope, 'AccessEntry', cluster.name, role.roleArn, props.namespace);
}

/**
 * Reading the image's signatures and provenance: pulling from its one repository, logging in to the
 * registry and asking AWS Signer for the revocation status of the signatures (the plugin does, during
 * `notation verify`). Neither of the last two has resource-level permissions.
 */
function grantImageVerification(role: iam.Role, verification: ImageVerification): void {
  const profileArn = verification.signingProfileArn;
  if (!Token.isUnresolved(profileArn) && !/^arn:[a-z-]+:signer:[a-z0-9-]+:\d{12}:\/signing-profiles\/[A-Za-z0-9_]{2,64}$/.test(profileArn)) {
    throw new Error('imageVerification.signingProfileArn must be an AWS Signer signing profile ARN '
      + `(arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>); got '${profileArn}'`);
  }
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'ReadTheImageSignaturesAndProvenance',
    actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
    resources: [verification.repository.repositoryArn],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'RegistryLoginAndSignatureRevocation',
    actions: ['ecr:GetAuthorizationToken', 'signer:GetRevocationStatus'],
    resources: ['*'],
  }));
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'ecr:GetAuthorizationToken (registry login) and signer:GetRevocationStatus (checked by the AWS Signer plugin during notation verify) '
      + 'have no resource-level permissions; reading images is limited to the one repository.',
  });
}

function validateProps(props: EksDeployStageProps): void {
  if ((props.cluster === undefined) === (props.clusterName === undefined)) {
    throw new Error('give exactly one of cluster and clusterName');
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/.test(props.environment)) {
    throw new Error(`environment must be letters, digits and hyphens (at most 40); got '${props.environment}'`);
  }
  if (!Token.isUnresolved(props.namespace) && !DNS_LABEL.test(props.namespace)) {
    throw new Error(`namespace must be a DNS-1123 label; got '${props.namespace}'`);
  }
  if (props.deployRoleArn !== undefined && !isDeferred(props.deployRoleArn) && !ROLE_ARN.test(props.deployRoleArn)) {
    throw new Error(`deployRoleArn must be an IAM role ARN; got '${props.deployRoleArn}'`);
  }
  if (props.vpc === undefined && (props.subnetSelection !== undefined || props.securityGroups !== undefined)) {
    throw new Error('subnetSelection and securityGroups place the build in a VPC: give vpc too');
  }
  if (props.deployRoleArn !== undefined && props.cluster !== undefined) {
    throw new Error('an imported cluster lives in this account; for a cross-account target give clusterName and deployRoleArn');
  }
  for (const image of props.allowedImages ?? []) {
    const name = image.slice(0, image.lastIndexOf('@'));
    if (!Token.isUnresolved(image) && (!DIGEST_REFERENCE.test(image) || name.slice(name.lastIndexOf('/') + 1).includes(':'))) {
      throw new Error(`allowedImages entries must be repository@sha256:<64 hex> (pinned by digest, no tag); got '${image}'`);
    }
  }
  if ((props.allowedImages ?? []).join(',').length > MAX_ALLOWED_IMAGES_CHARS) {
    throw new Error(`allowedImages is too long for one build variable (more than ${MAX_ALLOWED_IMAGES_CHARS} characters joined)`);
  }
  const rollout = (props.rolloutTimeout ?? DEFAULT_ROLLOUT_TIMEOUT).toSeconds();
  if (rollout < 30 || rollout > 3600) {
    throw new Error('rolloutTimeout must be between 30 seconds and 1 hour');
  }
  const build = (props.buildTimeout ?? DEFAULT_BUILD_TIMEOUT).toSeconds();
  if (build < 2 * rollout + 300 || build > 8 * 3600) {
    // A failed rollout waits twice (the rollout, then the rollback) plus setup.
    throw new Error('buildTimeout must leave room for two rollout waits and setup (at least 2 x rolloutTimeout + 5 minutes) and be at most 8 hours');
  }
}

function plain(variables: Record<string, string>): Record<string, codebuild.BuildEnvironmentVariable> {
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [
    name, { type: codebuild.BuildEnvironmentVariableType.PLAINTEXT, value },
  ]));
}

/**
 * Generated manifests are carried gzip+base64 in a plain environment variable
 * of the project: they contain no secret, every change shows in the
 * CloudFormation diff, and no asset bucket or extra permission is needed.
 */
function encodeGenerated(yaml: string | undefined): string {
  if (yaml === undefined) {
    return '';
  }
  const encoded = zlib.gzipSync(Buffer.from(yaml, 'utf8'), { level: 9 }).toString('base64');
  if (encoded.length > MAX_GENERATED_MANIFEST_CHARS) {
    throw new Error(`generated manifests are too large to embed (${encoded.length} > ${MAX_GENERATED_MANIFEST_CHARS} encoded characters); `
      + 'keep them in the source repository');
  }
  return encoded;
}

function pascalCase(value: string): string {
  return value.split('-').filter((part) => part.length > 0)
    .map((part) => part[0].toUpperCase() + part.slice(1)).join('');
}
