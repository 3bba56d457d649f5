import { Duration } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AsffCli } from './asff-cli';
import { PullRequestBuild } from './pull-request';
import { ToolboxImage } from './toolbox-image';

/** What every scan stage needs: where its input is, where reports go, how findings are gated. */
export interface ScanStageProps {
  /**
   * The artifact the stage scans (for most stages the source; it must contain the policy file).
   */
  readonly input: codepipeline.Artifact;

  /**
   * Bucket receiving the raw reports (`raw/` prefix), usually `FindingsProcessor.reportsBucket`.
   * Each upload carries the tool, scope, stage, build id, commit and image digest as metadata.
   */
  readonly reportsBucket: s3.IBucket;

  /**
   * Key encrypting the build's logs and artifacts. Its key policy must let CloudWatch Logs use it:
   * this is added automatically for keys defined in the same CDK app.
   */
  readonly encryptionKey: kms.IKey;

  /**
   * The factory-owned policy the stage is gated with (YAML, the schema of asff-parsers' docs/policy.md):
   * thresholds per stage, the factory's own suppressions and, in its `repository:` section, what the
   * application repository's policy file (`policyFile`) may add. The repository's file may only tighten
   * thresholds and propose suppressions within those rules; it never loosens the gate.
   *
   * @default DEFAULT_FACTORY_POLICY
   */
  readonly factoryPolicy?: string;

  /**
   * Scanner configuration files of the repository the scanners may read (e.g. `.trivyignore`). Every other
   * known scanner configuration (`.gitallowed`, `.gitleaks.toml`, `.trivyignore`, `.grype.yaml`,
   * `.hadolint.yaml`, `.semgrepignore`, `.snyk`, ...) is removed before scanning, so that a commit cannot
   * switch off or narrow its own scan.
   *
   * @default - none
   */
  readonly allowedScannerConfigs?: string[];

  /**
   * Path of the application repository's own policy file inside the input: it may only tighten the factory's
   * thresholds and propose suppressions within the factory's rules. A repository without it is gated by the
   * factory's policy alone.
   *
   * @default 'security-policy.yml'
   */
  readonly policyFile?: string;

  /**
   * The stage name the policy file knows this stage by (its `stages:` key, `asff gate --stage`); also the
   * `<stage>` of the findings scope, of the report keys (`raw/<repository>/<stage>/`) and of the findings
   * processor's `Stage` metric dimension. Letters, digits, '.', '_' and '-'. Not the CodePipeline stage: that is
   * the pipeline's, and the action's name is `actionName`.
   *
   * @default - the stage's own default, e.g. 'secrets' for SecretsScanStage
   */
  readonly policyStage?: string;

  /**
   * Name of the CodePipeline action.
   *
   * @default - the stage's own default, e.g. 'SecretsScan'
   */
  readonly actionName?: string;

  /**
   * Order of the action within its pipeline stage.
   *
   * @default 1
   */
  readonly runOrder?: number;

  /**
   * Namespace of the variables the action exports (`#{<namespace>.<VARIABLE>}`).
   *
   * @default - no namespace
   */
  readonly variablesNamespace?: string;

  /**
   * Repository name used in the findings scope (repository/branch/stage/tool) and in every key the stage
   * writes (`raw/<repository>/<stage>/...`). A literal (e.g. `org/repo`), never a pipeline variable: the stage's
   * role may write only under its own repository and stage prefix, so one repository's commit cannot write
   * reports or policies in another's name, and the findings processor takes the repository from the key.
   *
   * @default - the stack's name
   */
  readonly sourceRepository?: string;

  /**
   * Branch used in the findings scope. May be a pipeline variable, e.g. `#{SourceVariables.BranchName}`.
   *
   * @default 'default'
   */
  readonly sourceBranch?: string;

  /**
   * Where the build gets the `asff` CLI from.
   *
   * @default AsffCli.fromAsset() - the CLI bundled in this library, deployed as a CDK file asset and checked by
   * sha256 in each build (no package registry)
   */
  readonly asffCli?: AsffCli;

  /**
   * The scanner toolbox image (`toolbox/Dockerfile`) as the build image: the build installs nothing, and fails
   * when a tool the stage pins is missing from the image or at another version. A build without internet access
   * (private subnets without egress) needs it.
   *
   * @default - CodeBuild's standard image; each build downloads its pinned, checksum-verified tools
   */
  readonly toolbox?: ToolboxImage;

  /**
   * Build timeout.
   *
   * @default - the stage's own default (20 to 60 minutes)
   */
  readonly timeout?: Duration;

  /**
   * Run the build in this VPC, e.g. private subnets without internet access that reach AWS through VPC
   * endpoints (S3 gateway; ECR api and dkr, CloudWatch Logs, KMS, STS, Secrets Manager, SSM, Security Hub
   * interface endpoints). A scanner the stage downloads at build time then needs an egress path too.
   *
   * @default - no VPC: the build runs in CodeBuild's network with internet access
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Subnets of `vpc` the build runs in.
   *
   * @default - the private subnets of `vpc` (isolated ones when it has no private subnets with egress)
   */
  readonly subnetSelection?: ec2.SubnetSelection;

  /**
   * Security groups of the build in `vpc`.
   *
   * @default - a new security group allowing all outbound traffic
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * Retention of the build logs.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Run the stage as a pull-request check (secrets, code and image stages only): gated in mode `new` against
   * the findings of `baselineBranch` in Security Hub, nothing uploaded to `reportsBucket` (a pull request's
   * findings are not imported: no later build of its branch would ever archive them), and the verdict posted
   * back to the pull request when `feedback` is given.
   *
   * @default - a build of the pipeline's branch: reports uploaded and imported, gated as the policy says
   */
  readonly pullRequest?: PullRequestBuild;
}
