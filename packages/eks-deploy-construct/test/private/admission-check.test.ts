import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { admissionCheckSource } from '../../src/private/deploy-buildspec';
import { DIGEST, REPOSITORY } from '../support/stacks';

/**
 * admission-check.js on its own: the objects it gets are what kubectl decoded
 * from the rendered manifests, so the tests hand it plain objects.
 */
const checkerFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'admission-check-')), 'admission-check.js');
fs.writeFileSync(checkerFile, admissionCheckSource());
// eslint-disable-next-line @typescript-eslint/no-require-imports
const checker = require(checkerFile);
afterAll(() => fs.rmSync(path.dirname(checkerFile), { recursive: true, force: true }));

const IMAGE = `${REPOSITORY}@${DIGEST}`;
const SIDECAR = `public.ecr.aws/envoy/envoy@sha256:${'b'.repeat(64)}`;

/** A workload that passes every rule; each test breaks one thing. */
function compliantDeployment(): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'web' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
          volumes: [{ name: 'tmp', emptyDir: {} }],
          containers: [{
            name: 'web',
            image: IMAGE,
            ports: [{ containerPort: 8080 }],
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          }],
        },
      },
    },
  };
}

function admit(objects: any[], allowedImages: string[] = []): string[] {
  return checker.admit(objects, { namespace: 'web', image: IMAGE, manifestImageName: 'sample-app', allowedImages });
}

/** The compliant Deployment after `change` edits its pod spec. */
function withPodSpec(change: (spec: any) => void): any {
  const deployment = compliantDeployment();
  change(deployment.spec.template.spec);
  return deployment;
}

function webContainer(spec: any): any {
  return spec.containers[0];
}

