import {
  acknowledgeCodeBuildProjectGrants, acknowledgeCodeBuildVpcGrants, acknowledgePipelineArtifactGrants, acknowledgeWildcardResource,
  allowCloudWatchLogsToUseKey,
} from '@devsecops-factory/construct-kit';
import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { loadBuildspec } from './buildspec';
import { offlineBuild } from './offline-build';
import { grantBaselineRead, pullRequestPolicy, pullRequestVariables } from './pull-request-build';
import { protectProjectRoleTrust } from './trust-policy';
import { AsffCli } from '../asff-cli';
import { BuildSecret } from '../build-secret';
import { DatabaseMirror, MirroredDatabase } from '../database-mirror';
import { DEFAULT_FACTORY_POLICY, DEFAULT_POLICY_FILE, POLICIES_PREFIX, RAW_REPORTS_PREFIX } from '../defaults';
import { ScanStageProps } from '../scan-stage-props';

/** How one stage differs from the others. */
export interface ScanProjectOptions {
  readonly buildspec: string;
  readonly description: string;
  /** The policy stage when `policyStage` is not given, e.g. 'secrets'. */
  readonly defaultPolicyStage: string;
  readonly defaultActionName: string;
  readonly defaultTimeout: Duration;
  /** Only stages that run a Docker daemon get privileged mode. */
  readonly privileged?: boolean;
  readonly computeType?: codebuild.ComputeType;
  /** Stage-specific, non-secret settings and secret references. */
  readonly environmentVariables?: Record<string, codebuild.BuildEnvironmentVariable>;
  /** Secrets as references (Secrets Manager / SSM SecureString), by variable name. */
  readonly secrets?: Record<string, BuildSecret>;
  /** The database mirror the stage reads, and the databases its scanners need from it. */
  readonly databaseMirror?: DatabaseMirror;
  readonly mirroredDatabases?: MirroredDatabase[];
  /** Per-execution values (pipeline variables) passed as action overrides. */
  readonly actionEnvironmentVariables?: Record<string, codebuild.BuildEnvironmentVariable>;
  readonly extraInputs?: codepipeline.Artifact[];
  readonly outputs?: codepipeline.Artifact[];
  /** The stage may run as a pull-request check (`pullRequest`): it publishes and deploys nothing. */
  readonly pullRequestCheck?: boolean;
}

/** The parts every stage exposes. */
export interface ScanProject {
  readonly project: codebuild.PipelineProject;
  readonly action: actions.CodeBuildAction;
  readonly reportGroup: codebuild.ReportGroup;
  readonly logGroup: logs.LogGroup;
  readonly policyStage: string;
}

/**
 * Builds the CodeBuild project, report group, encrypted log group and pipeline
 * action shared by all scan stages, with the least privilege they need to
 * upload raw reports.
 */
