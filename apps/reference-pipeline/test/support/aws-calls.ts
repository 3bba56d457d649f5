import { PLACEHOLDER } from './iam-matcher';
import { SAMPLE, ShellCommand } from './shell-commands';

/** One IAM authorization a command needs from the role it runs as. */
export interface Requirement {
  readonly action: string;
  readonly resource: string;
}

export interface ToolCall {
  /** `aws ecr start-image-scan`, `crane push`, … */
  readonly call: string;
  readonly line: string;
  /** False when the project's configuration switches the call off (another `case` branch, an unset variable). */
  readonly active: boolean;
  readonly requirements: Requirement[];
  /** Why a call needs no IAM grant, when it needs none. */
  readonly note?: string;
}

export interface CallContext {
  /** Bucket name → ARN of its default SSE-KMS key, for the buckets of the template. */
  readonly bucketKeys: ReadonlyMap<string, string>;
}

const arn = (service: string, resource: string, region: string = PLACEHOLDER.region, account: string = PLACEHOLDER.account) =>
  `arn:${PLACEHOLDER.partition}:${service}:${region}:${account}:${resource}`;

/** `--name value` options and positional words of a command after its subcommand. */
class Args {
  readonly positional: string[] = [];
  private readonly options = new Map<string, string>();
  constructor(words: readonly string[]) {
    for (let i = 0; i < words.length; i++) {
      const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(words[i]);
      if (!m) this.positional.push(words[i]);
      else if (m[2] !== undefined) this.options.set(m[1], m[2]);
      else if (i + 1 < words.length && !words[i + 1].startsWith('--')) this.options.set(m[1], words[++i]);
      else this.options.set(m[1], '');
    }
  }

  get(name: string): string | undefined {
    return this.options.get(name);
  }

  require(name: string): string {
    const value = this.options.get(name);
    if (value === undefined) throw new Error(`--${name} is missing`);
    return value;
  }
}

type Mapping = (args: Args, context: CallContext) => Requirement[] | { note: string };

const pascal = (kebab: string) => kebab.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('');

/** The repository an ECR call names: `--repository-name`, in the `--registry-id` account (default: the caller's). */
const onRepository = (service: string, operation: string): Mapping => (args) => [{
  action: `${service}:${pascal(operation)}`,
  resource: arn('ecr', `repository/${args.require('repository-name')}`, PLACEHOLDER.region, args.get('registry-id') ?? PLACEHOLDER.account),
}];

/** Calls whose action has no resource-level permission: IAM authorizes them against `*`. */
const onAnyResource = (service: string, operation: string): Mapping => () => [{ action: `${service}:${pascal(operation)}`, resource: '*' }];

function s3Object(uri: string): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  return m ? { bucket: m[1], key: m[2] } : undefined;
}

/**
 * `aws s3 cp SRC DST`: a download (s3:// source) is s3:GetObject on the source object; an upload (s3://
 * destination) is s3:PutObject on the destination. With the bucket's SSE-KMS key: a read needs kms:Decrypt,
 * a write kms:GenerateDataKey, and the CLI's multipart upload (files over 8 MB) kms:Decrypt as well.
 */
const s3Copy: Mapping = (args, context) => {
  const [source, destination] = args.positional;
  if (!source || !destination) throw new Error('aws s3 cp needs a source and a destination');
  const requirements: Requirement[] = [];
  const add = (uri: string, action: string, kms: string[]) => {
    const object = s3Object(uri);
    if (!object) return;
    requirements.push({ action, resource: `arn:${PLACEHOLDER.partition}:s3:::${object.bucket}/${object.key}` });
    // A bucket of another stack (the CDK bootstrap's assets bucket) is encrypted with the AWS managed key,
    // which any principal of the account may use through S3: nothing to grant.
    const key = context.bucketKeys.get(object.bucket);
    if (key) requirements.push(...kms.map((kmsAction) => ({ action: kmsAction, resource: key })));
  };
  add(source, 's3:GetObject', ['kms:Decrypt']);
  add(destination, 's3:PutObject', ['kms:GenerateDataKey', 'kms:Decrypt']);
  if (!requirements.length) throw new Error(`aws s3 cp between two local paths: ${source} ${destination}`);
  return requirements;
};

