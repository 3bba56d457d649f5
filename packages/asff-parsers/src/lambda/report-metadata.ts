import { Partition } from '../asff/scan-context';
import { checkScope, formatScope } from '../importer/scope';

/**
 * S3 user metadata (`x-amz-meta-<key>`) that CodeBuild sets on each raw
 * report it uploads. S3 lower-cases metadata keys; these are the exact keys.
 */
export const REPORT_METADATA_KEYS = {
  /** Required. The `asff` tool id of the report (`asff tools`), or `auto`. */
  tool: 'tool',
  /** The finding scope; default `<repository>/<branch>/<stage>/<tool>` from the keys below. */
  scope: 'scope',
  /** Pipeline stage name (part of the default scope). */
  stage: 'stage',
  /** Scanned repository: part of the finding Id and of the default scope. */
  repository: 'repository',
  /** Scanned branch: part of the finding Id and of the default scope. */
  branch: 'branch',
  /** CodeBuild build id, recorded in ProductFields. */
  buildId: 'build-id',
  /** Scanned commit, recorded in ProductFields. */
  commit: 'commit',
  /** Digest of the scanned image (`sha256:...`). */
  imageDigest: 'image-digest',
  /** Scanned image reference (`<repository uri>@sha256:...` or with tag). */
  image: 'image',
  /** Optional: key, in the same bucket, of the policy file whose suppressions to apply to the scope. */
  policyKey: 'policy-key',
  /**
   * Optional: the directory the build checked the source out to (`CODEBUILD_SRC_DIR`). Paths under it become
   * relative, as `asff convert` makes them in the build, so the imported Ids do not change with the build directory.
   */
  sourceRoot: 'source-root',
} as const;

export interface ReportMetadata {
  readonly tool: string;
  readonly scope: string;
  readonly stage?: string;
  readonly repository?: string;
  readonly branch?: string;
  readonly buildId?: string;
  readonly commit?: string;
  readonly image?: string;
  readonly policyKey?: string;
  readonly sourceRoot?: string;
}

/** Raised for a report that can never be processed as uploaded (retrying would not help). */
export class InvalidReportUpload extends Error {
  override readonly name = 'InvalidReportUpload';
}

/**
 * Where a raw report sits: `<raw prefix><repository>/<stage>/<build number>/<file>`; the repository may itself
 * hold `/` (`org/repo`). Each scan project may write only under its own repository's prefix (IAM), so the key,
 * unlike the metadata the build sets, says which repository the report belongs to.
 */
export interface ReportLocation {
  readonly repository: string;
  readonly stage: string;
  readonly build: string;
  readonly file: string;
}

export function reportLocation(key: string, rawPrefix: string): ReportLocation {
  const parts = key.startsWith(rawPrefix) ? key.slice(rawPrefix.length).split('/') : [];
  if (parts.length < 4 || parts.some((part) => part === '' || part === '.' || part === '..')) {
    throw new InvalidReportUpload(`the key is not ${rawPrefix}<repository>/<stage>/<build number>/<file>`);
  }
  const [stage, build, file] = parts.slice(-3);
  return { repository: parts.slice(0, -3).join('/'), stage, build, file };
}

/** Metadata values quoted in an error: short, one line (they come from the build, not from the report). */
function quoted(value: string): string {
  const line = value.replace(/[\r\n]+/g, ' ');
  return `'${line.length > 80 ? `${line.slice(0, 80)}...` : line}'`;
}

/**
 * Reads and checks the metadata of one raw report. With its location (the processor always passes it), the
 * repository and stage come from the key: metadata that contradicts them (another repository's scope, a policy
 * file of another repository or stage) rejects the report instead of touching that repository's findings.
 */
