import { readFileSync } from 'node:fs';
import { parsePolicy } from '@devsecops-factory/asff-parsers';
import { acknowledgePipelineRoleGrants } from '@devsecops-factory/construct-kit';
import {
  ApprovalGate, DeployImage, DeployManifests, EksDeployStage,
} from '@devsecops-factory/eks-deploy-construct';
import {
  BuildSecret, DastScanStage, DEFAULT_FACTORY_POLICY, EcrScanStage, ImageScanner, InSourceSuppressions, IScanStage, ScanStageProps,
} from '@devsecops-factory/scan-stage-construct';
import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { addPullRequestPipeline } from './pull-request-pipeline';
import { sourceScanStages, SourceScanStages } from './source-scans';
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
  const { config, artifacts } = props;
  // The factory-owned policy: the gate's thresholds and how long the repository's suppressions may last,
  // in the builds and in Security Hub alike.
  const factoryPolicy = factoryPolicyOf(config);
  const image = applicationImage(scope, config, artifacts.key);
  const source = new PipelineSource(scope, 'Source', config.source);
  const buildNetwork = applicationBuildNetwork(scope, props.network, config);
  const scanProps: ScanStageProps = {
    factoryPolicy,
    input: source.output,
    reportsBucket: props.reportsBucket,
    encryptionKey: artifacts.key,
    policyFile: config.policyFile,
    sourceRepository: props.reportsRepository,
    sourceBranch: config.source.branch,
    ...buildNetwork,
  };
  const scans = createScanStages(scope, config, scanProps, image);
  const release = createReleaseStages(scope, config, { source, image, scans, scanProps, buildNetwork });

  const pipeline = new codepipeline.Pipeline(scope, 'Pipeline', {
    pipelineName: config.name,
    pipelineType: codepipeline.PipelineType.V2,
    executionMode: codepipeline.ExecutionMode.QUEUED,
    artifactBucket: artifacts.bucket,
    restartExecutionOnUpdate: false,
    stages: [
      { stageName: 'Source', actions: [source.action] },
      { stageName: 'SecretScan', actions: [scans.secrets.action] },
      // Code SAST and the image build + SCA do not depend on each other: same run order, in parallel.
      { stageName: 'Scan', actions: [scans.code.action, scans.image.action] },
      { stageName: 'Publish', actions: [scans.publish.action] },
      { stageName: 'Staging', actions: [release.staging.action] },
      { stageName: 'DAST', actions: [release.dast.action] },
      { stageName: 'Approval', actions: [release.approval.action] },
      { stageName: 'Production', actions: [release.production.action] },
    ],
  });
  acknowledgePipelineRoleGrants(pipeline, artifacts.bucket);

  const pullRequests = config.pullRequests?.enabled ? addPullRequestPipeline(scope, {
    config,
    reportsRepository: props.reportsRepository,
    reportsBucket: props.reportsBucket,
    factoryPolicy,
    network: props.network,
    imageScanner: (token) => imageScanner(config, token),
  }) : undefined;
  const scanStages: IScanStage[] = [scans.secrets, scans.code, scans.publish, release.dast];
  return {
    pipeline,
    pullRequestPipeline: pullRequests?.pipeline,
    // The governance's event patterns list the names in this order: another order changes the template, not what is watched.
    roles: [
      pipeline.role, ...scanStages.map((stage) => stage.role), release.staging.role, release.production.role, scans.image.role,
      ...(pullRequests?.roles ?? []),
    ],
  };
}

/** The application's image repository, and the accounts besides this one that pull from it. */
interface ApplicationImage {
  readonly repository: ecr.IRepository;
  /** A production in another account pulls the image from this repository and verifies its signature. */
  readonly pullAccounts: string[];
  /** The name the manifests use for the image; the deploy replaces it with repository@digest. */
  readonly nameInManifests: string;
}

function applicationImage(scope: Construct, config: FactoryConfig, encryptionKey: kms.IKey): ApplicationImage {
  const stack = Stack.of(scope);
  const pullAccounts = crossAccountTargets(config).filter((account) => Token.isUnresolved(stack.account) || account !== stack.account);
  const { repository } = new ImageRepository(scope, 'Image', {
    repositoryName: config.image.repositoryName,
    importExisting: config.image.importExistingRepository,
    pullAccounts,
    encryptionKey,
  });
  return { repository, pullAccounts, nameInManifests: config.image.name ?? config.image.repositoryName! };
}