/**
 * The `aws` CLI calls the buildspecs may make, each mapped to the IAM actions it needs on the resources it
 * names. A call missing here fails the coverage test: add it with its IAM action(s) and resource, then make
 * sure the construct that owns the project's role grants it.
 */
export const AWS_CLI: Record<string, Record<string, Mapping>> = {
  s3: { cp: s3Copy },
  ecr: {
    // The password is an authorization token for the whole registry.
    'get-login-password': () => [{ action: 'ecr:GetAuthorizationToken', resource: '*' }],
    'get-registry-scanning-configuration': onAnyResource('ecr', 'get-registry-scanning-configuration'),
    'describe-image-scan-findings': onRepository('ecr', 'describe-image-scan-findings'),
    'start-image-scan': onRepository('ecr', 'start-image-scan'),
    'describe-images': onRepository('ecr', 'describe-images'),
    'batch-get-image': onRepository('ecr', 'batch-get-image'),
  },
  inspector2: { 'list-findings': onAnyResource('inspector2', 'list-findings') },
  eks: {
    // Reads the cluster's endpoint and CA; the Kubernetes permissions come from the cluster's access entry.
    'update-kubeconfig': (args) => [{
      action: 'eks:DescribeCluster',
      resource: arn('eks', `cluster/${args.require('name')}`, args.get('region') ?? PLACEHOLDER.region),
    }],
  },
  sts: { 'get-caller-identity': () => ({ note: 'sts:GetCallerIdentity needs no permission' }) },
  codeartifact: {
    // `login --tool npm` gets a token (which needs a bearer token from STS) and the repository endpoint; the
    // `npm pack` that follows reads the package through it.
    login: (args) => {
      const owner = args.get('domain-owner') ?? PLACEHOLDER.account;
      const domain = args.require('domain');
      const repository = arn('codeartifact', `repository/${domain}/${args.require('repository')}`, PLACEHOLDER.region, owner);
      return [
        { action: 'codeartifact:GetAuthorizationToken', resource: arn('codeartifact', `domain/${domain}`, PLACEHOLDER.region, owner) },
        { action: 'sts:GetServiceBearerToken', resource: '*' },
        { action: 'codeartifact:GetRepositoryEndpoint', resource: repository },
        { action: 'codeartifact:ReadFromRepository', resource: repository },
      ];
    },
  },
  configure: { set: () => ({ note: 'writes the local CLI configuration' }) },
};

/** `<account>.dkr.ecr.<region>.<suffix>/<name>[:tag|@digest]` → the repository's ARN. */
export function ecrRepositoryArn(reference: string): string {
  const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.[^/]+\/([^:@]+)/.exec(reference);
  if (!m) throw new Error(`not an ECR image reference: ${reference}`);
  return arn('ecr', `repository/${m[3]}`, m[2], m[1]);
}

/**
 * Tools other than `aws` that act with the role. crane speaks the registry API with the token of
 * `aws ecr get-login-password`; each registry call is authorized by ECR as the matching IAM action.
 */
export const OTHER_TOOLS: Record<string, Record<string, (args: Args) => Requirement[] | { note: string }>> = {
  crane: {
    auth: () => ({ note: 'stores the registry password from `aws ecr get-login-password`' }),
    // Blob HEADs (BatchCheckLayerAvailability), blob uploads (Initiate/UploadLayerPart/Complete), the manifest
    // PUT (PutImage) and crane's check for an existing manifest (BatchGetImage).
    push: (args) => {
      const repository = ecrRepositoryArn(args.positional[1] ?? '');
      return ['BatchCheckLayerAvailability', 'InitiateLayerUpload', 'UploadLayerPart', 'CompleteLayerUpload', 'PutImage', 'BatchGetImage']
        .map((operation) => ({ action: `ecr:${operation}`, resource: repository }));
    },
  },
  git: {
    // Local operations on the clone CodeBuild made (the clone itself uses the connection: see the source check).
    'rev-parse': () => ({ note: 'local' }),
    'secrets': () => ({ note: 'local' }),
    'config': () => ({ note: 'local' }),
    'log': () => ({ note: 'local' }),
  },
};

