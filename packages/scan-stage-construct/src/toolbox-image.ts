import { Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';

/** What a scan stage's project takes from a {@link ToolboxImage}. */
export interface ToolboxImageConfig {
  /** The CodeBuild image, pulled by digest with the project's service role. */
  readonly buildImage: codebuild.IBuildImage;
  /** The image reference (`<repository URI>@sha256:<hex>`), shown by the build when a tool does not match. */
  readonly imageUri: string;
}

/**
 * The scanner toolbox image (`toolbox/Dockerfile` of this repository: every scanner the stages pin, at the same
 * versions and sha256 values, and the `asff` CLI) as the CodeBuild image of a scan stage. With it the build
 * installs nothing: the stage checks each tool it pins in the image (version, or bytes against the kept release
 * archive) and fails, naming the tool, when one is missing or at another version. Build the image with
 * {@link ToolboxImagePipeline}, which scans it with the factory's own image gates, pushes it by digest and signs it.
 */
export abstract class ToolboxImage {
  /**
   * The image in an ECR repository, by digest (a tag could be moved to other contents).
   *
   * @param repository the repository holding the image; the project's role may pull from it
   * @param digest `sha256:<64 hex>`, e.g. the `IMAGE_DIGEST` ToolboxImagePipeline's publish stage exports
   */
  public static fromEcr(repository: ecr.IRepository, digest: string): ToolboxImage {
    if (!Token.isUnresolved(digest) && !/^sha256:[0-9a-f]{64}$/.test(digest)) {
      throw new Error(`ToolboxImage.fromEcr: digest must be sha256:<64 hex characters> (an image pinned by digest), got '${digest}'`);
    }
    return new EcrToolboxImage(repository, digest);
  }

  /** The project settings of this image. */
  public abstract bind(): ToolboxImageConfig;
}

class EcrToolboxImage extends ToolboxImage {
  constructor(private readonly repository: ecr.IRepository, private readonly digest: string) {
    super();
  }

  public bind(): ToolboxImageConfig {
    return {
      buildImage: codebuild.LinuxBuildImage.fromEcrRepository(this.repository, this.digest),
      imageUri: this.repository.repositoryUriForDigest(this.digest),
    };
  }
}