/** Where the application's builds run: the private network, behind the application's own security group. */
type BuildNetwork = Pick<ScanStageProps, 'vpc' | 'subnetSelection' | 'securityGroups'>;

function applicationBuildNetwork(scope: Construct, network: PrivateNetwork | undefined, config: FactoryConfig): BuildNetwork {
  if (network === undefined) return {};
  return {
    vpc: network.vpc,
    subnetSelection: network.subnets,
    securityGroups: [network.buildSecurityGroup(scope, 'BuildSecurityGroup', dastPorts(config.dast.targetUrl))],
  };
}

/** The scans before anything is deployed: secrets, code and image, then the push to ECR and its scan. */
interface ScanStages extends SourceScanStages {
  readonly publish: EcrScanStage;
}

function createScanStages(scope: Construct, config: FactoryConfig, scanProps: ScanStageProps, image: ApplicationImage): ScanStages {
  const snykToken = config.scanners.image.snykTokenSecretArn
    ? BuildSecret.fromSecretsManager(secretsmanager.Secret.fromSecretCompleteArn(scope, 'SnykToken', config.scanners.image.snykTokenSecretArn))
    : undefined;
  const source = sourceScanStages(scope, config, scanProps, snykToken, imageScanner(config, snykToken));
  const publish = new EcrScanStage(scope, 'EcrScan', {
    ...scanProps,
    imageArtifact: source.image.imageArtifact,
    ecrRepository: image.repository,
    enhancedScanning: config.image.enhancedScanning,
    variablesNamespace: PUBLISH_NAMESPACE,
    // Each application signs with its own profile, and the stage signs the image itself with notation: the
    // registry's one signing configuration is shared by every application of the account, so none owns it.
    signing: { registrySigningConfiguration: false, verifierAccounts: image.pullAccounts },
  });
  return { ...source, publish };
}

/** What the release stages build on. */
interface ReleaseInputs {
  readonly source: PipelineSource;
  readonly image: ApplicationImage;
  readonly scans: ScanStages;
  readonly scanProps: ScanStageProps;
  readonly buildNetwork: BuildNetwork;
}

/** From the published digest to production: staging deploy, DAST of staging, approval, production deploy. */
interface ReleaseStages {
  readonly staging: EksDeployStage;
  readonly dast: DastScanStage;
  readonly approval: ApprovalGate;
  readonly production: EksDeployStage;
}

function createReleaseStages(scope: Construct, config: FactoryConfig, inputs: ReleaseInputs): ReleaseStages {
  // One digest, resolved once at push time, flows to staging, the approval mail and production.
  const digest = DeployImage.fromDigest(inputs.image.repository.repositoryUri, `#{${PUBLISH_NAMESPACE}.IMAGE_DIGEST}`);
  const deploys: DeployInputs = {
    ...inputs,
    digest,
    manifests: DeployManifests.fromSourceDirectory(config.deploy.manifests, inputs.image.nameInManifests),
  };
  const staging = deployStage(scope, config, 'staging', deploys);
  const dast = dastStage(scope, config, inputs.scanProps);
  const approval = new ApprovalGate(scope, 'Approval', {
    environment: 'production',
    image: digest,
    commitId: `#{${SOURCE_NAMESPACE}.CommitId}`,
    notifyEmails: config.notifications.approverEmails,
    encryptionKey: inputs.scanProps.encryptionKey,
    // The gate's default filters (RecordState ACTIVE, ProductFields.Commit = the source commit) select every
    // stage's findings of this build: each scan converts with --commit, while resource ids differ per stage
    // (source paths, packages, the repository ARN for ECR) and no prefix of them covers the build.
  });
  const production = deployStage(scope, config, 'production', deploys);
  return { staging, dast, approval, production };
}

/** What both deploys apply: the same digest and manifests. */
interface DeployInputs extends ReleaseInputs {
  readonly digest: DeployImage;
  readonly manifests: DeployManifests;
}

