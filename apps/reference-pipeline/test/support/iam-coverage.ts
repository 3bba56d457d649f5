import { join } from 'node:path';
import * as YAML from 'yaml';
import { awsCalls, Requirement } from './aws-calls';
import { CfnTemplate, evaluate, IntrinsicResolver, PLACEHOLDER, roleIdOf, rolePolicies } from './iam-matcher';
import { sdkCalls } from './sdk-calls';
import { SAMPLE, shellCommands, ShellCommand } from './shell-commands';

/** packages/asff-parsers/src: the Lambda and the asff CLI, read as source. */
export const ASFF_SOURCE = join(__dirname, '..', '..', '..', '..', 'packages', 'asff-parsers', 'src');

/** One authorization the coverage test verified (or found missing), for the report. */
export interface CoverageRow {
  /** The CodeBuild project or Lambda function. */
  readonly principal: string;
  readonly role: string;
  /** `aws s3 cp`, `crane push`, `GetObject (s3)`, `source: CODEBUILD_CLONE_REF`, … */
  readonly call: string;
  readonly action: string;
  readonly resource: string;
  readonly allowed: boolean;
  /** The statement's policy and Sid that grants it; `conditional` when it carries a Condition (not evaluated). */
  readonly grantedBy?: string;
}

export interface Coverage {
  readonly rows: CoverageRow[];
  /** Calls the tables do not know, and calls that cannot be resolved: each one fails the test. */
  readonly unknown: string[];
  /** Calls the configuration switches off (the codeartifact branch with ASFF_CLI_SOURCE=asset, …). */
  readonly inactive: string[];
  /** `asff <command>` invocations of the buildspecs, with the SDK calls of that command's modules. */
  readonly asffCommands: Map<string, string[]>;
  /** Every `aws …` command of every buildspec (switched-off branches included), for the CLI syntax check. */
  readonly awsCommands: Array<{ readonly project: string; readonly command: ShellCommand }>;
}

const ORDERED_PHASES = ['install', 'pre_build', 'build', 'post_build'];

/** An install command that writes one of the factory's scripts to /usr/local/bin (scan-stage's installCommand). */
const INSTALLED_SCRIPT =
  /^set -euo pipefail\ncat > \/usr\/local\/bin\/[a-z-]+ <<'([A-Z_]+)'\n([\s\S]*)\n\1\nchmod 0755 \/usr\/local\/bin\/[a-z-]+\n?$/;

/**
 * The command blocks of a buildspec, in phase order (finally blocks after their phase). A script the install
 * phase writes to /usr/local/bin (gate-stage, post-feedback) is read as its own block: the build calls it, so its
 * AWS calls are the project's.
 */
export function buildspecBlocks(spec: any): string[] {
  const blocks: string[] = [];
  for (const phase of ORDERED_PHASES) {
    blocks.push(...(spec?.phases?.[phase]?.commands ?? []), ...(spec?.phases?.[phase]?.finally ?? []));
  }
  return blocks.map(String).map((block) => INSTALLED_SCRIPT.exec(block)?.[2] ?? block);
}

function bucketKeys(template: CfnTemplate, resolver: IntrinsicResolver): Map<string, string> {
  const keys = new Map<string, string>();
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::S3::Bucket') continue;
    const rule = resource.Properties?.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault;
    if (rule?.SSEAlgorithm === 'aws:kms' && rule.KMSMasterKeyID) keys.set(resolver.ref(id), resolver.resolve(rule.KMSMasterKeyID));
  }
  return keys;
}

/** The key that encrypts a secret of the template (its KmsKeyId), if any. */
function secretKey(template: CfnTemplate, resolver: IntrinsicResolver, secretArn: string): string | undefined {
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::SecretsManager::Secret' && resolver.ref(id) === secretArn && resource.Properties?.KmsKeyId) {
      return resolver.resolve(resource.Properties.KmsKeyId);
    }
  }
  return undefined;
}

/**
 * Checks every AWS call the factory's CodeBuild projects and findings Lambda make against the synthesized
 * roles: the `aws`/crane lines of each project's buildspec (as synthesized, shared scripts included), what
 * CodeBuild itself does with the role (secrets in the environment, a CodeConnections clone), and the SDK
 * commands of the Lambda's code.
 */
