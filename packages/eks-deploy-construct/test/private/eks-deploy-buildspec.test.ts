import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import * as YAML from 'yaml';
import { deployBuildspec } from '../../src/private/deploy-buildspec';
import { synthesizeWorkload } from '../../src/private/synthesize-workload';
import { DIGEST, REPOSITORY } from '../support/stacks';

/**
 * Runs the deploy buildspec's pre_build and build phases in bash, as
 * CodeBuild would (one shell, variables carried across phases), with the real
 * kubectl for `kubectl kustomize` and `kubectl annotate --local` (both
 * offline) and stubs for everything that needs a cluster or AWS: the stubs
 * record their calls. The buildspec is the one EksDeployStage gives its
 * project, with the admission checker written in.
 */
const buildspec = deployBuildspec();
const script = ['pre_build', 'build'].map((phase) => buildspec.phases[phase].commands.join('\n')).join('\n');
const realKubectl = execFileSync('bash', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      securityContext:
        runAsNonRoot: true
        seccompProfile: { type: RuntimeDefault }
      containers:
        - name: web
          image: sample-app
          securityContext:
            allowPrivilegeEscalation: false
            capabilities: { drop: [ALL] }
`;
const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: { app: web }
  ports: [{ port: 80 }]
`;

interface Run {
  readonly status: number;
  readonly stderr: string;
  readonly calls: string[];
  readonly rendered: string;
}

/** A sidecar that passes every rule except the image allowlist. */
const SIDECAR = `busybox@sha256:${'b'.repeat(64)}`;

/** The compliant DEPLOYMENT with more YAML appended to its pod spec or to its one container. */
function deploymentWith(options: { podSpec?: string; container?: string }): string {
  let yaml = DEPLOYMENT;
  if (options.container) {
    yaml = `${yaml}${options.container.replace(/^/gm, '        ')}\n`;
  }
  if (options.podSpec) {
    yaml = yaml.replace(
      '      securityContext:\n        runAsNonRoot',
      `${options.podSpec.replace(/^/gm, '      ')}\n      securityContext:\n        runAsNonRoot`,
    );
  }
  return yaml;
}

interface RunOptions {
  readonly env?: Record<string, string>;
  readonly files?: Record<string, string>;
  readonly rollout?: 'ok' | 'fail';
  /** The namespace's pod-security.kubernetes.io/enforce label; `forbidden` or `missing` makes the lookup fail. */
  readonly namespaceEnforce?: string;
  /** The API server's gitVersion (the stub kubectl is v1.36.4); `unreachable` makes `kubectl version` time out. */
  readonly serverVersion?: string;
  readonly script?: string;
}

function run(options: RunOptions): Run {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-deploy-'));
  const source = path.join(root, 'src');
  const bin = path.join(root, 'bin');
  const calls = path.join(root, 'calls.log');
  fs.mkdirSync(bin);
  for (const [name, content] of Object.entries(options.files ?? { 'k8s/deployment.yaml': DEPLOYMENT, 'k8s/service.yaml': SERVICE })) {
    fs.mkdirSync(path.dirname(path.join(source, name)), { recursive: true });
    fs.writeFileSync(path.join(source, name), content);
  }
  fs.mkdirSync(source, { recursive: true });
  // The build image's node runs the admission checker; here, the one running jest.
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  fs.writeFileSync(path.join(bin, 'aws'), `#!/bin/bash\necho "aws AWS_PROFILE=\${AWS_PROFILE:-} $*" >> "${calls}"\n[[ "$1 $2" != "ecr `
    + 'get-login-password" ]] || echo registry-password-not-for-logs\n', { mode: 0o755 });
  installSupplyChainStubs(bin, calls);
  fs.writeFileSync(path.join(bin, 'kubectl'), `#!/bin/bash
echo "kubectl $*" >> "${calls}"
case "$1 $2" in
  kustomize*) exec "${realKubectl}" kustomize "$2" ;;
  "annotate --local") exec "${realKubectl}" "$@" ;;
  "get namespace")
    [[ "\${FAKE_NAMESPACE_ENFORCE}" != forbidden ]] || { echo 'Error from server (Forbidden): namespaces "web" is forbidden' >&2; exit 1; }
    [[ "\${FAKE_NAMESPACE_ENFORCE}" != missing ]] || { echo 'Error from server (NotFound): namespaces "web" not found' >&2; exit 1; }
    printf '%s' "\${FAKE_NAMESPACE_ENFORCE}" ;;
  "version --output")
    [[ "\${FAKE_SERVER_VERSION}" != unreachable ]] || { echo 'Unable to connect to the server: dial tcp 10.0.1.5:443: i/o timeout' >&2; exit 1; }
    printf '{"clientVersion":{"major":"1","minor":"36","gitVersion":"v1.36.4"},"serverVersion":{"major":"1","minor":"%s+","gitVersion":"%s"}}' \
      "$(echo "\${FAKE_SERVER_VERSION}" | cut -d. -f2)" "\${FAKE_SERVER_VERSION}" ;;
  "apply --namespace") printf 'service/web\\ndeployment.apps/web\\n' ;;
  "rollout status") [[ "\${FAKE_ROLLOUT}" == ok ]] ;;
  "rollout undo") exit 0 ;;
  *) echo "unexpected kubectl call: $*" >&2; exit 99 ;;
esac
`, { mode: 0o755 });
  const result = spawnSync('bash', ['--noprofile', '--norc', '-c', options.script ?? script], {
    encoding: 'utf8',
    env: {
      PATH: `${bin}:/usr/bin:/bin`,
      CODEBUILD_SRC_DIR: source,
      CODEBUILD_BUILD_NUMBER: '7',
      FAKE_ROLLOUT: options.rollout ?? 'ok',
      FAKE_NAMESPACE_ENFORCE: options.namespaceEnforce ?? 'restricted',
      FAKE_SERVER_VERSION: options.serverVersion ?? 'v1.35.2-eks-113cf36',
      TMPDIR: root,
      STAGE_NAME: 'staging',
      CLUSTER_NAME: 'apps',
      CLUSTER_REGION: 'eu-west-1',
      NAMESPACE: 'web',
      DEPLOY_ROLE_ARN: '',
      MANIFEST_DIR: 'k8s',
      MANIFEST_IMAGE_NAME: 'sample-app',
      GENERATED_MANIFEST_GZ_B64: '',
      ALLOWED_IMAGES: '',
      ROLLOUT_TIMEOUT: '300s',
      IMAGE_REPOSITORY: REPOSITORY,
      IMAGE_DIGEST: DIGEST,
      ...options.env,
    },
  });
  const renderedPath = path.join(source, '.eks-deploy', 'rendered.yaml');
  const outcome = {
    status: result.status ?? -1,
    stderr: result.stderr,
    calls: fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').trim().split('\n') : [],
    rendered: fs.existsSync(renderedPath) ? fs.readFileSync(renderedPath, 'utf8') : '',
  };
  fs.rmSync(root, { recursive: true, force: true });
  return outcome;
}

function containers(rendered: string): any[] {
  return YAML.parseAllDocuments(rendered).map((document) => document.toJS())
    .filter((manifest) => manifest?.kind === 'Deployment')
    .flatMap((deployment) => deployment.spec.template.spec.containers);
}

describe('eks-deploy buildspec', () => {
  test('replaces the image by repository@digest, forces the namespace and waits for the rollout', () => {
    const outcome = run({});
    expect(outcome.status).toBe(0);
    expect(containers(outcome.rendered).map((container) => container.image)).toEqual([`${REPOSITORY}@${DIGEST}`]);
    expect(YAML.parseAllDocuments(outcome.rendered).map((document) => document.toJS().metadata.namespace)).toEqual(['web', 'web']);
    expect(outcome.calls).toContain('kubectl rollout status deployment.apps/web --namespace web --timeout 300s');
    expect(outcome.calls.some((call) => call.includes('rollout undo'))).toBe(false);
  });

  test('connects with update-kubeconfig to the named cluster and region', () => {
    expect(run({}).calls.find((call) => call.includes('update-kubeconfig'))).toMatch(
      /^aws AWS_PROFILE= eks update-kubeconfig --name apps --region eu-west-1 --kubeconfig /,
    );
  });

  test('rolls back and fails when the rollout does not complete', () => {
    const outcome = run({ rollout: 'fail' });
    expect(outcome.status).toBe(1);
    expect(outcome.calls).toContain('kubectl rollout undo deployment.apps/web --namespace web');
    expect(outcome.stderr).toContain('rollout failed for deployment.apps/web');
  });

  test('refuses a tag in place of the digest before touching the cluster', () => {
    const outcome = run({ env: { IMAGE_DIGEST: 'latest' } });
    expect(outcome.status).toBe(1);
    expect(outcome.stderr).toContain('IMAGE_DIGEST must be sha256');
    expect(outcome.calls.filter((call) => call.startsWith('kubectl'))).toEqual([]);
  });

  test('drops a tag carried by the repository variable and still deploys by digest', () => {
    const outcome = run({ env: { IMAGE_REPOSITORY: `${REPOSITORY}:latest` } });
    expect(outcome.status).toBe(0);
    expect(containers(outcome.rendered).map((container) => container.image)).toEqual([`${REPOSITORY}@${DIGEST}`]);
  });

  test('applies nothing when another container image is not pinned by digest', () => {
    const withSidecar = DEPLOYMENT.replace('image: sample-app', 'image: sample-app\n        - name: proxy\n          image: envoyproxy/envoy:v1.31');
    const outcome = run({ files: { 'k8s/deployment.yaml': withSidecar } });
    expect(outcome.status).toBe(1);
    expect(outcome.stderr).toContain('admission: Deployment/web container "proxy": image "envoyproxy/envoy:v1.31" is not pinned by digest');
    expect(outcome.calls.some((call) => call.startsWith('kubectl apply'))).toBe(false);
  });

  test('fails when no container uses the image to promote', () => {
    const outcome = run({ env: { MANIFEST_IMAGE_NAME: 'other-app' } });
    expect(outcome.status).toBe(1);
    expect(outcome.stderr).toContain("no container uses image 'other-app'");
  });

  test('keeps an existing kustomization and its own transformations', () => {
    const kustomization = 'resources:\n  - deployment.yaml\ncommonLabels:\n  team: payments\n';
    const outcome = run({ files: { 'k8s/deployment.yaml': DEPLOYMENT, 'k8s/kustomization.yaml': kustomization } });
    expect(outcome.status).toBe(0);
    const deployment = YAML.parseAllDocuments(outcome.rendered).map((document) => document.toJS());
    expect(deployment).toHaveLength(1);
    expect(deployment[0].metadata.labels).toEqual({ team: 'payments' });
  });

  test('deploys the manifests generated at synth time, which pass admission', () => {
    const generated = zlib.gzipSync(Buffer.from(synthesizeWorkload({ name: 'web' }))).toString('base64');
    const outcome = run({
      files: {},
      env: { GENERATED_MANIFEST_GZ_B64: generated, MANIFEST_DIR: '.eks-deploy/generated', MANIFEST_IMAGE_NAME: 'eks-deploy.invalid/web' },
    });
    expect(outcome.status).toBe(0);
    const [container] = containers(outcome.rendered);
    expect(container.image).toBe(`${REPOSITORY}@${DIGEST}`);
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(outcome.calls.filter((call) => /^kubectl (annotate|get namespace|apply)/.test(call)).map((call) => call.split(' ').slice(0, 2).join(' ')))
      .toEqual(['kubectl get', 'kubectl annotate', 'kubectl apply']);
  });

  test('assumes the target account role through a named profile, never exported keys', () => {
    const roleArn = 'arn:aws:iam::222222222222:role/eks-deploy-production';
    const outcome = run({ env: { DEPLOY_ROLE_ARN: roleArn } });
    expect(outcome.status).toBe(0);
    expect(outcome.calls).toEqual(expect.arrayContaining([
      `aws AWS_PROFILE= configure set profile.eks-deploy.role_arn ${roleArn}`,
      'aws AWS_PROFILE= configure set profile.eks-deploy.credential_source EcsContainer',
    ]));
    expect(outcome.calls.find((call) => call.includes('update-kubeconfig'))).toMatch(/^aws AWS_PROFILE=eks-deploy eks update-kubeconfig/);
    expect(script).not.toMatch(/AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|assume-role/);
  });

  describe('cluster preconditions', () => {
    /** The calls that render or change anything: none may run when a precondition fails. */
    const workCalls = (outcome: Run) => outcome.calls.filter((call) => /^kubectl (kustomize|annotate|apply|rollout)/.test(call));

    test('fails with one line naming the fix when the namespace does not exist, before rendering anything', () => {
      const outcome = run({ namespaceEnforce: 'missing' });
      expect(outcome.status).toBe(1);
      expect(outcome.stderr.trim().split('\n')).toEqual([
        'eks-deploy: namespace web does not exist in cluster apps and the deploy may not create it: a cluster administrator runs kubectl create '
          + 'namespace web && kubectl label namespace web pod-security.kubernetes.io/enforce=restricted',
      ]);
      expect(workCalls(outcome)).toEqual([]);
    });

    test('checks the namespace once, before the manifests are rendered', () => {
      const calls = run({}).calls.filter((call) => call.startsWith('kubectl'));
      expect(calls.filter((call) => call.startsWith('kubectl get namespace'))).toHaveLength(1);
      expect(calls.findIndex((call) => call.startsWith('kubectl get namespace'))).toBeLessThan(
        calls.findIndex((call) => call.startsWith('kubectl kustomize')),
      );
    });

    test.each([
      ['one minor older than', 'v1.35.2-eks-113cf36'],
      ['the same minor as', 'v1.36.1'],
      ['one minor newer than', 'v1.37.0-eks-0a1b2c3'],
    ])('deploys when the cluster is %s kubectl v1.36.4', (_name, serverVersion) => {
      const outcome = run({ serverVersion });
      expect(outcome.stderr).toBe('');
      expect(outcome.status).toBe(0);
    });

    test.each(['v1.34.9-eks-113cf36', 'v1.38.0'])('fails before rendering when the cluster (%s) is more than one '
      + 'minor version from kubectl', (serverVersion) => {
      const outcome = run({ serverVersion });
      expect(outcome.status).toBe(1);
      const minor = serverVersion.split('.')[1];
      expect(outcome.stderr.trim().split('\n')).toEqual([
        `eks-deploy: kubectl v1.36.4 is more than one minor version from the cluster (${serverVersion}): give EksDeployStage kubectl: `
          + `KubectlRelease.of("v1.${minor}.<patch>", "<its linux/amd64 sha256>")`,
      ]);
      expect(workCalls(outcome)).toEqual([]);
      expect(outcome.calls.some((call) => call.startsWith('kubectl get namespace'))).toBe(false);
    });

    test('fails naming the VPC settings when the API server cannot be reached (a private endpoint)', () => {
      const outcome = run({ serverVersion: 'unreachable' });
      expect(outcome.status).toBe(1);
      expect(outcome.stderr.trim().split('\n')).toEqual([
        'eks-deploy: cannot reach the API server of cluster apps (Unable to connect to the server: dial tcp 10.0.1.5:443: i/o timeout): '
          + 'a private endpoint needs the deploy project in the cluster\'s VPC (EksDeployStage vpc, subnetSelection, securityGroups) '
          + 'with HTTPS allowed to the cluster security group',
      ]);
      expect(workCalls(outcome)).toEqual([]);
    });
  });

  describe('admission', () => {
    /** Runs the deploy with one changed manifest; expects a refusal before anything reaches the cluster. */
    function refused(options: RunOptions): Run {
      const outcome = run(options);
      expect(outcome.status).toBe(1);
      expect(outcome.stderr).toContain('eks-deploy: admission refused the deploy (violations above): nothing is applied');
      expect(outcome.calls.filter((call) => /^kubectl (apply|rollout)/.test(call))).toEqual([]);
      return outcome;
    }
    const withDeployment = (deployment: string, extra: Record<string, string> = {}) => ({
      files: { 'k8s/deployment.yaml': deployment, 'k8s/service.yaml': SERVICE, ...extra },
    });

    test('refuses a sidecar pinned by digest that is not on the allowlist', () => {
      const outcome = refused(withDeployment(deploymentWith({
        container: `- name: debug\n  image: ${SIDECAR}\n`
          + '  securityContext:\n    allowPrivilegeEscalation: false\n    capabilities: { drop: [ALL] }',
      })));
      expect(outcome.stderr).toContain(`admission: Deployment/web container "debug": image "${SIDECAR}" `
        + 'is neither the promoted image nor an allowed image (EksDeployStage allowedImages)');
    });

    test('deploys a sidecar the factory allows by digest', () => {
      const deployment = deploymentWith({
        container: `- name: debug\n  image: ${SIDECAR}\n  securityContext:\n    allowPrivilegeEscalation: false\n    capabilities: { drop: [ALL] }`,
      });
      const outcome = run({ ...withDeployment(deployment), env: { ALLOWED_IMAGES: SIDECAR } });
      expect(outcome.stderr).toBe('');
      expect(outcome.status).toBe(0);
    });

    test('refuses a privileged container', () => {
      const outcome = refused(
        withDeployment(DEPLOYMENT.replace('allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: false\n            privileged: true')),
      );
      expect(outcome.stderr).toContain('admission: Deployment/web container "web": privileged is not allowed (Pod Security restricted)');
    });

    test.each(['hostPID', 'hostNetwork'])('refuses %s', (field) => {
      const outcome = refused(withDeployment(deploymentWith({ podSpec: `${field}: true` })));
      expect(outcome.stderr).toContain(`admission: Deployment/web: ${field} is not allowed (Pod Security restricted)`);
    });

    test('refuses a hostPath volume of /', () => {
      const outcome = refused(withDeployment(deploymentWith({ podSpec: 'volumes:\n  - name: host\n    hostPath: { path: / }' })));
      expect(outcome.stderr).toContain('admission: Deployment/web volume "host": hostPath volumes are not allowed (Pod Security restricted)');
    });

    test('refuses an RBAC object', () => {
      const binding = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: take-over\nroleRef: { apiGroup: '
        + 'rbac.authorization.k8s.io, kind: ClusterRole, name: admin }\nsubjects: [{ kind: ServiceAccount, name: default }]\n';
      const outcome = refused(withDeployment(DEPLOYMENT, { 'k8s/binding.yaml': binding }));
      expect(outcome.stderr).toContain(
        "admission: RoleBinding/take-over: kind RoleBinding is not allowed: RBAC objects are the cluster administrators' to grant",
      );
    });

    test('refuses a cluster-scoped object', () => {
      const webhook = 'apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata:\n  name: off\nwebhooks: []\n';
      const outcome = refused(withDeployment(DEPLOYMENT, { 'k8s/webhook.yaml': webhook }));
      expect(outcome.stderr).toContain('admission: ValidatingWebhookConfiguration/off: kind ValidatingWebhookConfiguration is not allowed: '
        + "cluster-scoped objects are the cluster administrators' to create");
    });

    test('refuses a namespace without the restricted Pod Security label and says how to fix it', () => {
      const outcome = refused({ namespaceEnforce: 'baseline' });
      expect(outcome.stderr).toContain("admission: namespace web: label pod-security.kubernetes.io/enforce is 'baseline', must be 'restricted'; a "
        + 'cluster administrator fixes it with: kubectl label --overwrite namespace web pod-security.kubernetes.io/enforce=restricted');
      expect(refused({ namespaceEnforce: '' }).stderr).toContain("label pod-security.kubernetes.io/enforce is 'unset'");
    });

    test('refuses when the namespace cannot be read', () => {
      const outcome = run({ namespaceEnforce: 'forbidden' });
      expect(outcome.status).toBe(1);
      expect(outcome.stderr).toContain('eks-deploy: cannot read namespace web (Error from server (Forbidden): namespaces "web" is forbidden): it '
        + 'must exist and the deploy role may get it; nothing is applied');
      expect(outcome.calls.some((call) => call.startsWith('kubectl apply'))).toBe(false);
    });

    test('lists the violations of every object and the namespace before failing', () => {
      const outcome = refused({
        ...withDeployment(deploymentWith({ podSpec: 'hostIPC: true' }), {
          'k8s/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: web\n',
        }),
        namespaceEnforce: 'privileged',
      });
      expect(outcome.stderr.split('\n').filter((line) => line.startsWith('admission: '))).toEqual([
        'admission: Namespace/web: kind Namespace is not allowed: cluster-scoped objects are the cluster administrators\' to create',
        'admission: Deployment/web: hostIPC is not allowed (Pod Security restricted)',
        'admission: 2 violation(s) in 3 object(s); nothing is applied',
        expect.stringMatching(/^admission: namespace web: label pod-security.kubernetes.io\/enforce is 'privileged'/),
      ]);
    });

    test('admits the manifests of the sample app', () => {
      const directory = path.join(__dirname, '..', '..', '..', '..', 'apps', 'sample-app', 'k8s');
      const files = Object.fromEntries(fs.readdirSync(directory).map((name) => [`k8s/${name}`, fs.readFileSync(path.join(directory, name), 'utf8')]));
      const outcome = run({ files });
      expect(outcome.stderr).toBe('');
      expect(outcome.status).toBe(0);
      expect(outcome.calls).toContain('kubectl get namespace web --output jsonpath={.metadata.labels.pod-security\\.kubernetes\\.io/enforce}');
    });

    test('fails closed when the checker was not written into the buildspec', () => {
      const canonical = YAML.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'buildspecs', 'eks-deploy.yml'), 'utf8'));
      const outcome = run({ script: canonical.phases.pre_build.commands.join('\n') });
      expect(outcome.status).toBe(1);
      expect(outcome.stderr).toContain('admission-check.js was not embedded into this buildspec; deploy with EksDeployStage');
      expect(outcome.calls).toEqual([]);
    });
  });
});

