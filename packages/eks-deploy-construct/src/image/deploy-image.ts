import { assertDigest, assertRepositoryWithoutTag } from '../private/image-digest';

/**
 * The container image a pipeline promotes, identified by repository and
 * digest (never a tag).
 *
 * Create it once and pass the same object to every `EksDeployStage` and
 * `ApprovalGate`, so staging and production deploy exactly the same digest.
 * Both values may be CodePipeline variable expressions, e.g.
 * `DeployImage.fromDigest('#{ImageScan.IMAGE_URI}', '#{ImageScan.IMAGE_DIGEST}')`.
 */
export class DeployImage {
  /**
   * @param repository the image repository without tag or digest, e.g.
   * `123456789012.dkr.ecr.eu-west-1.amazonaws.com/app`; a pipeline variable
   * expression is accepted (a tag it may carry is dropped by the build).
   * @param digest `sha256:` and 64 hex digits, or a pipeline variable expression.
   * @throws when a literal repository carries a tag (`:latest`) or a literal digest is not a digest
   */
  public static fromDigest(repository: string, digest: string): DeployImage {
    assertRepositoryWithoutTag(repository);
    assertDigest(digest);
    return new DeployImage(repository, digest);
  }

  /** The image repository (no tag, no digest), possibly a pipeline variable expression. */
  public readonly repository: string;
  /** The `sha256:` digest, possibly a pipeline variable expression. */
  public readonly digest: string;

  private constructor(repository: string, digest: string) {
    this.repository = repository;
    this.digest = digest;
  }

  /** `repository@digest`, the only form a deploy references. */
  public get reference(): string {
    return `${this.repository}@${this.digest}`;
  }
}
