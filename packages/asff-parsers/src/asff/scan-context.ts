/** AWS partitions Security Hub runs in. */
export type Partition = 'aws' | 'aws-us-gov' | 'aws-cn';

/**
 * Where and what was scanned. The account, region and partition decide the
 * ProductArn; repository, branch and image are the "scope" that keeps a
 * finding's Id stable from build to build; commit and build id are recorded but
 * never part of the Id (they change every build).
 */
export interface ScanContext {
  /** The 12-digit AWS account that imports the findings. */
  readonly account: string;
  /** The Region of the Security Hub the findings go to, e.g. `eu-west-1`. */
  readonly region: string;
  /** The partition of that account (default `aws`). */
  readonly partition?: Partition;
  /** The source repository that was scanned (name or URL). Part of the Id scope. */
  readonly repository?: string;
  /** The branch that was scanned. Part of the Id scope. */
  readonly branch?: string;
  /** The commit that was scanned: recorded in ProductFields, not in the Id. */
  readonly commit?: string;
  /** The CodeBuild build id: recorded in ProductFields, not in the Id. */
  readonly buildId?: string;
  /**
   * The container image that was scanned, ideally by digest
   * (`123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:...`). Its
   * repository (without tag or digest) is part of the Id scope; the full
   * reference becomes the Container resource.
   */
  readonly image?: string;
  /**
   * The directory the scanned source was checked out to (`asff convert --source-root`, default
   * `CODEBUILD_SRC_DIR`): paths the report gives under it are made relative before they enter Ids, resources and
   * titles, so a finding keeps its Id when the next build checks out elsewhere. Not part of the Id.
   */
  readonly sourceRoot?: string;
  /** The time written to CreatedAt/UpdatedAt (default: now). */
  readonly now?: Date;
}

export const PARTITIONS: readonly Partition[] = ['aws', 'aws-us-gov', 'aws-cn'];