/**
 * notation and oras stand-ins over a fake registry folder (FAKE_REGISTRY): `signatures/<digest>` holds the
 * ARN of the profile that signed that digest, `referrers/<digest>/<referrer digest>` the artifact type of each
 * referrer, `blobs/<digest>.json` the content of an attached file. notation verify passes only when the
 * signing profile is the trust policy's trusted identity and the repository is in its scope, as notation
 * does with the AWS Signer plugin.
 */
function installSupplyChainStubs(bin: string, calls: string): void {
  fs.writeFileSync(path.join(bin, 'notation'), `#!/usr/bin/env node
const fs = require('fs');
const path = require('path');
const args = process.argv.slice(2);
const registry = process.env.FAKE_REGISTRY;
fs.appendFileSync(${JSON.stringify(calls)}, 'notation ' + args.join(' ') + '\\n');
const policyFile = path.join(registry, 'imported-trust-policy.json');
if (args[0] === 'login') process.exit(fs.readFileSync(0, 'utf8').trim() === 'registry-password-not-for-logs' ? 0 : 1);
if (args[0] === 'policy' && args[1] === 'import') { fs.copyFileSync(args[args.length - 1], policyFile); process.exit(0); }
if (args[0] === 'verify') {
  const reference = args[args.length - 1];
  const [repository, digest] = reference.split('@');
  const policy = JSON.parse(fs.readFileSync(policyFile, 'utf8')).trustPolicies[0];
  const signer = path.join(registry, 'signatures', digest);
  if (!policy.registryScopes.includes(repository) || !fs.existsSync(signer) || !policy.trustedIdentities.includes(fs.readFileSync(signer, 'utf8'))) {
    console.error('Error: signature verification failed for all the signatures associated with ' + reference);
    process.exit(1);
  }
  console.log('Successfully verified signature for ' + reference);
  process.exit(0);
}
process.exit(2);
`, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'oras'), `#!/usr/bin/env node
const fs = require('fs');
const path = require('path');
const args = process.argv.slice(2);
const registry = process.env.FAKE_REGISTRY;
fs.appendFileSync(${JSON.stringify(calls)}, 'oras ' + args.join(' ') + '\\n');
const reference = args[args.length - 1];
const digest = reference.slice(reference.indexOf('@') + 1);
if (args[0] === 'login') process.exit(fs.readFileSync(0, 'utf8').trim() === 'registry-password-not-for-logs' ? 0 : 1);
if (args[0] === 'discover') {
  const type = args[args.indexOf('--artifact-type') + 1];
  const dir = path.join(registry, 'referrers', digest);
  const referrers = (fs.existsSync(dir) ? fs.readdirSync(dir) : [])
    .filter((d) => fs.readFileSync(path.join(dir, d), 'utf8') === type)
    .map((d) => ({
      reference: reference.split('@')[0] + '@' + d,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: d,
      artifactType: type,
    }));
  console.log(JSON.stringify({ reference, mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, referrers }));
  process.exit(0);
}
if (args[0] === 'pull') {
  const output = args[args.indexOf('--output') + 1];
  fs.mkdirSync(output, { recursive: true });
  fs.copyFileSync(path.join(registry, 'blobs', digest + '.json'), path.join(output, 'provenance.intoto.json'));
  process.exit(0);
}
process.exit(2);
`, { mode: 0o755 });
}

