import * as YAML from 'yaml';
import { placeholderImage, synthesizeWorkload } from '../../src/private/synthesize-workload';

type Manifest = { kind: string; metadata: { name: string }; spec?: any; automountServiceAccountToken?: boolean };

function manifests(yaml: string): Manifest[] {
  return YAML.parseAllDocuments(yaml).map((document) => document.toJS()).filter((document) => document !== null);
}

function byKind(all: Manifest[], kind: string): Manifest {
  const found = all.filter((manifest) => manifest.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
}

describe('synthesizeWorkload', () => {
  const all = manifests(synthesizeWorkload({ name: 'web' }));
  const deployment = byKind(all, 'Deployment');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];

  test('produces a Deployment, a Service and a ServiceAccount named after the workload', () => {
    expect(all.map((manifest) => manifest.kind).sort()).toEqual(['Deployment', 'Service', 'ServiceAccount']);
    expect(all.every((manifest) => manifest.metadata.name === 'web')).toBe(true);
  });

  test('runs as a non-root user', () => {
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext.runAsUser).toBeGreaterThan(0);
  });

  test('mounts the root filesystem read-only and gives a small in-memory /tmp', () => {
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    const tmpMount = container.volumeMounts.find((mount: any) => mount.mountPath === '/tmp');
    const tmpVolume = pod.volumes.find((volume: any) => volume.name === tmpMount.name);
    expect(tmpVolume.emptyDir).toEqual({ medium: 'Memory', sizeLimit: '64Mi' });
  });

  test('forbids privilege escalation and privileged mode', () => {
    expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(container.securityContext.privileged).toBe(false);
  });

  test('drops every Linux capability and adds none', () => {
    expect(container.securityContext.capabilities.drop).toEqual(['ALL']);
    expect(container.securityContext.capabilities.add ?? []).toEqual([]);
  });

  test('uses the runtime default seccomp profile', () => {
    expect(container.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
  });

  test('sets CPU and memory requests and limits', () => {
    expect(container.resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    });
  });

  test('probes liveness and readiness over HTTP on the container port', () => {
    expect(container.livenessProbe.httpGet).toMatchObject({ path: '/healthz', port: 8080 });
    expect(container.readinessProbe.httpGet).toMatchObject({ path: '/healthz', port: 8080 });
  });

  test('mounts no service account token, neither on the pod nor on the account', () => {
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe('web');
    expect(byKind(all, 'ServiceAccount').automountServiceAccountToken).toBe(false);
  });

  test('uses the unpullable placeholder image that the deploy replaces by digest', () => {
    expect(container.image).toBe(placeholderImage('web'));
  });

  test('exposes the pods through a ClusterIP service on the container port', () => {
    const service = byKind(all, 'Service');
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.ports).toEqual([expect.objectContaining({ port: 8080, targetPort: 8080 })]);
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
  });

  test('honours custom sizing, probes and replica count', () => {
    const custom = byKind(manifests(synthesizeWorkload({
      name: 'api',
      containerPort: 3000,
      replicas: 3,
      livenessPath: '/live',
      readinessPath: '/ready',
      cpuRequestMillis: 250,
      cpuLimitMillis: 1000,
      memoryRequestMebibytes: 256,
      memoryLimitMebibytes: 512,
      runAsUser: 2000,
      exposeService: false,
    })), 'Deployment');
    const customContainer = custom.spec.template.spec.containers[0];
    expect(custom.spec.replicas).toBe(3);
    expect(customContainer.resources).toEqual({ requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1000m', memory: '512Mi' } });
    expect(customContainer.livenessProbe.httpGet).toMatchObject({ path: '/live', port: 3000 });
    expect(customContainer.readinessProbe.httpGet).toMatchObject({ path: '/ready', port: 3000 });
    expect(customContainer.securityContext.runAsUser).toBe(2000);
  });

  test('omits the Service when not exposed', () => {
    expect(manifests(synthesizeWorkload({ name: 'worker', exposeService: false })).map((manifest) => manifest.kind))
      .not.toContain('Service');
  });

  test.each([
    [{ name: 'Web_App' }, /DNS-1123/],
    [{ name: 'web', runAsUser: 0 }, /non-root/],
    [{ name: 'web', containerPort: 70000 }, /containerPort/],
    [{ name: 'web', replicas: 0 }, /replicas/],
    [{ name: 'web', cpuRequestMillis: 600, cpuLimitMillis: 500 }, /cpuRequestMillis/],
    [{ name: 'web', memoryRequestMebibytes: 512, memoryLimitMebibytes: 256 }, /memoryRequestMebibytes/],
    [{ name: 'web', livenessPath: 'healthz' }, /probe paths/],
  ])('rejects unsafe or invalid options %j', (options, message) => {
    expect(() => synthesizeWorkload(options)).toThrow(message);
  });
});