/** The deploy of the digest to one environment's cluster, which only accepts it signed by this application. */
function deployStage(scope: Construct, config: FactoryConfig, environment: 'staging' | 'production', inputs: DeployInputs): EksDeployStage {
  const target = config.deploy[environment];
  const id = environment === 'staging' ? 'StagingDeploy' : 'ProductionDeploy';
  const { buildNetwork } = inputs;
  const deploy = new EksDeployStage(scope, id, {
    environment,
    input: inputs.source.output,
    image: inputs.digest,
    manifests: inputs.manifests,
    clusterName: target.clusterName,
    namespace: target.namespace,
    deployRoleArn: target.deployRoleArn,
    // Only a digest signed with this application's profile, whose provenance names this pipeline, deploys.
    imageVerification: { signingProfileArn: inputs.scans.publish.signingProfileArn!, repository: inputs.image.repository },
    encryptionKey: inputs.scanProps.encryptionKey,
    // A private cluster endpoint is only reachable from inside a network that routes to the cluster's VPC.
    ...(target.privateEndpoint ? buildNetwork : {}),
  });
  if (target.privateEndpoint && target.clusterSecurityGroupId && buildNetwork.securityGroups) {
    const clusterGroup = ec2.SecurityGroup.fromSecurityGroupId(scope, `${id}ClusterSecurityGroup`, target.clusterSecurityGroupId, { mutable: true });
    clusterGroup.addIngressRule(buildNetwork.securityGroups[0], ec2.Port.tcp(443), `DevSecOps factory: ${config.name} deploys to ${environment}`);
  }
  return deploy;
}

/** OWASP ZAP against staging, with the API key of the ZAP daemon its build starts. */
function dastStage(scope: Construct, config: FactoryConfig, scanProps: ScanStageProps): DastScanStage {
  const zapApiKey = new secretsmanager.Secret(scope, 'ZapApiKey', {
    description: 'API key of the ZAP daemon inside the DAST build (generated; never leaves the build)',
    encryptionKey: scanProps.encryptionKey,
    generateSecretString: { passwordLength: 40, excludePunctuation: true },
  });
  acknowledgeBuildLocalSecret(zapApiKey);
  return new DastScanStage(scope, 'DastScan', {
    ...scanProps,
    targetUrl: config.dast.targetUrl,
    scanType: config.dast.mode,
    apiDefinition: config.dast.apiDefinition,
    zapApiKey,
  });
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

/**
 * The findings processor's overdue ages from the factory policies' `gate.sla` (the age past which the gate fails an
 * existing finding), so the dashboard's overdue count and the gate agree. Several policies (one per application of
 * a shared processor): the shortest limit of each severity. Policies give whole days or hours (7d, 12h).
 */
export function findingsSlaOf(policies: readonly string[]): { [severity: string]: Duration } | undefined {
  const hours = new Map<string, number>();
  for (const [index, text] of policies.entries()) {
    const sla = parsePolicy(text, `factory policy ${index + 1}`).sla ?? {};
    for (const [severity, limit] of Object.entries(sla)) {
      if (limit === undefined) continue;
      const whole = Math.max(1, Math.ceil(limit.ms / 3_600_000));
      hours.set(severity, Math.min(hours.get(severity) ?? whole, whole));
    }
  }
  return hours.size === 0 ? undefined : Object.fromEntries([...hours].map(([severity, h]) => [severity, Duration.hours(h)]));
}

/**
 * Whether the findings processor makes in-source suppressions (`# nosemgrep`, `#checkov:skip=`) SUPPRESSED in Security
 * Hub: the factory policies' `gate.inSourceSuppressions`, so that Security Hub shows ACTIVE what the gates judge.
 * Several policies (one per application of a shared processor): the strictest, `HONOUR` only when every one honours.
 */
export function processorInSourceSuppressions(policies: readonly string[]): InSourceSuppressions {
  const honouring = policies.every((text, index) => parsePolicy(text, `factory policy ${index + 1}`).inSourceSuppressions === 'honour');
  return policies.length > 0 && honouring ? InSourceSuppressions.HONOUR : InSourceSuppressions.IGNORE;
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
