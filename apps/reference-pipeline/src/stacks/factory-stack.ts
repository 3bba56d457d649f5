import { readFileSync } from 'node:fs';
import {
  ApprovalGate, DeployImage, DeployManifests, EksDeployStage,
} from '@devsecops-factory/eks-deploy-construct';
import { FactoryNotifications, PipelineGovernance } from '@devsecops-factory/governance-construct';
import {
  BuildSecret, CodeScanStage, DastScanStage, DEFAULT_FACTORY_POLICY, EcrScanStage, FindingsProcessor, ImageScanner, ImageScanStage,
  SastTool, SecretsScanStage, ZapScanType,
} from '@devsecops-factory/scan-stage-construct';
import { Stack, StackProps, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { acknowledgeBuildLocalSecret, acknowledgePipelineGrants } from '../compliance/pipeline-acknowledgements';
import { FactoryConfig } from '../config/schema';
import { ArtifactStore } from '../constructs/artifact-store';
import { ImageRepository } from '../constructs/image-repository';
import { PipelineSource, SOURCE_NAMESPACE } from '../constructs/pipeline-source';

export interface FactoryStackProps extends StackProps {
  readonly config: FactoryConfig;
}

/** Variables namespace of the ECR push: `#{Publish.IMAGE_DIGEST}`. */
const PUBLISH_NAMESPACE = 'Publish';

/**
 * The DevSecOps factory: one CodePipeline V2 from source to production EKS,
 * the findings processor feeding Security Hub, and the governance around it.
 */
export class FactoryStack extends Stack {
  public readonly artifacts: ArtifactStore;
  public readonly pipeline: codepipeline.Pipeline;
  public readonly findings: FindingsProcessor;
  public readonly governance: PipelineGovernance;

  constructor(scope: Construct, id: string, props: FactoryStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.artifacts = new ArtifactStore(this, 'ArtifactStore');
    const encryptionKey = this.artifacts.key;
    // The notification topics come first: the findings processor's alarms notify the security topic.
    const notifications = new FactoryNotifications(this, 'Notifications', {
      pipelineFailureEmails: config.notifications.emails,
      securityAlertEmails: config.notifications.emails,
    });
    // The factory-owned policy: the gate's thresholds and how long the repository's suppressions may last,
    // in the builds and in Security Hub alike.
    const factoryPolicy = config.factoryPolicyFile === undefined ? DEFAULT_FACTORY_POLICY : readFileSync(config.factoryPolicyFile, 'utf-8');
    this.findings = new FindingsProcessor(this, 'Findings', {
      encryptionKey,
      alarmTopic: notifications.securityAlertTopic,
      maxSuppressionDays: repositorySuppressionDays(factoryPolicy),
    });
    const image = new ImageRepository(this, 'Image', {
      repositoryName: config.image.repositoryName,
      importExisting: config.image.importExistingRepository,
      // A production in another account pulls the image from this repository.
      pullAccounts: crossAccountTargets(config).filter((account) => Token.isUnresolved(this.account) || account !== this.account),
      encryptionKey,
    });
    // The name the manifests use for the image; the deploy replaces it with repository@digest.
    const imageName = config.image.name ?? config.image.repositoryName!;
    const source = new PipelineSource(this, 'Source', config.source);

    const scanProps = {
      factoryPolicy,
      input: source.output,
      reportsBucket: this.findings.reportsBucket,
      encryptionKey,
      policyFile: config.policyFile,
      sourceRepository: source.repositoryName,
      sourceBranch: config.source.branch,
    };
    const snykToken = config.scanners.image.snykTokenSecretArn
      ? BuildSecret.fromSecretsManager(secretsmanager.Secret.fromSecretCompleteArn(this, 'SnykToken', config.scanners.image.snykTokenSecretArn))
      : undefined;

    const secrets = new SecretsScanStage(this, 'SecretsScan', {
      ...scanProps,
      gitleaks: config.scanners.secrets.gitleaks,
      allowedPatterns: config.scanners.secrets.allowedPatterns,
    });
    const code = new CodeScanStage(this, 'CodeScan', {
      ...scanProps,
      sastTool: config.scanners.code.sast as SastTool,
      snykToken,
      hadolint: config.scanners.code.hadolint,
      dockerfile: `${config.image.context}/Dockerfile`,
    });
    const imageScan = new ImageScanStage(this, 'ImageScan', {
      ...scanProps,
      scanner: imageScanner(config, snykToken),
      buildContext: config.image.context,
      dockerfile: `${config.image.context}/Dockerfile`,
    });
    const publish = new EcrScanStage(this, 'EcrScan', {
      ...scanProps,
      imageArtifact: imageScan.imageArtifact,
      ecrRepository: image.repository,
      enhancedScanning: config.image.enhancedScanning,
      variablesNamespace: PUBLISH_NAMESPACE,
    });

    // One digest, resolved once at push time, flows to staging, the approval mail and production.
    const digest = DeployImage.fromDigest(image.repository.repositoryUri, `#{${PUBLISH_NAMESPACE}.IMAGE_DIGEST}`);
    const manifests = DeployManifests.fromSourceDirectory(config.deploy.manifests, imageName);
    const deployTo = (stageName: 'staging' | 'production') => new EksDeployStage(this, stageName === 'staging' ? 'StagingDeploy' : 'ProductionDeploy', {
      stageName,
      input: source.output,
      image: digest,
      manifests,
      clusterName: config.deploy[stageName].clusterName,
      namespace: config.deploy[stageName].namespace,
      deployRoleArn: config.deploy[stageName].deployRoleArn,
      encryptionKey,
    });
    const staging = deployTo('staging');

    const zapApiKey = new secretsmanager.Secret(this, 'ZapApiKey', {
      description: 'API key of the ZAP daemon inside the DAST build (generated; never leaves the build)',
      encryptionKey,
      generateSecretString: { passwordLength: 40, excludePunctuation: true },
    });
    acknowledgeBuildLocalSecret(zapApiKey);
    const dast = new DastScanStage(this, 'DastScan', {
      ...scanProps,
      targetUrl: config.dast.targetUrl,
      scanType: config.dast.mode as ZapScanType,
      apiDefinition: config.dast.apiDefinition,
      zapApiKey,
    });
    const approval = new ApprovalGate(this, 'Approval', {
      stageName: 'production',
      image: digest,
      commitId: `#{${SOURCE_NAMESPACE}.CommitId}`,
      notifyEmails: config.notifications.approverEmails,
      encryptionKey,
      // The gate's default filters (RecordState ACTIVE, ProductFields.Commit = the source commit) select every
      // stage's findings of this build: each scan converts with --commit, while resource ids differ per stage
      // (source paths, packages, the repository ARN for ECR) and no prefix of them covers the build.
    });
    const production = deployTo('production');

    this.pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineName: config.name,
      pipelineType: codepipeline.PipelineType.V2,
      executionMode: codepipeline.ExecutionMode.QUEUED,
      artifactBucket: this.artifacts.bucket,
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

    acknowledgePipelineGrants(this.pipeline, this.artifacts.bucket);
    const roles = (...stages: Array<{ project: { role?: iam.IRole } }>) => stages.map((s) => s.project.role)
      .filter((role): role is iam.IRole => role !== undefined);

    this.governance = new PipelineGovernance(this, 'Governance', {
      pipelines: [this.pipeline],
      factoryRoles: [this.pipeline.role, ...roles(secrets, code, publish, dast), staging.role, production.role, ...roles(imageScan)],
      notifications,
      enableSecurityHub: config.governance.enableSecurityHub,
      enableConfigRecorder: config.governance.enableConfigRecorder,
    });
  }
}

/** Accounts of the deploy roles in other accounts (from their ARNs), each once. */
function crossAccountTargets(config: FactoryConfig): string[] {
  const accounts = [config.deploy.staging, config.deploy.production]
    .map((target) => target.deployRoleArn?.split(':')[4])
    .filter((account): account is string => account !== undefined && account !== '');
  return [...new Set(accounts)];
}

/** The factory policy's limit on repository suppressions (its `repository:` section), 0 when it refuses them. */
export function repositorySuppressionDays(policy: string): number {
  const repository = (YAML.parse(policy) as { repository?: { suppressions?: boolean; maxSuppressionDays?: number } } | null)?.repository;
  if (repository?.suppressions === false) return 0;
  return repository?.maxSuppressionDays ?? 90;
}

function imageScanner(config: FactoryConfig, snykToken: BuildSecret | undefined): ImageScanner {
  switch (config.scanners.image.scanner) {
    case 'trivy': return ImageScanner.trivy();
    case 'snyk': return ImageScanner.snyk({ token: snykToken! });
    default: return ImageScanner.grype();
  }
}
