import { Duration, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { withCodeConnectionsGrant } from './private/connection-grant';
import { createScanProject } from './private/scan-project';
import { ScanStageProps } from './scan-stage-props';

/** Properties of an {@link EcrScanStage}. */
export interface EcrScanStageProps extends ScanStageProps {
  /** The image tarball that passed ImageScanStage's gate (`ImageScanStage.imageArtifact`). */
  readonly imageArtifact: codepipeline.Artifact;

  /**
   * The ECR repository receiving the image. Scanning is read from the registry scanning
   * configuration (`ecr get-registry-scanning-configuration`): with enhanced scanning the stage
   * waits for Amazon Inspector; with basic scanning it waits for a scan on push of a registry
   * rule and starts a basic scan itself when none registers. Per-repository scan on push is
   * deprecated by ECR and not relied on.
   */
  readonly ecrRepository: ecr.IRepository;

  /**
   * Whether the registry is expected to use enhanced scanning (Amazon Inspector). Informational:
   * the stage reads the registry's scan type when it runs, and always holds
   * `inspector2:ListFindings` (ECR needs it to return enhanced findings), so a registry switched
   * to enhanced scanning does not fail the stage whatever this says.
   *
   * @default false
   */
  readonly enhancedScanning?: boolean;

  /**
   * How long to wait for the ECR scan to complete before failing the stage.
   *
   * @default Duration.minutes(15)
   */
  readonly scanTimeout?: Duration;
}

/**
 * Pushes the scanned image to ECR by digest (never `:latest`; only reached
 * when ImageScanStage's gate passed), waits for the ECR scan (basic or
 * enhanced) with a timeout and gates on its findings. Exports `IMAGE_URI`
 * (`repository@sha256:...`) and `IMAGE_DIGEST` for the deploy stages. No
 * Docker daemon and no privileged mode: crane pushes the tarball.
 */
export class EcrScanStage extends Construct {
  /** The CodeBuild project pushing and gating the image. */
  public readonly project: codebuild.PipelineProject;
  /** The CodePipeline action to add to a pipeline stage. */
  public readonly action: codepipeline.IAction;
  /** Report group receiving the gate's JUnit report. */
  public readonly reportGroup: codebuild.IReportGroup;
  /** KMS-encrypted log group of the builds. */
  public readonly logGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: EcrScanStageProps) {
    super(scope, id);
    const artifactName = props.imageArtifact.artifactName;
    if (!artifactName) {
      throw new Error('EcrScanStage: imageArtifact needs a name (ImageScanStage.imageArtifact has one)');
    }
    const scanTimeout = props.scanTimeout ?? Duration.minutes(15);
    const parts = createScanProject(this, props, {
      buildspec: 'ecr-scan.yml',
      description: 'Push by digest, ECR image scan gated by asff',
      defaultStageName: 'ecr',
      defaultActionName: 'EcrScan',
      defaultTimeout: Duration.minutes(scanTimeout.toMinutes() + 20),
      environmentVariables: {
        ECR_REPOSITORY_URI: { value: props.ecrRepository.repositoryUri },
        ECR_SCAN_TIMEOUT_SECONDS: { value: String(scanTimeout.toSeconds()) },
        IMAGE_ARTIFACT_NAME: { value: artifactName },
      },
      extraInputs: [props.imageArtifact],
    });
    this.project = parts.project;
    this.action = withCodeConnectionsGrant(parts.action, parts.project);
    this.reportGroup = parts.reportGroup;
    this.logGroup = parts.logGroup;
    this.grantRegistryAccess(props);
  }

  private grantRegistryAccess(props: EcrScanStageProps): void {
    // Registry login and the registry's scanning configuration are account-wide by design:
    // neither action has a resource-level permission.
    this.project.addToRolePolicy(new iam.PolicyStatement({
      actions: ['ecr:GetAuthorizationToken', 'ecr:GetRegistryScanningConfiguration'],
      resources: ['*'],
    }));
    this.project.addToRolePolicy(new iam.PolicyStatement({
      actions: [
        'ecr:BatchCheckLayerAvailability',
        'ecr:InitiateLayerUpload',
        'ecr:UploadLayerPart',
        'ecr:CompleteLayerUpload',
        'ecr:PutImage',
        'ecr:BatchGetImage',
        'ecr:DescribeImages',
        'ecr:DescribeImageScanFindings',
        'ecr:StartImageScan',
      ],
      resources: [props.ecrRepository.repositoryArn],
    }));
    // The registry may use enhanced scanning whatever props.enhancedScanning says (it is account
    // configuration): without this, describe-image-scan-findings is denied there.
    this.project.addToRolePolicy(new iam.PolicyStatement({ actions: ['inspector2:ListFindings'], resources: ['*'] }));
    const reasons = [
      'ecr:GetAuthorizationToken (registry login) and ecr:GetRegistryScanningConfiguration (basic or enhanced scanning) have no resource-level permissions',
      'inspector2:ListFindings, read by ECR for enhanced findings, has no resource-level permissions',
    ];
    Validations.of(this.project.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `${reasons.join('; ')}. Every other ECR action is limited to this one repository.`,
    });
  }
}
