/**
 * A web workload whose Kubernetes manifests the construct generates with
 * cdk8s-plus, hardened by default: non-root user, read-only root filesystem,
 * no privilege escalation, every capability dropped, seccomp RuntimeDefault,
 * resource requests and limits, liveness and readiness probes, and no
 * service account token mounted.
 */
export interface WorkloadOptions {
  /**
   * Name of the Deployment, Service and ServiceAccount (a DNS-1123 label).
   */
  readonly name: string;

  /**
   * Port the container listens on.
   *
   * @default 8080
   */
  readonly containerPort?: number;

  /**
   * Number of pods.
   *
   * @default 2
   */
  readonly replicas?: number;

  /**
   * HTTP path answered with 2xx when the process is alive (liveness probe).
   *
   * @default '/healthz'
   */
  readonly livenessPath?: string;

  /**
   * HTTP path answered with 2xx when the pod can take traffic (readiness probe).
   *
   * @default - the liveness path
   */
  readonly readinessPath?: string;

  /**
   * CPU request in millicores.
   *
   * @default 100
   */
  readonly cpuRequestMillis?: number;

  /**
   * CPU limit in millicores.
   *
   * @default 500
   */
  readonly cpuLimitMillis?: number;

  /**
   * Memory request in MiB.
   *
   * @default 128
   */
  readonly memoryRequestMebibytes?: number;

  /**
   * Memory limit in MiB.
   *
   * @default 256
   */
  readonly memoryLimitMebibytes?: number;

  /**
   * Numeric user id the container runs as (never 0).
   *
   * @default 10001
   */
  readonly runAsUser?: number;

  /**
   * Whether to create a ClusterIP Service in front of the pods.
   *
   * @default true
   */
  readonly exposeService?: boolean;
}