export function factoryCoverage(template: CfnTemplate): Coverage {
  const resolver = new IntrinsicResolver(template);
  const context = { bucketKeys: bucketKeys(template, resolver) };
  const rows: CoverageRow[] = [];
  const unknown: string[] = [];
  const inactive: string[] = [];
  const asffCommands = new Map<string, string[]>();
  const awsCommands: Coverage['awsCommands'] = [];
  const uploads: Requirement[] = [];

  const check = (principal: string, roleId: string, call: string, requirements: Requirement[]) => {
    const { statements } = rolePolicies(template, roleId);
    for (const { action, resource } of requirements) {
      const decision = evaluate(statements, action, resource);
      const statement = decision.grantedBy;
      rows.push({
        principal,
        role: roleId,
        call,
        action,
        resource,
        allowed: decision.allowed,
        grantedBy: statement && `${statement.source}${statement.sid ? `#${statement.sid}` : ''}${statement.condition ? ' (conditional)' : ''}`,
      });
    }
  };

  // Every pipeline of the template: the application's and, when enabled, its pull-request pipeline.
  const actions: any[] = Object.values(template.Resources).filter((r) => r.Type === 'AWS::CodePipeline::Pipeline')
    .flatMap((pipeline) => pipeline.Properties.Stages).flatMap((s: any) => s.Actions);
  const clones = new Map<string, string>();
  for (const action of actions) {
    if (action.ActionTypeId.Provider === 'CodeStarSourceConnection' && action.Configuration.OutputArtifactFormat === 'CODEBUILD_CLONE_REF') {
      for (const output of action.OutputArtifacts ?? []) clones.set(output.Name, resolver.resolve(action.Configuration.ConnectionArn));
    }
  }

  for (const [projectId, project] of Object.entries(template.Resources)) {
    if (project.Type !== 'AWS::CodeBuild::Project') continue;
    const props = project.Properties;
    const roleId = roleIdOf(props.ServiceRole);
    const raw = resolver.resolve(props.Source.BuildSpec);
    const spec = YAML.parse(raw);
    const environment: Record<string, string> = {};
    for (const variable of props.Environment?.EnvironmentVariables ?? []) {
      const value = String(resolver.resolve(variable.Value));
      if ((variable.Type ?? 'PLAINTEXT') === 'PLAINTEXT') environment[variable.Name] = value;
      if (variable.Type === 'SECRETS_MANAGER') {
        // CodeBuild reads the secret with the project's role before the first phase.
        const secretArn = value.split(':').slice(0, 7).join(':');
        const key = secretKey(template, resolver, secretArn);
        check(projectId, roleId, `environment ${variable.Name} (SECRETS_MANAGER)`, [
          { action: 'secretsmanager:GetSecretValue', resource: secretArn },
          ...(key ? [{ action: 'kms:Decrypt', resource: key }] : []),
        ]);
      } else if (variable.Type === 'PARAMETER_STORE') {
        check(projectId, roleId, `environment ${variable.Name} (PARAMETER_STORE)`, [
          {
            action: 'ssm:GetParameters',
            resource: `arn:${PLACEHOLDER.partition}:ssm:${PLACEHOLDER.region}:${PLACEHOLDER.account}:parameter/${value.replace(/^\//, '')}`,
          },
        ]);
      }
    }
    const commands: ShellCommand[] = shellCommands(buildspecBlocks(spec), environment);
    awsCommands.push(...commands.filter((c) => c.words[0] === 'aws').map((command) => ({ project: projectId, command })));
    const extraction = awsCalls(commands, context);
    unknown.push(...extraction.unknown.map((u) => `${projectId}: ${u}`));
    for (const call of extraction.calls) {
      if (!call.active) {
        inactive.push(`${projectId}: ${call.call} (${call.requirements.map((r) => r.action).join(', ') || call.note})`);
        continue;
      }
      check(projectId, roleId, call.call, call.requirements);
      uploads.push(...call.requirements.filter((r) => r.action === 's3:PutObject'));
    }
    for (const command of commands.filter((c) => c.words[0] === 'asff' && c.active)) {
      const name = command.words[1];
      const calls = sdkCalls(join(ASFF_SOURCE, 'cli', 'commands', `${name}.ts`), ASFF_SOURCE);
      if (!asffCommands.has(name)) asffCommands.set(name, calls.map((c) => `${c.operation} (${c.client}, ${c.file})`));
      const options = ASFF_AWS_OPTIONS[name];
      if (calls.length === 0) continue;
      if (options === undefined) {
        unknown.push(`${projectId}: asff ${name} sends ${calls.map((c) => `${c.client}:${c.operation}`).join(', ')}: add it to ASFF_AWS_OPTIONS in `
          + 'apps/reference-pipeline/test/support/iam-coverage.ts with the IAM it needs, and grant it to the project\'s role');
        continue;
      }
      if (!options.when(environment)) continue;
      for (const call of calls) {
        const mapping = options.sdk[`${call.client}:${call.operation}`];
        if (!mapping) {
          unknown.push(`${projectId}: asff ${name} sends ${call.client}:${call.operation} (${call.file}), not in ASFF_AWS_OPTIONS[${name}].sdk`);
          continue;
        }
        check(projectId, roleId, `asff ${name} ${options.option} (${call.operation}, ${call.client} SDK)`, mapping);
      }
    }
    // The pipeline hands a CodeConnections clone reference to the project: CodeBuild clones with the
    // connection, as the project's role. Connections created since 2024 are `codeconnections` ARNs, older
    // ones `codestar-connections`, and IAM matches the prefix of the ARN: both must be granted.
    const inputs = actions.filter((a) => a.ActionTypeId.Provider === 'CodeBuild' && a.Configuration.ProjectName?.Ref === projectId)
      .flatMap((a) => (a.InputArtifacts ?? []).map((i: { Name: string }) => i.Name));
    for (const input of inputs) {
      const connection = clones.get(input);
      if (connection) {
        check(projectId, roleId, 'source: CODEBUILD_CLONE_REF (git clone)', [
          { action: 'codestar-connections:UseConnection', resource: connection },
          { action: 'codeconnections:UseConnection', resource: connection },
        ]);
      }
    }
  }

  lambdaCoverage(template, resolver, uploads, check, { unknown, inactive });
  return { rows, unknown, inactive, asffCommands, awsCommands };
}

