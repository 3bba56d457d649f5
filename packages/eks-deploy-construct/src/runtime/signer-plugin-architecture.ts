/**
 * CPU architecture of the AWS Signer Notation plugin that Ratify downloads: the plugin is a native binary, so it
 * must match the nodes Ratify runs on (the add-on schedules Ratify on nodes of this architecture only).
 */
export enum SignerPluginArchitecture {
  /** x86-64 nodes (`kubernetes.io/arch: amd64`). */
  AMD64 = 'amd64',
  /** Graviton nodes (`kubernetes.io/arch: arm64`). */
  ARM64 = 'arm64',
}