export function parseReportMetadata(
  metadata: Readonly<Record<string, string>> | undefined,
  location?: ReportLocation,
  policiesPrefix = 'policies/',
): ReportMetadata {
  const get = (key: string): string | undefined => {
    const value = metadata?.[key]?.trim();
    return value ? value : undefined;
  };
  const tool = get(REPORT_METADATA_KEYS.tool);
  if (!tool) throw new InvalidReportUpload(`the report has no '${REPORT_METADATA_KEYS.tool}' metadata`);
  const branch = get(REPORT_METADATA_KEYS.branch);
  if (location) return locatedMetadata(get, tool, branch, location, policiesPrefix);
  const repository = get(REPORT_METADATA_KEYS.repository);
  const stage = get(REPORT_METADATA_KEYS.stage);
  let scope = get(REPORT_METADATA_KEYS.scope);
  try {
    if (scope) checkScope(scope);
    else if (repository && branch && stage) scope = formatScope({ repository, branch, stage, tool });
  } catch (error) {
    throw new InvalidReportUpload(`invalid scope metadata: ${(error as Error).message}`);
  }
  if (!scope) {
    const keys = REPORT_METADATA_KEYS;
    throw new InvalidReportUpload(`the report needs '${keys.scope}' metadata, or '${keys.repository}', '${keys.branch}' and '${keys.stage}'`);
  }
  const digest = get(REPORT_METADATA_KEYS.imageDigest);
  const image = get(REPORT_METADATA_KEYS.image);
  return {
    tool,
    scope,
    stage,
    repository,
    branch,
    buildId: get(REPORT_METADATA_KEYS.buildId),
    commit: get(REPORT_METADATA_KEYS.commit),
    // A digest alone still identifies the image: the Id scope then uses it.
    image: image ?? digest,
    policyKey: get(REPORT_METADATA_KEYS.policyKey),
    sourceRoot: get(REPORT_METADATA_KEYS.sourceRoot),
  };
}

function locatedMetadata(
  get: (key: string) => string | undefined,
  tool: string,
  branch: string | undefined,
  location: ReportLocation,
  policiesPrefix: string,
): ReportMetadata {
  const { repository, stage } = location;
  for (const [key, expected] of [[REPORT_METADATA_KEYS.repository, repository], [REPORT_METADATA_KEYS.stage, stage]] as const) {
    const value = get(key);
    if (value !== undefined && value !== expected) {
      throw new InvalidReportUpload(`'${key}' metadata ${quoted(value)} contradicts the key's ${key} ${quoted(expected)}`);
    }
  }
  // The buildspecs' scope: <repository>/<branch>/<stage>/<tool>; only the branch is the build's to say.
  const ownScope = `${repository}/${branch ?? 'default'}/${stage}/${tool}`;
  const scope = get(REPORT_METADATA_KEYS.scope);
  if (scope !== undefined && scope !== ownScope) {
    throw new InvalidReportUpload(
      `'scope' metadata ${quoted(scope)} is not this report's scope ${quoted(ownScope)} (repository and stage come from the key)`,
    );
  }
  try {
    checkScope(ownScope);
  } catch (error) {
    throw new InvalidReportUpload(`invalid scope: ${(error as Error).message}`);
  }
  const policyKey = get(REPORT_METADATA_KEYS.policyKey);
  const ownPolicies = `${policiesPrefix}${repository}/${stage}/`;
  if (policyKey !== undefined && (!policyKey.startsWith(ownPolicies) || policyKey.split('/').some((part) => part === '..' || part === '.'))) {
    throw new InvalidReportUpload(`'policy-key' metadata ${quoted(policyKey)} is outside this report's ${ownPolicies}`);
  }
  const digest = get(REPORT_METADATA_KEYS.imageDigest);
  return {
    tool,
    scope: ownScope,
    stage,
    repository,
    branch,
    buildId: get(REPORT_METADATA_KEYS.buildId),
    commit: get(REPORT_METADATA_KEYS.commit),
    image: get(REPORT_METADATA_KEYS.image) ?? digest,
    policyKey,
    sourceRoot: get(REPORT_METADATA_KEYS.sourceRoot),
  };
}

/** Account, Region and partition of the function, from its ARN: no STS call on the hot path. */
export interface FunctionIdentity {
  readonly account: string;
  readonly region: string;
  readonly partition: Partition;
}

export function identityFromFunctionArn(arn: string, regionFromEnvironment: string | undefined): FunctionIdentity {
  const parts = arn.split(':');
  if (parts.length < 7 || parts[0] !== 'arn' || parts[2] !== 'lambda' || !/^\d{12}$/.test(parts[4])) {
    throw new Error(`not a Lambda function ARN: ${arn}`);
  }
  const partition = parts[1];
  if (partition !== 'aws' && partition !== 'aws-cn' && partition !== 'aws-us-gov') throw new Error(`unsupported partition ${partition}`);
  return { account: parts[4], region: regionFromEnvironment || parts[3], partition };
}