describe('admission-check.js', () => {
  test('admits the compliant workload', () => {
    expect(admit([compliantDeployment()])).toEqual([]);
  });

  describe('images', () => {
    test('refuses a sidecar pinned by digest that is not on the allowlist, naming the container', () => {
      const deployment = withPodSpec((spec) =>
        spec.containers.push({ ...webContainer(spec), name: 'debug', image: `busybox@sha256:${'c'.repeat(64)}` }),
      );
      expect(admit([deployment])).toEqual([
        `admission: Deployment/web container "debug": image "busybox@sha256:${'c'.repeat(64)}" is neither the promoted image nor an allowed image `
          + '(EksDeployStage allowedImages)',
      ]);
    });

    test('admits a sidecar on the allowlist, also when the manifest keeps a tag before the digest', () => {
      const tagged = SIDECAR.replace('@', ':v1.31@');
      const deployment = withPodSpec((spec) => spec.containers.push({ ...webContainer(spec), name: 'proxy', image: tagged }));
      expect(admit([deployment], [SIDECAR])).toEqual([]);
      expect(admit([deployment])).toHaveLength(1);
    });

    test('refuses an image without digest', () => {
      const deployment = withPodSpec((spec) => spec.containers.push({ ...webContainer(spec), name: 'proxy', image: 'envoyproxy/envoy:v1.31' }));
      expect(admit([deployment])).toEqual(['admission: Deployment/web container "proxy": image "envoyproxy/envoy:v1.31" is not pinned by digest']);
    });

    test('checks init and ephemeral containers like containers', () => {
      const deployment = withPodSpec((spec) => {
        spec.initContainers = [{ ...webContainer(spec), name: 'migrate', image: `busybox@sha256:${'c'.repeat(64)}` }];
        spec.ephemeralContainers = [{ ...webContainer(spec), name: 'shell', image: `busybox@sha256:${'c'.repeat(64)}` }];
      });
      expect(admit([deployment]).map((violation) => violation.split(':')[1])).toEqual([
        ' Deployment/web init container "migrate"',
        ' Deployment/web ephemeral container "shell"',
      ]);
    });

    test('fails when no container runs the promoted image', () => {
      const deployment = withPodSpec((spec) => { webContainer(spec).image = SIDECAR; });
      expect(admit([deployment], [SIDECAR])).toEqual([`admission: no container uses image 'sample-app': nothing would deploy ${IMAGE}`]);
    });

    test('finds pod templates of every workload kind, including a CronJob job template', () => {
      const template = compliantDeployment().spec.template;
      const sidecar = { ...template.spec.containers[0], name: 'debug', image: `busybox@sha256:${'c'.repeat(64)}` };
      const bad = { ...template, spec: { ...template.spec, containers: [sidecar] } };
      const workloads = [
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: bad.spec },
        { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's' }, spec: { template: bad } },
        { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'd' }, spec: { template: bad } },
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r' }, spec: { template: bad } },
        { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: bad } },
        { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { jobTemplate: { spec: { template: bad } } } },
      ];
      expect(admit([compliantDeployment(), ...workloads]).map((violation) => violation.split(' container')[0])).toEqual([
        'admission: Pod/p',
        'admission: StatefulSet/s',
        'admission: DaemonSet/d',
        'admission: ReplicaSet/r',
        'admission: Job/j',
        'admission: CronJob/c',
      ]);
    });
  });

  describe('Pod Security restricted', () => {
    test.each([
      ['hostPID', (spec: any) => { spec.hostPID = true; }, 'admission: Deployment/web: hostPID is not allowed (Pod Security restricted)'],
      ['hostIPC', (spec: any) => { spec.hostIPC = true; }, 'admission: Deployment/web: hostIPC is not allowed (Pod Security restricted)'],
      ['hostNetwork', (spec: any) => { spec.hostNetwork = true; }, 'admission: Deployment/web: hostNetwork is not allowed (Pod Security restricted)'],
      ['a hostPath volume', (spec: any) => { spec.volumes.push({ name: 'root', hostPath: { path: '/' } }); },
        'admission: Deployment/web volume "root": hostPath volumes are not allowed (Pod Security restricted)'],
      ['another non-restricted volume type', (spec: any) => { spec.volumes.push({ name: 'share', nfs: { server: 'nfs', path: '/' } }); },
        'admission: Deployment/web volume "share": nfs volumes are not allowed (Pod Security restricted)'],
      ['privileged', (spec: any) => { webContainer(spec).securityContext.privileged = true; },
        'admission: Deployment/web container "web": privileged is not allowed (Pod Security restricted)'],
      ['privilege escalation left unset', (spec: any) => { delete webContainer(spec).securityContext.allowPrivilegeEscalation; },
        'admission: Deployment/web container "web": allowPrivilegeEscalation must be false (Pod Security restricted)'],
      ['an added capability', (spec: any) => { webContainer(spec).securityContext.capabilities.add = ['SYS_ADMIN']; },
        'admission: Deployment/web container "web": adding capability "SYS_ADMIN" is not allowed (only NET_BIND_SERVICE) (Pod Security restricted)'],
      ['capabilities not dropped', (spec: any) => { webContainer(spec).securityContext.capabilities = {}; },
        'admission: Deployment/web container "web": capabilities must drop ALL (Pod Security restricted)'],
      ['runAsNonRoot unset', (spec: any) => { delete spec.securityContext.runAsNonRoot; },
        'admission: Deployment/web container "web": runAsNonRoot must be true in the pod or container securityContext (Pod Security restricted)'],
      ['a container overriding runAsNonRoot', (spec: any) => { webContainer(spec).securityContext.runAsNonRoot = false; },
        'admission: Deployment/web container "web": runAsNonRoot: false is not allowed (Pod Security restricted)'],
      ['runAsUser 0', (spec: any) => { webContainer(spec).securityContext.runAsUser = 0; },
        'admission: Deployment/web container "web": runAsUser 0 (root) is not allowed (Pod Security restricted)'],
      ['seccomp unset', (spec: any) => { delete spec.securityContext.seccompProfile; },
        'admission: Deployment/web container "web": seccompProfile must be RuntimeDefault or Localhost in the pod or container securityContext '
          + '(Pod Security restricted)'],
      ['seccomp Unconfined', (spec: any) => { webContainer(spec).securityContext.seccompProfile = { type: 'Unconfined' }; },
        'admission: Deployment/web container "web": seccompProfile must be RuntimeDefault or Localhost, not "Unconfined" (Pod Security restricted)'],
      ['a hostPort', (spec: any) => { webContainer(spec).ports[0].hostPort = 80; },
        'admission: Deployment/web container "web": hostPort 80 is not allowed (Pod Security restricted)'],
      ['an unsafe sysctl', (spec: any) => { spec.securityContext.sysctls = [{ name: 'kernel.core_pattern', value: '|/x' }]; },
        'admission: Deployment/web: sysctl "kernel.core_pattern" is not allowed (Pod Security restricted)'],
      ['an unmasked /proc', (spec: any) => { webContainer(spec).securityContext.procMount = 'Unmasked'; },
        'admission: Deployment/web container "web": procMount "Unmasked" is not allowed (Pod Security restricted)'],
      ['AppArmor unconfined', (spec: any) => { webContainer(spec).securityContext.appArmorProfile = { type: 'Unconfined' }; },
        'admission: Deployment/web container "web": appArmorProfile must be RuntimeDefault or Localhost, not "Unconfined" (Pod Security restricted)'],
      ['a custom SELinux type', (spec: any) => { spec.securityContext.seLinuxOptions = { type: 'spc_t' }; },
        'admission: Deployment/web: seLinuxOptions.type "spc_t" is not allowed (Pod Security restricted)'],
      ['a Windows host process', (spec: any) => { spec.securityContext.windowsOptions = { hostProcess: true }; },
        'admission: Deployment/web: windowsOptions.hostProcess is not allowed (Pod Security restricted)'],
    ])('refuses %s', (_name, change, violation) => {
      expect(admit([withPodSpec(change)])).toEqual([violation]);
    });

    test.each([
      ['NET_BIND_SERVICE added', (spec: any) => { webContainer(spec).securityContext.capabilities.add = ['NET_BIND_SERVICE']; }],
      ['runAsNonRoot and seccomp set per container', (spec: any) => {
        spec.securityContext = {};
        Object.assign(webContainer(spec).securityContext, {
          runAsNonRoot: true,
          seccompProfile: { type: 'Localhost', localhostProfile: 'web.json' },
        });
      }],
      ['every restricted volume type', (spec: any) => {
        spec.volumes = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']
          .map((type) => ({ name: type.toLowerCase(), [type]: {} }));
      }],
      ['a safe sysctl and hostPort 0', (spec: any) => {
        spec.securityContext.sysctls = [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }];
        webContainer(spec).ports[0].hostPort = 0;
      }],
    ])('admits %s', (_name, change) => {
      expect(admit([withPodSpec(change)])).toEqual([]);
    });

    test('refuses an unconfined AppArmor annotation on the pod template', () => {
      const deployment = compliantDeployment();
      deployment.spec.template.metadata.annotations = { 'container.apparmor.security.beta.kubernetes.io/web': 'unconfined' };
      expect(admit([deployment])).toEqual([
        'admission: Deployment/web: AppArmor annotation "container.apparmor.security.beta.kubernetes.io/web" must be runtime/default or localhost/*, '
          + 'not "unconfined" (Pod Security restricted)',
      ]);
    });
  });

  describe('kinds and namespace', () => {
    const object = (apiVersion: string, kind: string, extra: object = {}) => ({
      apiVersion,
      kind,
      metadata: { name: 'x', namespace: 'web' },
      ...extra,
    });

    test('admits the allowed namespaced kinds', () => {
      const allowed = [
        object('v1', 'Service'), object('v1', 'ConfigMap'), object('v1', 'Secret', { type: 'Opaque' }), object('v1', 'ServiceAccount'),
        object('networking.k8s.io/v1', 'Ingress'), object('networking.k8s.io/v1', 'NetworkPolicy'),
        object('autoscaling/v2', 'HorizontalPodAutoscaler'), object('policy/v1', 'PodDisruptionBudget'),
      ];
      expect(admit([compliantDeployment(), ...allowed])).toEqual([]);
    });

    test.each([
      ['Role', 'rbac.authorization.k8s.io/v1', 'RBAC objects are the cluster administrators\' to grant'],
      ['RoleBinding', 'rbac.authorization.k8s.io/v1', 'RBAC objects are the cluster administrators\' to grant'],
      ['ClusterRoleBinding', 'rbac.authorization.k8s.io/v1', 'RBAC objects are the cluster administrators\' to grant'],
      ['Namespace', 'v1', 'cluster-scoped objects are the cluster administrators\' to create'],
      ['CustomResourceDefinition', 'apiextensions.k8s.io/v1', 'cluster-scoped objects are the cluster administrators\' to create'],
      ['MutatingWebhookConfiguration', 'admissionregistration.k8s.io/v1', 'cluster-scoped objects are the cluster administrators\' to create'],
      ['PersistentVolume', 'v1', 'cluster-scoped objects are the cluster administrators\' to create'],
    ])('refuses a %s', (kind, apiVersion, reason) => {
      expect(admit([compliantDeployment(), object(apiVersion, kind)])).toEqual([`admission: ${kind}/x: kind ${kind} is not allowed: ${reason}`]);
    });

    test('refuses kinds off the list, also a look-alike kind from another API group', () => {
      const violations = admit([compliantDeployment(), object('v1', 'Endpoints'), object('evil.example.com/v1', 'Deployment')]);
      expect(violations).toHaveLength(2);
      expect(violations[0]).toMatch(/^admission: Endpoints\/x: kind Endpoints \(core\) is not an allowed kind \(Pod, Deployment/);
      expect(violations[1]).toMatch(/^admission: Deployment\/x: kind Deployment \(evil\.example\.com\) is not an allowed kind/);
    });

    test('refuses an object in another namespace', () => {
      const configMap = { ...object('v1', 'ConfigMap'), metadata: { name: 'x', namespace: 'kube-system' } };
      expect(admit([compliantDeployment(), configMap])).toEqual([
        'admission: ConfigMap/x: namespace "kube-system" is not the target namespace "web"',
      ]);
    });

    test('refuses a Secret that would mint a service account token', () => {
      expect(admit([compliantDeployment(), object('v1', 'Secret', { type: 'kubernetes.io/service-account-token' })]))
        .toEqual(['admission: Secret/x: Secrets of type kubernetes.io/service-account-token are not allowed']);
    });

    test('refuses a Service with externalIPs', () => {
      expect(admit([compliantDeployment(), object('v1', 'Service', { spec: { externalIPs: ['10.0.0.1'] } })]))
        .toEqual(['admission: Service/x: externalIPs is not allowed']);
    });

    test('checks the items of a List', () => {
      expect(admit([{ apiVersion: 'v1', kind: 'List', items: [compliantDeployment(), object('v1', 'Namespace')] }])).toHaveLength(1);
    });
  });

  describe('messages and input', () => {
    test('keeps a hostile name on one line', () => {
      const deployment = withPodSpec((spec) => {
        webContainer(spec).name = 'a\nadmission: all good';
        webContainer(spec).securityContext.privileged = true;
      });
      const [violation] = admit([deployment]);
      expect(violation).toBe('admission: Deployment/web container "a\\nadmission: all good": privileged is not allowed (Pod Security restricted)');
    });

    test('parses the objects kubectl prints one after another', () => {
      expect(checker.parseJsonStream('{"a":"}{"}\n{"b":[1,{"c":"\\""}]}\n')).toEqual([{ a: '}{' }, { b: [1, { c: '"' }] }]);
    });

    test('reports malformed JSON by position, without echoing it', () => {
      expect(() => checker.parseJsonStream('{"secret":AKIAEXAMPLE}')).toThrow(/^invalid JSON value between characters 0 and 21$/);
      expect(() => checker.parseJsonStream('{"a":1')).toThrow('truncated JSON');
    });

    test('refuses an allowlist entry that is not pinned by digest', () => {
      expect(() => checker.parseAllowedImages('busybox:1.36')).toThrow('allowed image "busybox:1.36" is not repository@sha256:<64 hex>');
      expect(() => checker.parseAllowedImages(SIDECAR.replace('@', ':v1@'))).toThrow(/is not repository@sha256/);
      expect(checker.parseAllowedImages(` ${SIDECAR}, ${SIDECAR}`)).toEqual([SIDECAR, SIDECAR]);
    });
  });

  describe('command line', () => {
    function runChecker(objects: any[], extra: string[] = []): { status: number; stdout: string; stderr: string } {
      const input = path.join(path.dirname(checkerFile), 'rendered.json');
      fs.writeFileSync(input, objects.map((value) => JSON.stringify(value, null, 4)).join('\n'));
      const result = spawnSync(
        process.execPath,
        [checkerFile, '--namespace', 'web', '--image', IMAGE, '--manifest-image-name', 'sample-app', ...extra, input],
        { encoding: 'utf8' },
      );
      return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
    }

    test('exits 0 and says what it admitted', () => {
      const outcome = runChecker([compliantDeployment()]);
      expect(outcome).toEqual({ status: 0, stdout: 'admission: 1 object(s) admitted into namespace web\n', stderr: '' });
    });

    test('lists every violation, then exits 1', () => {
      const outcome = runChecker([withPodSpec((spec) => { spec.hostPID = true; spec.hostNetwork = true; })]);
      expect(outcome.status).toBe(1);
      expect(outcome.stderr.trim().split('\n')).toEqual([
        'admission: Deployment/web: hostNetwork is not allowed (Pod Security restricted)',
        'admission: Deployment/web: hostPID is not allowed (Pod Security restricted)',
        'admission: 2 violation(s) in 1 object(s); nothing is applied',
      ]);
    });

    test('exits 2 on a malformed allowlist rather than ignoring it', () => {
      const outcome = runChecker([compliantDeployment()], ['--allowed-images', 'busybox']);
      expect(outcome.status).toBe(2);
      expect(outcome.stderr).toBe('admission: allowed image "busybox" is not repository@sha256:<64 hex>\n');
    });
  });
});