describe('supply chain verification before the deploy', () => {
  const PROFILE = 'arn:aws:signer:eu-west-1:111111111111:/signing-profiles/factory_images';
  const OTHER_PROFILE = 'arn:aws:signer:eu-west-1:333333333333:/signing-profiles/someone_else';
  const PIPELINE = 'sample-app-pipeline';
  const STATEMENT = `sha256:${'d'.repeat(64)}`;
  const registries: string[] = [];
  afterAll(() => registries.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  /** An in-toto statement as EcrScanStage writes it, with some fields replaced. */
  function provenance(changes: { builder?: string; subject?: string; gates?: object[] } = {}): string {
    return JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: REPOSITORY, digest: { sha256: (changes.subject ?? DIGEST).slice('sha256:'.length) } }],
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: {
        buildDefinition: {
          buildType: 'urn:devsecops-factory:codepipeline-image:v1',
          externalParameters: { source: { repository: 'sample-app', branch: 'main', commit: 'f'.repeat(40) } },
          internalParameters: {
            pipeline: PIPELINE,
            pipelineExecutionId: '6b1d2c3e-0000-4000-8000-000000000042',
            gates: changes.gates ?? [
              { stage: 'image', result: 'passed', build: 'image-scan:1', tools: ['grype', 'clamav'], policyDigest: { sha256: 'a'.repeat(64) } },
              { stage: 'ecr', result: 'passed', build: 'ecr-scan:1', tools: ['ecr'], policyDigest: { sha256: 'a'.repeat(64) } },
            ],
          },
        },
        runDetails: { builder: { id: changes.builder ?? `arn:aws:codepipeline:eu-west-1:111111111111:${PIPELINE}` }, metadata: {} },
      },
    });
  }

  /** A fake registry: the image signed by `imageSigner`, and one provenance statement signed by `statementSigner`. */
  function registry(options: { imageSigner?: string; statement?: string; statementSigner?: string }): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-registry-'));
    registries.push(dir);
    fs.mkdirSync(path.join(dir, 'signatures'));
    if (options.imageSigner) fs.writeFileSync(path.join(dir, 'signatures', DIGEST), options.imageSigner);
    if (options.statement !== undefined) {
      fs.mkdirSync(path.join(dir, 'referrers', DIGEST), { recursive: true });
      fs.writeFileSync(path.join(dir, 'referrers', DIGEST, STATEMENT), 'application/vnd.in-toto+json');
      fs.mkdirSync(path.join(dir, 'blobs'));
      fs.writeFileSync(path.join(dir, 'blobs', `${STATEMENT}.json`), options.statement);
      if (options.statementSigner) fs.writeFileSync(path.join(dir, 'signatures', STATEMENT), options.statementSigner);
    }
    return dir;
  }

  function deploy(fakeRegistry: string): Run {
    return run({
      env: {
        SIGNING_PROFILE_ARN: PROFILE,
        FAKE_REGISTRY: fakeRegistry,
        CODEBUILD_INITIATOR: `codepipeline/${PIPELINE}`,
        CODEBUILD_BUILD_ARN: 'arn:aws:codebuild:eu-west-1:111111111111:build/deploy-staging:0f1e',
      },
    });
  }

  const touchedTheCluster = (outcome: Run) => outcome.calls.some((call) => call.startsWith('kubectl') || call.includes('update-kubeconfig'));
  const failure = (outcome: Run) => outcome.stderr.trim().split('\n').filter((line) => line.startsWith('eks-deploy:'));

  test('refuses an unsigned digest with one line naming the profile, before the cluster is touched', () => {
    const outcome = deploy(registry({ statement: provenance(), statementSigner: PROFILE }));
    expect(outcome.status).toBe(1);
    expect(failure(outcome)).toEqual([
      `eks-deploy: signature: ${REPOSITORY}@${DIGEST} has no signature that verifies against signing profile ${PROFILE} `
      + `(Error: signature verification failed for all the signatures associated with ${REPOSITORY}@${DIGEST}); nothing is deployed`,
    ]);
    expect(touchedTheCluster(outcome)).toBe(false);
  });

  test('refuses a digest signed by another profile', () => {
    const outcome = deploy(registry({ imageSigner: OTHER_PROFILE, statement: provenance(), statementSigner: OTHER_PROFILE }));
    expect(outcome.status).toBe(1);
    expect(failure(outcome)[0]).toMatch(/^eks-deploy: signature: .* has no signature that verifies against signing profile/);
    expect(touchedTheCluster(outcome)).toBe(false);
  });

  test('deploys a signed digest whose signed provenance names this pipeline and passed gates, verifying against a trust '
    + 'policy of the profile alone', () => {
    const fake = registry({ imageSigner: PROFILE, statement: provenance(), statementSigner: PROFILE });
    const outcome = deploy(fake);
    expect(outcome.status).toBe(0);
    expect(outcome.calls).toContain('kubectl rollout status deployment.apps/web --namespace web --timeout 300s');
    expect(outcome.calls).toEqual(expect.arrayContaining([
      `notation verify ${REPOSITORY}@${DIGEST}`, `notation verify ${REPOSITORY}@${STATEMENT}`,
    ]));
    expect(JSON.parse(fs.readFileSync(path.join(fake, 'imported-trust-policy.json'), 'utf8'))).toEqual({
      version: '1.0',
      trustPolicies: [{
        name: 'factory-signing-profile',
        registryScopes: [REPOSITORY],
        signatureVerification: { level: 'strict' },
        trustStores: ['signingAuthority:aws-signer-ts'],
        trustedIdentities: [PROFILE],
      }],
    });
    // Verified before the deploy role or the cluster, with the registry password only ever on a pipe.
    const verified = outcome.calls.findIndex((call) => call.startsWith('notation verify'));
    expect(verified).toBeLessThan(outcome.calls.findIndex((call) => call.includes('update-kubeconfig')));
    expect(outcome.calls.join('\n')).not.toContain('registry-password-not-for-logs');
  });

  test.each([
    ['names another pipeline', provenance({ builder: 'arn:aws:codepipeline:eu-west-1:111111111111:other-pipeline' }),
      'it names builder arn:aws:codepipeline:eu-west-1:111111111111:other-pipeline, not this pipeline '
        + `arn:aws:codepipeline:eu-west-1:111111111111:${PIPELINE}`],
    ['names no passed gate', provenance({ gates: [{ stage: 'image', result: 'failed', policyDigest: { sha256: 'a'.repeat(64) } }] }),
      'it names no passed gate with its policy digest'],
    ['names a passed gate without its policy digest', provenance({ gates: [{ stage: 'image', result: 'passed' }] }),
      'it names no passed gate with its policy digest'],
    ['is about another digest', provenance({ subject: `sha256:${'9'.repeat(64)}` }), 'its subject is not this digest'],
    ['is not an in-toto statement', '{"hello":"world"}', 'it is not an in-toto Statement v1'],
  ])('refuses a signed digest whose provenance %s', (_case, statement, problem) => {
    const outcome = deploy(registry({ imageSigner: PROFILE, statement, statementSigner: PROFILE }));
    expect(outcome.status).toBe(1);
    expect(failure(outcome)).toEqual([
      `eks-deploy: provenance: no signed provenance of ${REPOSITORY}@${DIGEST} names this pipeline and a passed gate (statement ${STATEMENT}: `
        + `${problem}); nothing is deployed`,
    ]);
    expect(touchedTheCluster(outcome)).toBe(false);
  });

  test('refuses a provenance statement that is not signed by the profile', () => {
    const outcome = deploy(registry({ imageSigner: PROFILE, statement: provenance() }));
    expect(outcome.status).toBe(1);
    expect(failure(outcome)).toEqual([
      `eks-deploy: provenance: no signed provenance of ${REPOSITORY}@${DIGEST} names this pipeline and a passed gate (statement ${STATEMENT} is not `
        + 'signed by the signing profile); nothing is deployed',
    ]);
  });

  test('refuses a signed digest without provenance', () => {
    const outcome = deploy(registry({ imageSigner: PROFILE }));
    expect(outcome.status).toBe(1);
    expect(failure(outcome)).toEqual([
      `eks-deploy: provenance: ${REPOSITORY}@${DIGEST} has no provenance statement (application/vnd.in-toto+json referrer); nothing is deployed`,
    ]);
  });
});
