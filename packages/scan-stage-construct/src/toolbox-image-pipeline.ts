import * as fs from 'fs';
import * as path from 'path';
import {
  acknowledgeCodeBuildProjectGrants, acknowledgePipelineArtifactGrants, acknowledgePipelineRoleGrants, allowCloudWatchLogsToUseKey,
} from '@devsecops-factory/construct-kit';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { AsffCli } from './asff-cli';
import { EcrScanStage, ImageSigningOptions } from './ecr-scan-stage';
import { ImageScanStage } from './image-scan-stage';
import { protectProjectRoleTrust } from './private/trust-policy';

/** Properties of a {@link ToolboxImagePipeline}. */
export interface ToolboxImagePipelineProps {
  /** The source action of the factory's own repository (the one holding `toolbox/Dockerfile`). */
  readonly sourceAction: codepipeline.IAction;

  /** The artifact `sourceAction` outputs. */
  readonly sourceOutput: codepipeline.Artifact;

  /** The pipeline's artifact bucket (KMS-encrypted, e.g. the factory's artifact store). */
  readonly artifactBucket: s3.IBucket;

  /** Bucket receiving the gates' raw reports (`FindingsProcessor.reportsBucket`): the image's findings reach Security Hub. */
  readonly reportsBucket: s3.IBucket;

  /** Key encrypting the builds' logs and artifacts (and a new repository). */
  readonly encryptionKey: kms.IKey;

  /**
   * Where the image is pushed, by digest.
   *
   * @default - a new repository with immutable tags, encrypted with `encryptionKey`
   */
  readonly repository?: ecr.IRepository;

  /**
   * The factory-owned policy the image's gates judge with (YAML, asff-parsers docs/policy.md).
   *
   * @default - the stages' default (DEFAULT_FACTORY_POLICY)
   */
  readonly factoryPolicy?: string;

  /**
   * Signs the pushed image (ECR managed signing or notation with AWS Signer), as EcrScanStage `signing`.
   *
   * @default - not signed
   */
  readonly signing?: ImageSigningOptions;

  /**
   * Repository name in the gates' findings scope and report keys.
   *
   * @default 'devsecops-factory/toolbox'
   */
  readonly scopeRepository?: string;

  /**
   * Where the builds get the `asff` CLI from; the image carries this same bundle.
   *
   * @default AsffCli.fromAsset()
   */
  readonly asffCli?: AsffCli;
}

/**
 * The factory builds its own scanner toolbox image: a small pipeline that takes `toolbox/` of the factory's
 * repository, adds the `asff` CLI bundle (checked against the sha256 the library fixed at synth, so the stages
 * keep the image's copy), builds the image and gates it with the factory's own image stage (Grype and ClamAV,
 * SBOM), then pushes it by digest, gates it on the ECR scan and, with `signing`, signs it. Use the digest the
 * publish stage exports (`IMAGE_DIGEST`) with `ToolboxImage.fromEcr(pipeline.repository, digest)`.
 */
export class ToolboxImagePipeline extends Construct {
  /** The pipeline. */
  public readonly pipeline: codepipeline.Pipeline;
  /** The repository the image is pushed to. */
  public readonly repository: ecr.IRepository;
  /** The stage that builds and gates the image. */
  public readonly imageStage: ImageScanStage;
  /** The stage that pushes, gates and signs the image. */
  public readonly publishStage: EcrScanStage;
  /** The build that puts `toolbox/` and the asff CLI bundle together as the image's build context. */
  public readonly contextProject: codebuild.PipelineProject;

  constructor(scope: Construct, id: string, props: ToolboxImagePipelineProps) {
    super(scope, id);
    this.repository = props.repository ?? new ecr.Repository(this, 'Repository', {
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      encryption: ecr.RepositoryEncryption.KMS,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const asffCli = props.asffCli ?? AsffCli.fromAsset();
    const scopeRepository = props.scopeRepository ?? 'devsecops-factory/toolbox';

    allowCloudWatchLogsToUseKey(props.encryptionKey);
    const logGroup = new logs.LogGroup(this, 'ContextLogs', {
      encryptionKey: props.encryptionKey,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.contextProject = new codebuild.PipelineProject(this, 'Context', {
      description: 'The toolbox image\'s build context: toolbox/ and the asff CLI bundle (sha256-checked)',
      buildSpec: codebuild.BuildSpec.fromObjectToYaml({
        version: '0.2',
        env: { shell: 'bash' },
        phases: {
          build: {
            // The shared install script checks the bundle's sha256 and installs it as toolbox/asff.
            commands: [fs.readFileSync(path.join(__dirname, '..', 'assets', 'buildspecs', 'install-asff-cli.sh'), 'utf8')],
          },
        },
        artifacts: { 'base-directory': 'toolbox', 'files': ['**/*'] },
      }),
      encryptionKey: props.encryptionKey,
      timeout: Duration.minutes(15),
      environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, computeType: codebuild.ComputeType.SMALL },
      environmentVariables: { ...asffCli.bind(this).environmentVariables, ASFF_BIN_DIR: { value: 'toolbox' } },
      logging: { cloudWatch: { logGroup } },
    });
    asffCli.grantInstall(this.contextProject);
    acknowledgeCodeBuildProjectGrants(this.contextProject);
    protectProjectRoleTrust(this.contextProject);
    const context = new codepipeline.Artifact('ToolboxContext');
    const contextAction = new actions.CodeBuildAction({
      actionName: 'Context',
      project: this.contextProject,
      input: props.sourceOutput,
      outputs: [context],
    });
    acknowledgePipelineArtifactGrants(this.contextProject, contextAction);

    const common = {
      reportsBucket: props.reportsBucket,
      encryptionKey: props.encryptionKey,
      factoryPolicy: props.factoryPolicy,
      sourceRepository: scopeRepository,
      asffCli,
    };
    this.imageStage = new ImageScanStage(this, 'Image', {
      ...common,
      input: context,
      imageArtifactName: 'ToolboxImage',
      actionName: 'BuildAndScan',
    });
    this.publishStage = new EcrScanStage(this, 'Publish', {
      ...common,
      input: context,
      imageArtifact: this.imageStage.imageArtifact,
      ecrRepository: this.repository,
      signing: props.signing,
      actionName: 'PushAndScan',
      variablesNamespace: 'ToolboxPublish',
    });

    this.pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineType: codepipeline.PipelineType.V2,
      executionMode: codepipeline.ExecutionMode.QUEUED,
      artifactBucket: props.artifactBucket,
      restartExecutionOnUpdate: false,
      stages: [
        { stageName: 'Source', actions: [props.sourceAction] },
        { stageName: 'Context', actions: [contextAction] },
        { stageName: 'Image', actions: [this.imageStage.action] },
        { stageName: 'Publish', actions: [this.publishStage.action] },
      ],
    });
    acknowledgePipelineRoleGrants(this.pipeline, props.artifactBucket);
  }
}
