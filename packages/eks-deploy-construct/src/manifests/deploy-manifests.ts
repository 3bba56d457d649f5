import { WorkloadOptions } from './workload-options';
import { placeholderImage, synthesizeWorkload } from '../private/synthesize-workload';

const RELATIVE_PATH = /^(?!\/)(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9._/-]+$/;
const IMAGE_NAME = /^[a-z0-9]([a-z0-9._:/-]*[a-z0-9])?$/;

/** Where generated manifests are written inside the build's source directory. */
const GENERATED_DIRECTORY = '.eks-deploy/generated';

/**
 * The Kubernetes manifests an `EksDeployStage` applies: either a folder of the
 * source artifact, or manifests generated from props at synth time.
 */
export class DeployManifests {
  /**
   * Manifests kept in the application repository: a folder of YAML files or a
   * kustomize directory. The build replaces `imageName` with the promoted
   * `repository@digest` through a kustomize overlay and sets the namespace.
   *
   * @param directory path relative to the root of the source artifact, e.g. `k8s/overlays/staging`
   * @param imageName the image name as written in the manifests (without tag), e.g. `sample-app`
   */
  public static fromSourceDirectory(directory: string, imageName: string): DeployManifests {
    if (!RELATIVE_PATH.test(directory)) {
      throw new Error(`manifest directory must be a relative path inside the source artifact; got '${directory}'`);
    }
    if (!IMAGE_NAME.test(imageName) || imageName.includes('@')) {
      throw new Error(`imageName must be an image name without digest; got '${imageName}'`);
    }
    if (imageName.slice(imageName.lastIndexOf('/') + 1).includes(':')) {
      // kustomize matches images by name only: a tag here would never match.
      throw new Error(`imageName must be the image name as written in the manifests, without its tag; got '${imageName}'`);
    }
    return new DeployManifests(directory, imageName, undefined);
  }

  /**
   * Manifests generated with cdk8s-plus from props, with secure defaults
   * (non-root, read-only root filesystem, no privilege escalation, all
   * capabilities dropped, seccomp RuntimeDefault, requests and limits, probes,
   * no service account token).
   */
  public static fromWorkload(options: WorkloadOptions): DeployManifests {
    return new DeployManifests(GENERATED_DIRECTORY, placeholderImage(options.name), synthesizeWorkload(options));
  }

  /** Folder the build applies, relative to the source artifact. */
  public readonly directory: string;
  /** Image name in the manifests that the build replaces by `repository@digest`. */
  public readonly imageName: string;
  /**
   * The manifests synthesized from props (multi-document YAML), when generated.
   *
   * @default - none: the manifests come from the source artifact
   */
  public readonly generatedYaml?: string;

  private constructor(directory: string, imageName: string, generatedYaml: string | undefined) {
    this.directory = directory;
    this.imageName = imageName;
    this.generatedYaml = generatedYaml;
  }
}
