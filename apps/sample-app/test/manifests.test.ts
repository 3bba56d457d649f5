import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as YAML from 'yaml';

const load = (name: string) => YAML.parse(readFileSync(join(__dirname, '..', 'k8s', name), 'utf-8'));

describe('kubernetes manifests', () => {
  const deployment = load('deployment.yaml');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];

  test('schedule only onto linux/amd64 nodes, the one platform the factory builds the image for', () => {
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/arch': 'amd64', 'kubernetes.io/os': 'linux' });
  });

  test('run as non-root with the default seccomp profile and no service account token', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('drop every capability, forbid escalation and keep the root filesystem read-only', () => {
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      capabilities: { drop: ['ALL'] },
    });
  });

  test('declare requests, limits and both probes on the paths the server answers', () => {
    expect(container.resources.requests).toBeDefined();
    expect(container.resources.limits).toBeDefined();
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
  });

  test('leave the image to the pipeline, which sets it by digest through kustomize', () => {
    expect(container.image).toBe('sample-app');
    expect(load('kustomization.yaml').images).toEqual([{ name: 'sample-app' }]);
  });

  test('roll out without reducing capacity', () => {
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
  });
});
