const VERSION = /^v\d+\.\d+\.\d+$/;
const SHA256 = /^[a-f0-9]{64}$/;

/**
 * The kubectl release the deploy build downloads from the official Kubernetes
 * release URL (`https://dl.k8s.io/release/<version>/bin/linux/amd64/kubectl`)
 * and verifies against a pinned SHA-256 before running it.
 */
export class KubectlRelease {
  /**
   * kubectl v1.36.4, linux/amd64. The digest is the one published next to the
   * binary as `kubectl.sha256`.
   */
  public static readonly V1_36_4 = new KubectlRelease(
    'v1.36.4',
    '8b8f088da2dab964f853b38464033b1be15ede2839eca751482357c45abdd05a',
  );

  /**
   * Any other release: keep kubectl within one minor version of the cluster.
   *
   * @param version e.g. `v1.35.2`
   * @param linuxAmd64Sha256 the published SHA-256 of the linux/amd64 binary (`kubectl.sha256`)
   */
  public static of(version: string, linuxAmd64Sha256: string): KubectlRelease {
    if (!VERSION.test(version)) {
      throw new Error(`kubectl version must look like v1.36.4; got '${version}'`);
    }
    if (!SHA256.test(linuxAmd64Sha256)) {
      throw new Error(`kubectl sha256 must be 64 lowercase hex digits; got '${linuxAmd64Sha256}'`);
    }
    return new KubectlRelease(version, linuxAmd64Sha256);
  }

  /** The release version, e.g. `v1.36.4`. */
  public readonly version: string;
  /** SHA-256 of the linux/amd64 binary. */
  public readonly linuxAmd64Sha256: string;

  private constructor(version: string, linuxAmd64Sha256: string) {
    this.version = version;
    this.linuxAmd64Sha256 = linuxAmd64Sha256;
  }
}
