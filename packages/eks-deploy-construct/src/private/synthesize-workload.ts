import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import { WorkloadOptions } from '../manifests/workload-options';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Image name written into generated manifests. It is not pullable on purpose:
 * the deploy build replaces it with `repository@digest`, and refuses to apply
 * anything that still references it.
 */
export function placeholderImage(workloadName: string): string {
  return `eks-deploy.invalid/${workloadName}`;
}

/**
 * Synthesizes the Kubernetes manifests of a hardened workload with cdk8s-plus,
 * in memory, and returns them as one multi-document YAML string. The image is
 * `placeholderImage(name)`: the digest is only known when the pipeline runs.
 */
export function synthesizeWorkload(options: WorkloadOptions): string {
  const settings = validate(options);
  // A separate cdk8s App: its construct tree never mixes with the CDK one.
  const app = new cdk8s.App({ outdir: '/dev/null', yamlOutputType: cdk8s.YamlOutputType.FILE_PER_APP });
  const chart = new cdk8s.Chart(app, settings.name, { disableResourceNameHashes: true, labels: { 'app.kubernetes.io/name': settings.name } });

  const serviceAccount = new kplus.ServiceAccount(chart, 'service-account', {
    metadata: { name: settings.name },
    automountToken: false,
  });
  const deployment = new kplus.Deployment(chart, 'deployment', {
    metadata: { name: settings.name },
    replicas: settings.replicas,
    serviceAccount,
    automountServiceAccountToken: false,
    securityContext: {
      ensureNonRoot: true,
      user: settings.runAsUser,
      group: settings.runAsUser,
      fsGroup: settings.runAsUser,
    },
    containers: [{
      name: settings.name,
      image: placeholderImage(settings.name),
      portNumber: settings.containerPort,
      securityContext: {
        ensureNonRoot: true,
        user: settings.runAsUser,
        group: settings.runAsUser,
        privileged: false,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: [kplus.Capability.ALL] },
        seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
      },
      resources: {
        cpu: { request: kplus.Cpu.millis(settings.cpuRequestMillis), limit: kplus.Cpu.millis(settings.cpuLimitMillis) },
        memory: { request: cdk8s.Size.mebibytes(settings.memoryRequestMebibytes), limit: cdk8s.Size.mebibytes(settings.memoryLimitMebibytes) },
      },
      liveness: kplus.Probe.fromHttpGet(settings.livenessPath, { port: settings.containerPort }),
      readiness: kplus.Probe.fromHttpGet(settings.readinessPath, { port: settings.containerPort }),
    }],
  });
  // The root filesystem is read-only, so the one writable place is a memory-backed /tmp.
  const tmp = kplus.Volume.fromEmptyDir(chart, 'tmp', 'tmp', { medium: kplus.EmptyDirMedium.MEMORY, sizeLimit: cdk8s.Size.mebibytes(64) });
  deployment.containers[0].mount('/tmp', tmp);
  if (settings.exposeService) {
    deployment.exposeViaService({
      name: settings.name,
      serviceType: kplus.ServiceType.CLUSTER_IP,
      ports: [{ port: settings.containerPort, targetPort: settings.containerPort }],
    });
  }
  return app.synthYaml();
}

interface WorkloadSettings {
  readonly name: string;
  readonly containerPort: number;
  readonly replicas: number;
  readonly livenessPath: string;
  readonly readinessPath: string;
  readonly cpuRequestMillis: number;
  readonly cpuLimitMillis: number;
  readonly memoryRequestMebibytes: number;
  readonly memoryLimitMebibytes: number;
  readonly runAsUser: number;
  readonly exposeService: boolean;
}

function validate(options: WorkloadOptions): WorkloadSettings {
  if (!DNS_LABEL.test(options.name)) {
    throw new Error(`workload name must be a DNS-1123 label; got '${options.name}'`);
  }
  const livenessPath = options.livenessPath ?? '/healthz';
  const settings: WorkloadSettings = {
    name: options.name,
    containerPort: options.containerPort ?? 8080,
    replicas: options.replicas ?? 2,
    livenessPath,
    readinessPath: options.readinessPath ?? livenessPath,
    cpuRequestMillis: options.cpuRequestMillis ?? 100,
    cpuLimitMillis: options.cpuLimitMillis ?? 500,
    memoryRequestMebibytes: options.memoryRequestMebibytes ?? 128,
    memoryLimitMebibytes: options.memoryLimitMebibytes ?? 256,
    runAsUser: options.runAsUser ?? 10001,
    exposeService: options.exposeService ?? true,
  };
  if (!Number.isInteger(settings.containerPort) || settings.containerPort < 1 || settings.containerPort > 65535) {
    throw new Error(`containerPort must be 1-65535; got ${settings.containerPort}`);
  }
  if (!Number.isInteger(settings.replicas) || settings.replicas < 1) {
    throw new Error(`replicas must be a positive integer; got ${settings.replicas}`);
  }
  if (!Number.isInteger(settings.runAsUser) || settings.runAsUser < 1) {
    throw new Error(`runAsUser must be a non-root user id (>= 1); got ${settings.runAsUser}`);
  }
  if (settings.cpuRequestMillis <= 0 || settings.cpuLimitMillis < settings.cpuRequestMillis) {
    throw new Error('cpuRequestMillis must be positive and not above cpuLimitMillis');
  }
  if (settings.memoryRequestMebibytes <= 0 || settings.memoryLimitMebibytes < settings.memoryRequestMebibytes) {
    throw new Error('memoryRequestMebibytes must be positive and not above memoryLimitMebibytes');
  }
  for (const path of [settings.livenessPath, settings.readinessPath]) {
    if (!path.startsWith('/')) {
      throw new Error(`probe paths must start with '/'; got '${path}'`);
    }
  }
  return settings;
}
