import { Duration } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ImageScanner } from './image-scanner';
import { withCodeConnectionsGrant } from './private/connection-grant';
import { createScanProject } from './private/scan-project';
import { plainVariables } from './private/variables';
import { ScanStageProps } from './scan-stage-props';

/** Properties of an {@link ImageScanStage}. */
export interface ImageScanStageProps extends ScanStageProps {
  /**
   * The scanner run against the built image.
   *
   * @default ImageScanner.grype()
   */
  readonly scanner?: ImageScanner;

  /**
   * Path of the Dockerfile in the source.
   *
   * @default 'Dockerfile'
   */
  readonly dockerfile?: string;

  /**
   * Docker build context, relative to the source root.
   *
   * @default '.'
   */
  readonly buildContext?: string;

  /**
   * Name of the output artifact holding the image tarball, for EcrScanStage.
   * Must be unique in the pipeline.
   *
   * @default 'ScannedImage'
   */
  readonly imageArtifactName?: string;

  /**
   * Upper bound of the scan itself (Trivy `--timeout`); the build timeout bounds everything.
   *
   * @default Duration.minutes(15)
   */
  readonly scanTimeout?: Duration;
}

/**
 * Builds the container image (the only stage with privileged mode, for the
 * Docker daemon), scans the saved image with Snyk, Grype, Trivy or a custom
 * scanner, and gates on the findings. Nothing is pushed: the image tarball
 * leaves as `imageArtifact` and only a passing gate lets the pipeline hand it
 * to EcrScanStage. Exports `IMAGE_ID` (the image's config digest).
 */
export class ImageScanStage extends Construct {
  /** The CodeBuild project running the build and the scan. */
  public readonly project: codebuild.PipelineProject;
  /** The CodePipeline action to add to a pipeline stage. */
  public readonly action: codepipeline.IAction;
  /** Report group receiving the gate's JUnit report. */
  public readonly reportGroup: codebuild.IReportGroup;
  /** KMS-encrypted log group of the builds. */
  public readonly logGroup: logs.ILogGroup;
  /** The image tarball (`image/image.tar`), input of EcrScanStage. */
  public readonly imageArtifact: codepipeline.Artifact;

  constructor(scope: Construct, id: string, props: ImageScanStageProps) {
    super(scope, id);
    const scanner = (props.scanner ?? ImageScanner.grype()).bind();
    this.imageArtifact = new codepipeline.Artifact(props.imageArtifactName ?? 'ScannedImage');
    const parts = createScanProject(this, props, {
      buildspec: 'image-scan.yml',
      description: 'Container image build and scan gated by asff',
      defaultStageName: 'image',
      defaultActionName: 'ImageScan',
      defaultTimeout: Duration.minutes(60),
      privileged: true,
      computeType: codebuild.ComputeType.MEDIUM,
      environmentVariables: {
        DOCKERFILE_PATH: { value: props.dockerfile ?? 'Dockerfile' },
        DOCKER_BUILD_CONTEXT: { value: props.buildContext ?? '.' },
        SCAN_TIMEOUT_MINUTES: { value: String((props.scanTimeout ?? Duration.minutes(15)).toMinutes()) },
        ...plainVariables(scanner.environmentVariables),
      },
      secrets: scanner.secrets,
      outputs: [this.imageArtifact],
    });
    this.project = parts.project;
    this.action = withCodeConnectionsGrant(parts.action, parts.project);
    this.reportGroup = parts.reportGroup;
    this.logGroup = parts.logGroup;
  }
}
