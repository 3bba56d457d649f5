import { acknowledgePipelineRoleGrants } from '@devsecops-factory/construct-kit';
import {
  BuildSecret, ImageScanner, IScanStage, PullRequestBuild,
} from '@devsecops-factory/scan-stage-construct';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { sourceScanStages } from './source-scans';
import { FactoryConfig } from '../config/schema';
import { ArtifactStore } from '../constructs/artifact-store';
import { PipelineSource, SOURCE_NAMESPACE } from '../constructs/pipeline-source';
import { PrivateNetwork } from '../constructs/private-network';

export interface PullRequestPipelineProps {
  readonly config: FactoryConfig;
  /** The application's reports repository: the baseline is the default branch's findings under it. */
  readonly reportsRepository: string;
  /** The factory's reports bucket: the pull-request builds never write to it (a prop every scan stage takes). */
  readonly reportsBucket: s3.IBucket;
  /** The factory policy of the application, as its default-branch pipeline gates with it. */
  readonly factoryPolicy: string;
  readonly network?: PrivateNetwork;
  /** The image scanner of the application's pipeline, for the same scanner in the pull-request build. */
  readonly imageScanner: (snykToken: BuildSecret | undefined) => ImageScanner;
}

export interface PullRequestPipeline {
  readonly pipeline: codepipeline.Pipeline;
  readonly roles: iam.IRole[];
}

/**
 * The pull-request pipeline of one application: source (the pull request's commit, a full clone), secret scan,
 * then code and image scans, each gated in mode `new` against the default branch's findings and reporting back
 * to the pull request. Nothing is published, deployed or approved, and nothing reaches Security Hub: a pull
 * request's branch has no later build that would archive its findings, and its author could otherwise write
 * findings in the repository's name.
 *
 * It has its own artifact bucket and key: its builds run the pull request's code, and must not be able to
 * touch the artifacts (source, image tarball) the application's pipeline hands from stage to stage.
 */
export function addPullRequestPipeline(parent: Construct, props: PullRequestPipelineProps): PullRequestPipeline {
  const { config } = props;
  const settings = config.pullRequests!;
  if (config.source.type !== 'codeconnections') {
    // The schema refuses it with the config file's name; this guards callers that build a config in code.
    throw new Error('pullRequests: CodePipeline V2 has no pull-request trigger for CodeCommit sources');
  }
  const scope = new Construct(parent, 'PullRequests');
  const artifacts = new ArtifactStore(scope, 'ArtifactStore');
  const source = new PipelineSource(scope, 'Source', config.source, { triggerOnPush: false });
  const buildNetwork = props.network ? {
    vpc: props.network.vpc,
    subnetSelection: props.network.subnets,
    securityGroups: [props.network.buildSecurityGroup(scope, 'BuildSecurityGroup')],
  } : {};
  const secret = (id: string, arn: string) => BuildSecret.fromSecretsManager(secretsmanager.Secret.fromSecretCompleteArn(scope, id, arn));
  const pullRequest: PullRequestBuild = {
    baselineBranch: config.source.branch,
    feedback: settings.feedback ? {
      provider: settings.feedback.provider,
      repository: config.source.repository,
      token: secret('FeedbackToken', settings.feedback.tokenSecretArn),
      apiUrl: settings.feedback.apiUrl,
    } : undefined,
  };
  const scanProps = {
    factoryPolicy: props.factoryPolicy,
    input: source.output,
    reportsBucket: props.reportsBucket,
    encryptionKey: artifacts.key,
    policyFile: config.policyFile,
    // The same repository and stage names as the application's pipeline: they make the baseline's scope.
    sourceRepository: props.reportsRepository,
    // The pull request's source branch, in the findings the build converts (and judges, never imports).
    sourceBranch: `#{${SOURCE_NAMESPACE}.BranchName}`,
    pullRequest,
    ...buildNetwork,
  };
  const snykToken = config.scanners.image.snykTokenSecretArn ? secret('SnykToken', config.scanners.image.snykTokenSecretArn) : undefined;
  const { secrets, code, image } = sourceScanStages(scope, config, scanProps, snykToken, props.imageScanner(snykToken));

  const pipeline = new codepipeline.Pipeline(scope, 'Pipeline', {
    pipelineName: `${config.name}-pull-requests`,
    pipelineType: codepipeline.PipelineType.V2,
    // Each pull request's commit is judged on its own: one pull request's run never waits for or supersedes another's.
    executionMode: codepipeline.ExecutionMode.PARALLEL,
    artifactBucket: artifacts.bucket,
    restartExecutionOnUpdate: false,
    stages: [
      { stageName: 'Source', actions: [source.action] },
      { stageName: 'SecretScan', actions: [secrets.action] },
      { stageName: 'Scan', actions: [code.action, image.action] },
    ],
    triggers: [{
      providerType: codepipeline.ProviderType.CODE_STAR_SOURCE_CONNECTION,
      gitConfiguration: {
        sourceAction: source.action,
        // Opened and updated (a push to the pull request's branch). A closed (merged) pull request is built by the
        // application's pipeline from the merge commit.
        pullRequestFilter: [{
          branchesIncludes: settings.targetBranches ?? [config.source.branch],
          events: [codepipeline.GitPullRequestEvent.OPEN, codepipeline.GitPullRequestEvent.UPDATED],
        }],
      },
    }],
  });
  acknowledgePipelineRoleGrants(pipeline, artifacts.bucket);
  const scanStages: IScanStage[] = [secrets, code, image];
  return { pipeline, roles: [pipeline.role, ...scanStages.map((stage) => stage.role)] };
}