export function createScanProject(scope: Construct, props: ScanStageProps, options: ScanProjectOptions): ScanProject {
  allowCloudWatchLogsToUseKey(props.encryptionKey);
  const logGroup = new logs.LogGroup(scope, 'Logs', {
    encryptionKey: props.encryptionKey,
    retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const reportGroup = new codebuild.ReportGroup(scope, 'GateReports', {
    type: codebuild.ReportGroupType.TEST,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const policyStage = policyStageOf(props, options);
  const pullRequest = props.pullRequest;
  if (pullRequest !== undefined && options.pullRequestCheck !== true) {
    throw new Error(
      `pullRequest: the ${options.defaultActionName} stage publishes or deploys; only the secrets, code and image scans run for a pull request`,
    );
  }
  const factoryPolicy = props.factoryPolicy ?? DEFAULT_FACTORY_POLICY;
  const repository = reportsRepository(scope, props);
  const asffCli = props.asffCli ?? AsffCli.fromAsset();
  const offline = offlineBuild(scope, {
    toolbox: props.toolbox,
    databaseMirror: options.databaseMirror,
    databases: options.mirroredDatabases,
    dockerd: options.privileged,
  });

  const project = new codebuild.PipelineProject(scope, 'Project', {
    description: options.description,
    buildSpec: loadBuildspec(options.buildspec, reportGroup, {
      postFeedback: pullRequest?.feedback !== undefined,
      installScripts: offline.installScripts,
    }),
    encryptionKey: props.encryptionKey,
    timeout: props.timeout ?? options.defaultTimeout,
    queuedTimeout: Duration.hours(1),
    environment: {
      buildImage: offline.buildImage ?? codebuild.LinuxBuildImage.STANDARD_7_0,
      computeType: options.computeType ?? codebuild.ComputeType.SMALL,
      privileged: options.privileged ?? false,
    },
    environmentVariables: {
      REPORTS_BUCKET: { value: props.reportsBucket.bucketName },
      STAGE_NAME: { value: policyStage },
      // Part of every key the build writes (raw/<repository>/<stage>/...), the one prefix its role may write to.
      SCOPE_REPOSITORY: { value: repository },
      POLICY_FILE: { value: props.policyFile ?? DEFAULT_POLICY_FILE },
      FACTORY_POLICY_B64: { value: factoryPolicyVariable(pullRequest ? pullRequestPolicy(factoryPolicy) : factoryPolicy) },
      ALLOWED_SCANNER_CONFIGS: { value: allowedScannerConfigs(props.allowedScannerConfigs ?? []) },
      ...asffCli.bind(scope).environmentVariables,
      ...offline.environmentVariables,
      ...options.environmentVariables,
      ...secretVariables(options.secrets),
      ...pullRequestVariables(pullRequest),
    },
    logging: { cloudWatch: { logGroup } },
    ...buildNetwork(props),
  });
  reportGroup.grantWrite(project);
  asffCli.grantInstall(project);
  offline.bind(project);
  for (const secret of Object.values(options.secrets ?? {})) secret.grantRead(project);
  if (pullRequest === undefined) {
    grantRawReportUpload(project, props, `${repository}/${policyStage}/`);
  } else {
    // A pull request's findings are never imported: the build writes nothing to the reports bucket, and
    // reads the default branch's findings as its baseline.
    grantBaselineRead(project);
    pullRequest.feedback?.token.grantRead(project);
  }

  const scopeVariables: Record<string, codebuild.BuildEnvironmentVariable> = {};
  if (props.sourceBranch !== undefined) scopeVariables.SCOPE_BRANCH = { value: props.sourceBranch };
  const overrides = { ...scopeVariables, ...options.actionEnvironmentVariables };

  const action = new actions.CodeBuildAction({
    actionName: props.actionName ?? options.defaultActionName,
    project,
    input: props.input,
    extraInputs: options.extraInputs,
    outputs: options.outputs,
    runOrder: props.runOrder,
    variablesNamespace: props.variablesNamespace,
    environmentVariables: Object.keys(overrides).length > 0 ? overrides : undefined,
  });

  acknowledgeCodeBuildProjectGrants(project);
  if (props.vpc !== undefined) acknowledgeCodeBuildVpcGrants(project);
  protectProjectRoleTrust(project);
  acknowledgePipelineArtifactGrants(project, action);
  return { project, action, reportGroup, logGroup, policyStage };
}

/**
 * The repository part of the keys this stage writes. A literal fixed at synth, so that IAM can confine the
 * stage to its own prefix: a build runs code of the commit it scans, and its role must not be able to write
 * reports or policies in another repository's name (the findings processor trusts the key, not the metadata).
 */
function reportsRepository(scope: Construct, props: ScanStageProps): string {
  const repository = props.sourceRepository ?? Stack.of(scope).stackName;
  if (Token.isUnresolved(repository) || repository.includes('#{')) {
    throw new Error(`sourceRepository must be a literal repository name, not '${repository}': `
      + 'it fixes the only reports prefix (raw/<repository>/) this stage may write to');
  }
  if (!REPOSITORY_NAME.test(repository)) {
    throw new Error(`sourceRepository '${repository}' must be path segments of letters, digits, '.', '_' and '-' separated by '/'`);
  }
  return repository;
}

/**
 * The stage's name in the policy, the findings scope and its report keys: one key segment, fixed at synth, as the
 * stage's role may write under `raw/<repository>/<policy stage>/` only (a `*` or `/` would widen that prefix).
 */
function policyStageOf(props: ScanStageProps, options: ScanProjectOptions): string {
  const policyStage = props.policyStage ?? options.defaultPolicyStage;
  if (Token.isUnresolved(policyStage) || !POLICY_STAGE.test(policyStage)) {
    throw new Error(`policyStage must be a literal of letters, digits, '.', '_' and '-' (one report key segment), got '${policyStage}'`);
  }
  return policyStage;
}

const POLICY_STAGE = /^(?!\.{1,2}$)[A-Za-z0-9._-]+$/;

/** The project's VPC settings; subnets and security groups without a VPC are a mistake, not a no-op. */
function buildNetwork(props: ScanStageProps): Pick<codebuild.PipelineProjectProps, 'vpc' | 'subnetSelection' | 'securityGroups'> {
  if (props.vpc === undefined) {
    if (props.subnetSelection !== undefined || props.securityGroups !== undefined) {
      throw new Error('subnetSelection and securityGroups place the build in a VPC: give vpc too');
    }
    return {};
  }
  return { vpc: props.vpc, subnetSelection: props.subnetSelection, securityGroups: props.securityGroups };
}

/** Largest factory policy accepted: it travels base64-encoded in a plain environment variable of the project. */
const MAX_FACTORY_POLICY_BYTES = 8 * 1024;

/**
 * The factory's policy as the build receives it (base64 of the YAML: no quoting issue, visible in the
 * CloudFormation diff). It is checked in full by `asff gate` in the build; here only what synth can see.
 */
function factoryPolicyVariable(policy: string): string {
  if (Token.isUnresolved(policy)) throw new Error('factoryPolicy must be the YAML text itself, not a token');
  const bytes = Buffer.byteLength(policy, 'utf8');
  if (bytes > MAX_FACTORY_POLICY_BYTES) {
    throw new Error(`factoryPolicy is ${bytes} bytes; at most ${MAX_FACTORY_POLICY_BYTES} fit the build's environment`);
  }
  if (!/^version:\s*1\s*$/m.test(policy)) throw new Error("factoryPolicy must be a policy file with 'version: 1' (asff-parsers docs/policy.md)");
  return Buffer.from(policy, 'utf8').toString('base64');
}

/** The scanner configuration files the build leaves in place, as the space-separated list prepare-scan.sh reads. */
function allowedScannerConfigs(paths: string[]): string {
  for (const file of paths) {
    if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(file) || file.split('/').some((part) => part === '..')) {
      throw new Error(`allowedScannerConfigs: '${file}' must be a relative path of letters, digits, '.', '_' and '-'`);
    }
  }
  return paths.join(' ');
}

const REPOSITORY_NAME = /^(?!\.{1,2}(\/|$))[A-Za-z0-9._-]+(\/(?!\.{1,2}(\/|$))[A-Za-z0-9._-]+)*$/;

/**
 * PutObject under this stage's own `raw/<repository>/<stage>/` and `policies/<repository>/<stage>/` only: a
 * build can add its reports and the policy they were gated with, but neither read nor overwrite converted
 * findings, dead letters or another repository's or stage's reports. `grantPut` would add `s3:Abort*`, an
 * action wildcard, hence the explicit statement.
 */
function grantRawReportUpload(project: codebuild.PipelineProject, props: ScanStageProps, ownPrefix: string): void {
  const reports = props.reportsBucket.arnForObjects(`${RAW_REPORTS_PREFIX}${ownPrefix}*`);
  const policies = props.reportsBucket.arnForObjects(`${POLICIES_PREFIX}${ownPrefix}*`);
  project.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [reports, policies] }));
  const bucketKey = props.reportsBucket.encryptionKey;
  if (bucketKey && bucketKey !== props.encryptionKey) {
    project.addToRolePolicy(new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [bucketKey.keyArn],
    }));
  }
  acknowledgeWildcardResource(project.role!, reports,
    'Each build uploads reports under a new key (raw/<repository>/<stage>/<build number>/); '
      + 'PutObject only, under this stage\'s own repository and stage prefix.');
  acknowledgeWildcardResource(project.role!, policies,
    'Each build uploads the policy file it gated with under a new key (policies/<repository>/<stage>/<build number>/); '
      + 'PutObject only, under this stage\'s own repository and stage prefix.');
}

function secretVariables(secrets: Record<string, BuildSecret> = {}): Record<string, codebuild.BuildEnvironmentVariable> {
  return Object.fromEntries(Object.entries(secrets).map(([name, secret]) => [name, secret.environmentVariable()]));
}
