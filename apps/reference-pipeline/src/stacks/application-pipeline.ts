import { readFileSync } from 'node:fs';
import { acknowledgePipelineRoleGrants } from '@devsecops-factory/construct-kit';
import {
  ApprovalGate, DeployImage, DeployManifests, EksDeployStage,
} from '@devsecops-factory/eks-deploy-construct';
import {
  BuildSecret, DastScanStage, DEFAULT_FACTORY_POLICY, EcrScanStage, ImageScanner,
} from '@devsecops-factory/scan-stage-construct';
import { Stack, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { addPullRequestPipeline } from './pull-request-pipeline';
import { sourceScanStages } from './source-scans';
import { acknowledgeBuildLocalSecret } from '../compliance/pipeline-acknowledgements';
import { FactoryConfig } from '../config/schema';
import { ArtifactStore } from '../constructs/artifact-store';
import { ImageRepository } from '../constructs/image-repository';
import { PipelineSource, SOURCE_NAMESPACE } from '../constructs/pipeline-source';
import { PrivateNetwork } from '../constructs/private-network';

/** Variables namespace of the ECR push: `#{Publish.IMAGE_DIGEST}`. */
const PUBLISH_NAMESPACE = 'Publish';

export interface ApplicationPipelineProps {
  readonly config: FactoryConfig;
  /** The repository part of the report keys this application's builds may write (`raw/<it>/<stage>/`). */
  readonly reportsRepository: string;
  /** This application's artifact bucket and key (its builds' logs and artifacts too). */
  readonly artifacts: ArtifactStore;
  /** The factory's reports bucket (`FindingsProcessor.reportsBucket`), shared by every application. */
  readonly reportsBucket: s3.IBucket;
  /** The factory's private network, when configured: every build of the application runs in it. */
  readonly network?: PrivateNetwork;
}

/** What the factory's governance watches of one application. */
export interface ApplicationPipeline {
  readonly pipeline: codepipeline.Pipeline;
  /**
   * The pull-request pipeline (`pullRequests.enabled`). Not watched for failures: a pull request failing its
   * gate is the check doing its job, not an incident.
   */
  readonly pullRequestPipeline?: codepipeline.Pipeline;
  /** The roles the application's pipelines run as (pipelines, builds, deploys). */
  readonly roles: iam.IRole[];
}

/**
 * One application's CodePipeline V2 from source to production EKS, built
 * into `scope` (the factory's single stack, or the application's own stack).
 */
export function addApplicationPipeline(scope: Construct, props: ApplicationPipelineProps): ApplicationPipeline {
  const { config, artifacts, network } = props;
  const stack = Stack.of(scope);
  const encryptionKey = artifacts.key;
  // The factory-owned policy: the gate's thresholds and how long the repository's suppressions may last,
  // in the builds and in Security Hub alike.
  const factoryPolicy = factoryPolicyOf(config);
  // A production in another account pulls the image from this repository and verifies its signature.
  const pullAccounts = crossAccountTargets(config).filter((account) => Token.isUnresolved(stack.account) || account !== stack.account);
  const image = new ImageRepository(scope, 'Image', {
    repositoryName: config.image.repositoryName,
    importExisting: config.image.importExistingRepository,
    pullAccounts,
    encryptionKey,
  });
  // The name the manifests use for the image; the deploy replaces it with repository@digest.
  const imageName = config.image.name ?? config.image.repositoryName!;
  const source = new PipelineSource(scope, 'Source', config.source);

  // Every build of the application in the private network, behind the application's own security group.
  const buildNetwork = network ? {
    vpc: network.vpc,
    subnetSelection: network.subnets,
    securityGroups: [network.buildSecurityGroup(scope, 'BuildSecurityGroup', dastPorts(config.dast.targetUrl))],
  } : {};

  const scanProps = {
    factoryPolicy,
    input: source.output,
    reportsBucket: props.reportsBucket,
    encryptionKey,
    policyFile: config.policyFile,
    sourceRepository: props.reportsRepository,
    sourceBranch: config.source.branch,
    ...buildNetwork,
  };
  const snykToken = config.scanners.image.snykTokenSecretArn
    ? BuildSecret.fromSecretsManager(secretsmanager.Secret.fromSecretCompleteArn(scope, 'SnykToken', config.scanners.image.snykTokenSecretArn))
    : undefined;

  const { secrets, code, image: imageScan } = sourceScanStages(scope, config, scanProps, snykToken, imageScanner(config, snykToken));
  const publish = new EcrScanStage(scope, 'EcrScan', {
    ...scanProps,
    imageArtifact: imageScan.imageArtifact,
    ecrRepository: image.repository,
    enhancedScanning: config.image.enhancedScanning,
    variablesNamespace: PUBLISH_NAMESPACE,
    // Each application signs with its own profile, and the stage signs the image itself with notation: the
    // registry's one signing configuration is shared by every application of the account, so none owns it.
    signing: { registrySigningConfiguration: false, verifierAccounts: pullAccounts },
  });

  // One digest, resolved once at push time, flows to staging, the approval mail and production.
  const digest = DeployImage.fromDigest(image.repository.repositoryUri, `#{${PUBLISH_NAMESPACE}.IMAGE_DIGEST}`);
  const manifests = DeployManifests.fromSourceDirectory(config.deploy.manifests, imageName);
  const deployTo = (stageName: 'staging' | 'production') => {
    const target = config.deploy[stageName];
    const id = stageName === 'staging' ? 'StagingDeploy' : 'ProductionDeploy';
    const deploy = new EksDeployStage(scope, id, {
      environment: stageName,
      input: source.output,
      image: digest,
      manifests,
      clusterName: target.clusterName,
      namespace: target.namespace,
      deployRoleArn: target.deployRoleArn,
      // Only a digest signed with this application's profile, whose provenance names this pipeline, deploys.
      imageVerification: { signingProfileArn: publish.signingProfileArn!, repository: image.repository },
      encryptionKey,
      // A private cluster endpoint is only reachable from inside a network that routes to the cluster's VPC.
      ...(target.privateEndpoint ? buildNetwork : {}),
    });
    if (target.privateEndpoint && target.clusterSecurityGroupId && buildNetwork.securityGroups) {
      const clusterGroup = ec2.SecurityGroup.fromSecurityGroupId(scope, `${id}ClusterSecurityGroup`, target.clusterSecurityGroupId, { mutable: true });
      clusterGroup.addIngressRule(buildNetwork.securityGroups[0], ec2.Port.tcp(443), `DevSecOps factory: ${config.name} deploys to ${stageName}`);
    }
    return deploy;
  };
  const staging = deployTo('staging');

  const zapApiKey = new secretsmanager.Secret(scope, 'ZapApiKey', {
    description: 'API key of the ZAP daemon inside the DAST build (generated; never leaves the build)',
    encryptionKey,
    generateSecretString: { passwordLength: 40, excludePunctuation: true },
  });
  acknowledgeBuildLocalSecret(zapApiKey);
  const dast = new DastScanStage(scope, 'DastScan', {
    ...scanProps,
    targetUrl: config.dast.targetUrl,
    scanType: config.dast.mode,
    apiDefinition: config.dast.apiDefinition,
    zapApiKey,
  });
  const approval = new ApprovalGate(scope, 'Approval', {
    environment: 'production',
    image: digest,
    commitId: `#{${SOURCE_NAMESPACE}.CommitId}`,
    notifyEmails: config.notifications.approverEmails,
    encryptionKey,
    // The gate's default filters (RecordState ACTIVE, ProductFields.Commit = the source commit) select every
    // stage's findings of this build: each scan converts with --commit, while resource ids differ per stage
    // (source paths, packages, the repository ARN for ECR) and no prefix of them covers the build.
  });
  const production = deployTo('production');

  const pipeline = new codepipeline.Pipeline(scope, 'Pipeline', {
    pipelineName: config.name,
    pipelineType: codepipeline.PipelineType.V2,
    executionMode: codepipeline.ExecutionMode.QUEUED,
    artifactBucket: artifacts.bucket,
    restartExecutionOnUpdate: false,
    stages: [
      { stageName: 'Source', actions: [source.action] },
      { stageName: 'SecretScan', actions: [secrets.action] },
      // Code SAST and the image build + SCA do not depend on each other: same run order, in parallel.
      { stageName: 'Scan', actions: [code.action, imageScan.action] },
      { stageName: 'Publish', actions: [publish.action] },
      { stageName: 'Staging', actions: [staging.action] },
      { stageName: 'DAST', actions: [dast.action] },
      { stageName: 'Approval', actions: [approval.action] },
      { stageName: 'Production', actions: [production.action] },
    ],
  });

  acknowledgePipelineRoleGrants(pipeline, artifacts.bucket);
  const pullRequests = config.pullRequests?.enabled ? addPullRequestPipeline(scope, {
    config,
    reportsRepository: props.reportsRepository,
    reportsBucket: props.reportsBucket,
    factoryPolicy,
    network,
    imageScanner: (token) => imageScanner(config, token),
  }) : undefined;
  const roles = (...stages: Array<{ project: { role?: iam.IRole } }>) => stages.map((s) => s.project.role)
    .filter((role): role is iam.IRole => role !== undefined);
  return {
    pipeline,
    pullRequestPipeline: pullRequests?.pipeline,
    roles: [
      pipeline.role, ...roles(secrets, code, publish, dast), staging.role, production.role, ...roles(imageScan),
      ...(pullRequests?.roles ?? []),
    ],
  };
}

/** The application's factory-owned policy (YAML): its file, or the scan stages' default. */
export function factoryPolicyOf(config: FactoryConfig): string {
  return config.factoryPolicyFile === undefined ? DEFAULT_FACTORY_POLICY : readFileSync(config.factoryPolicyFile, 'utf-8');
}

/** The factory policy's limit on repository suppressions (its `repository:` section), 0 when it refuses them. */
export function repositorySuppressionDays(policy: string): number {
  const repository = (YAML.parse(policy) as { repository?: { suppressions?: boolean; maxSuppressionDays?: number } } | null)?.repository;
  if (repository?.suppressions === false) return 0;
  return repository?.maxSuppressionDays ?? 90;
}

/** Accounts of the deploy roles in other accounts (from their ARNs), each once. */
function crossAccountTargets(config: FactoryConfig): string[] {
  const accounts = [config.deploy.staging, config.deploy.production]
    .map((target) => target.deployRoleArn?.split(':')[4])
    .filter((account): account is string => account !== undefined && account !== '');
  return [...new Set(accounts)];
}

/** The DAST target's port, when it is not HTTPS's: the builds' security group lets ZAP reach it. */
function dastPorts(targetUrl: string): number[] {
  const url = new URL(targetUrl);
  return [Number(url.port || (url.protocol === 'http:' ? 80 : 443))];
}

function imageScanner(config: FactoryConfig, snykToken: BuildSecret | undefined): ImageScanner {
  switch (config.scanners.image.scanner) {
    case 'trivy': return ImageScanner.trivy();
    case 'snyk': return ImageScanner.snyk({ token: snykToken! });
    default: return ImageScanner.grype();
  }
}