/**
 * `asff` commands that send AWS calls only with an option, the build variable that makes the buildspecs pass it,
 * and the IAM each SDK call then needs. `asff gate` reads its baseline from Security Hub with `--baseline-scope`,
 * which the scan buildspecs pass when BASELINE_BRANCH is set (pull-request builds); GetFindings has no
 * resource-level permissions, so IAM authorizes it against `*`.
 */
interface AsffAwsOption {
  readonly option: string;
  readonly when: (environment: Record<string, string>) => boolean;
  readonly sdk: Record<string, Requirement[]>;
}
const ASFF_AWS_OPTIONS: Record<string, AsffAwsOption> = {
  gate: {
    option: '--baseline-scope',
    when: (environment) => (environment.BASELINE_BRANCH ?? '') !== '',
    sdk: { 'securityhub:GetFindings': [{ action: 'securityhub:GetFindings', resource: '*' }] },
  },
};

type Check = (principal: string, roleId: string, call: string, requirements: Requirement[]) => void;

/**
 * The findings processor: the SDK commands its code sends, each mapped to the resources it sends them to.
 * It reads what the scan stages upload to the bucket that triggers it (raw reports and the policy files
 * their metadata names), writes converted findings and dead letters under its prefixes with SSE-KMS, keeps
 * the checkpoints of imports that outlive one invocation, and imports into Security Hub. Lambda itself sends failed async events to the DLQ with the function's role.
 */