/** Commands that reach a cluster or a service without IAM: not the role's business. */
const WITHOUT_IAM: Record<string, string> = {
  // After update-kubeconfig, kubectl authenticates as the role, but what it may do is decided by the cluster's
  // EKS access entry (and its access policy), not by IAM: the eks-deploy-construct tests cover the entry.
  kubectl: 'Kubernetes RBAC through the EKS access entry, not IAM',
};

export interface Extraction {
  readonly calls: ToolCall[];
  /** Calls no table knows: each one fails the coverage test. */
  readonly unknown: string[];
}

/** The AWS-facing calls of one buildspec's commands, with the IAM each needs. */
export function awsCalls(commands: readonly ShellCommand[], context: CallContext): Extraction {
  const calls: ToolCall[] = [];
  const unknown: string[] = [];
  const profiles = new Map<string, string>();
  for (const command of commands) {
    const [tool, operationOrService, operation] = command.words;
    if (WITHOUT_IAM[tool]) {
      calls.push({
        call: `${tool} ${operationOrService ?? ''}`.trim(),
        line: command.line,
        active: command.active,
        requirements: [],
        note: WITHOUT_IAM[tool],
      });
      continue;
    }
    let mapping: Mapping | undefined;
    let name: string;
    let rest: string[];
    if (tool === 'aws') {
      name = `aws ${operationOrService} ${operation}`;
      mapping = AWS_CLI[operationOrService]?.[operation];
      rest = command.words.slice(3);
    } else if (OTHER_TOOLS[tool]) {
      name = `${tool} ${operationOrService}`;
      mapping = OTHER_TOOLS[tool][operationOrService];
      rest = command.words.slice(2);
    } else {
      continue;
    }
    if (!mapping) {
      unknown.push(`\`${name}\` (in: ${command.line}) is not in the IAM coverage table: add it to AWS_CLI or OTHER_TOOLS in `
        + 'apps/reference-pipeline/test/support/aws-calls.ts with the IAM actions and resources it needs, and grant them to the project\'s role');
      continue;
    }
    const args = new Args(rest);
    const result = mapping(args, context);
    let requirements = 'note' in result ? [] : result;
    let note = 'note' in result ? result.note : undefined;
    if (name === 'aws configure set') {
      const m = /^profile\.([^.]+)\.role_arn$/.exec(args.positional[0] ?? '');
      if (m && command.active) profiles.set(m[1], args.positional[1]);
    } else if (tool === 'aws') {
      // A call through a profile that assumes another role is authorized by that role (in the target
      // account); this role needs only to assume it.
      const profile = args.get('profile') ?? command.variables.get('AWS_PROFILE');
      const assumed = profile !== undefined ? profiles.get(profile) : undefined;
      if (assumed !== undefined) {
        note = `runs as ${assumed}: ${requirements.map((r) => r.action).join(', ')} are that role's to grant`;
        requirements = [{ action: 'sts:AssumeRole', resource: assumed }];
      }
    }
    // A value known only at run time (a loop's report file) may name an S3 object in its last segment: the
    // grants are per prefix. Anywhere else it would leave the resource undecided.
    // (A call the configuration switches off is only listed: its values are not set.)
    if (command.active && requirements.some((r) => r.resource.includes(SAMPLE) && !isS3ObjectNamedAtRunTime(r.resource))) {
      unknown.push(
        `\`${name}\` (in: ${command.line}): its resource depends on values this test cannot know (${requirements.map((r) => r.resource).join(', ')})`,
      );
      continue;
    }
    calls.push({ call: name, line: command.line, active: command.active, requirements, note });
  }
  return { calls, unknown };
}

function isS3ObjectNamedAtRunTime(resource: string): boolean {
  return resource.startsWith(`arn:${PLACEHOLDER.partition}:s3:::`) && !resource.slice(0, resource.lastIndexOf('/')).includes(SAMPLE);
}