function lambdaCoverage(
  template: CfnTemplate, resolver: IntrinsicResolver, uploads: Requirement[], check: Check,
  { unknown, inactive }: { unknown: string[]; inactive: string[] },
) {
  const notifications = Object.values(template.Resources).find((r) => r.Type === 'Custom::S3BucketNotifications');
  const [functionId, fn] = Object.entries(template.Resources).find(([, r]) => r.Type === 'AWS::Lambda::Function'
    && r.Properties?.Environment?.Variables?.RAW_PREFIX !== undefined) ?? [];
  if (!fn || !notifications) {
    unknown.push('the findings processor (a function with RAW_PREFIX, triggered by a bucket notification) is not in the template');
    return;
  }
  const roleId = roleIdOf(fn.Properties.Role);
  const bucket = resolver.resolve(notifications.Properties.BucketName);
  const bucketArn = `arn:${PLACEHOLDER.partition}:s3:::${bucket}`;
  const env = resolver.resolve(fn.Properties.Environment.Variables);
  const key: string | undefined = env.SSE_KMS_KEY_ID;
  const kms = (action: string) => (key ? [{ action, resource: key }] : []);
  // It reads the raw reports that trigger it and the policy files their metadata names; the SBOMs and
  // provenance statements the image and publish stages keep beside them are for people and auditors.
  const reads = uploads.filter((u) => [env.RAW_PREFIX, 'policies/'].some((prefix) => u.resource.startsWith(`${bucketArn}/${prefix}`)));
  if (!reads.length) unknown.push('no scan stage uploads to the findings processor\'s bucket: the reads it makes could not be derived');

  // Each SDK command the Lambda's code sends → what it is sent to.
  const LAMBDA_SDK: Record<string, () => Requirement[]> = {
    // An import that would outlive its invocation writes a checkpoint and the next invocation reads it.
    's3:GetObject': () => [
      ...reads.map((u) => ({ action: 's3:GetObject', resource: u.resource })),
      { action: 's3:GetObject', resource: `${bucketArn}/${env.CHECKPOINT_PREFIX}${SAMPLE}` },
      ...kms('kms:Decrypt'),
    ],
    's3:PutObject': () => [
      { action: 's3:PutObject', resource: `${bucketArn}/${env.CONVERTED_PREFIX}${SAMPLE}` },
      { action: 's3:PutObject', resource: `${bucketArn}/${env.DEAD_LETTER_PREFIX}${SAMPLE}` },
      { action: 's3:PutObject', resource: `${bucketArn}/${env.CHECKPOINT_PREFIX}${SAMPLE}` },
      ...kms('kms:GenerateDataKey'),
    ],
    // Findings are imported through the account's default product.
    'securityhub:BatchImportFindings': () => [{
      action: 'securityhub:BatchImportFindings',
      resource: `arn:${PLACEHOLDER.partition}:securityhub:${PLACEHOLDER.region}:${PLACEHOLDER.account}:product/${PLACEHOLDER.account}/default`,
    }],
    'securityhub:GetFindings': () => [{ action: 'securityhub:GetFindings', resource: '*' }],
    'securityhub:BatchUpdateFindings': () => [{ action: 'securityhub:BatchUpdateFindings', resource: '*' }],
    // Security Lake custom sources are written with their provider roles (FindingsProcessor securityLake), only
    // when the function is told them.
    'sts:AssumeRole': () => {
      const roles = [env.SECURITY_LAKE_VULNERABILITY_ROLE_ARN, env.SECURITY_LAKE_DETECTION_ROLE_ARN].filter((r): r is string => Boolean(r));
      if (roles.length === 0) inactive.push(`${functionId}: AssumeRole (sts SDK): no Security Lake custom source configured`);
      return roles.map((resource) => ({ action: 'sts:AssumeRole', resource }));
    },
  };
  const seen = new Set<string>();
  for (const call of sdkCalls(join(ASFF_SOURCE, 'lambda', 'handler.ts'), ASFF_SOURCE)) {
    const action = `${call.client}:${call.operation}`;
    if (seen.has(action)) continue;
    seen.add(action);
    const mapping = LAMBDA_SDK[action];
    if (!mapping) {
      unknown.push(`${functionId}: new ${call.operation}Command (${call.client}) in ${call.file} is not in the IAM coverage table: add it to `
        + 'LAMBDA_SDK in apps/reference-pipeline/test/support/iam-coverage.ts and grant it to the findings processor\'s role');
      continue;
    }
    check(functionId!, roleId, `${call.operation} (${call.client} SDK)`, mapping());
  }
  const deadLetter = fn.Properties.DeadLetterConfig?.TargetArn;
  if (deadLetter) {
    const queueArn = resolver.resolve(deadLetter);
    const queue = Object.entries(template.Resources).find(([id, r]) => r.Type === 'AWS::SQS::Queue' && resolver.getAtt(id, 'Arn') === queueArn)?.[1];
    const queueKey = queue?.Properties?.KmsMasterKeyId ? resolver.resolve(queue.Properties.KmsMasterKeyId) : undefined;
    check(functionId!, roleId, 'async failure → DeadLetterConfig (Lambda service)', [
      { action: 'sqs:SendMessage', resource: queueArn },
      // Sending to an SSE-KMS queue needs a data key from the queue's key.
      ...(queueKey ? [{ action: 'kms:GenerateDataKey', resource: queueKey }, { action: 'kms:Decrypt', resource: queueKey }] : []),
    ]);
  }
}
