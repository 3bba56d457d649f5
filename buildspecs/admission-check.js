#!/usr/bin/env node
// Deploy-time admission for eks-deploy.yml: decides, before `kubectl apply`, whether the rendered
// manifests of a commit may reach the cluster. The commit is the threat here (an application
// repository's author controls the manifests), so everything not explicitly allowed is refused.
//
// Input: the JSON that kubectl itself decoded from the rendered YAML
// (`kubectl annotate --local -f rendered.yaml <absent-key>- -o json`), so this script never parses
// YAML and sees exactly the objects kubectl would apply. Plain Node.js, no dependencies: it ships
// inside @devsecops-factory/eks-deploy-construct, and EksDeployStage writes it into the project's
// buildspec (a quoted heredoc in place of the placeholder command of eks-deploy.yml's pre_build).
//
// Usage: node admission-check.js --namespace <ns> --image <repository@sha256:...>
//          --manifest-image-name <name> [--allowed-images <repo@sha256:...,...>] <rendered.json>
// Exit 0: admitted. Exit 1: one line per violation on stderr, then a summary. Exit 2: bad input.
'use strict';

const fs = require('fs');

const DIGEST_REFERENCE = /^[a-z0-9]([a-z0-9._:/-]*[a-z0-9])?@sha256:[a-f0-9]{64}$/;
const PSS = '(Pod Security restricted)';

/**
 * Kinds a deploy may create, keyed `Kind` (core group) or `Kind.group`: namespaced workloads and
 * what serves, configures, scales and isolates them. Everything else is refused, notably RBAC
 * (a deploy must not grant itself permissions), cluster-scoped objects, Endpoints/EndpointSlices
 * (they can point a Service anywhere, CVE-2021-25740), ResourceQuota/LimitRange (the
 * administrators' limits) and custom resources (unknown semantics, often controllers with
 * cluster-wide power).
 */
const ALLOWED_KINDS = new Set([
  'Pod', 'Service', 'ConfigMap', 'Secret', 'ServiceAccount',
  'Deployment.apps', 'StatefulSet.apps', 'DaemonSet.apps', 'ReplicaSet.apps',
  'Job.batch', 'CronJob.batch',
  'Ingress.networking.k8s.io', 'NetworkPolicy.networking.k8s.io',
  'HorizontalPodAutoscaler.autoscaling', 'PodDisruptionBudget.policy',
]);

/** Cluster-scoped kinds, named so their refusal says why. */
const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ComponentStatus',
  'StorageClass.storage.k8s.io', 'CSIDriver.storage.k8s.io', 'CSINode.storage.k8s.io', 'VolumeAttachment.storage.k8s.io',
  'CustomResourceDefinition.apiextensions.k8s.io', 'APIService.apiregistration.k8s.io',
  'ValidatingWebhookConfiguration.admissionregistration.k8s.io', 'MutatingWebhookConfiguration.admissionregistration.k8s.io',
  'ValidatingAdmissionPolicy.admissionregistration.k8s.io', 'ValidatingAdmissionPolicyBinding.admissionregistration.k8s.io',
  'MutatingAdmissionPolicy.admissionregistration.k8s.io', 'MutatingAdmissionPolicyBinding.admissionregistration.k8s.io',
  'PriorityClass.scheduling.k8s.io', 'RuntimeClass.node.k8s.io', 'IngressClass.networking.k8s.io',
  'CertificateSigningRequest.certificates.k8s.io', 'FlowSchema.flowcontrol.apiserver.k8s.io',
  'PriorityLevelConfiguration.flowcontrol.apiserver.k8s.io',
]);

/** Where each workload kind keeps its pod template (the Pod itself for a Pod). */
const POD_TEMPLATES = {
  'Pod': (object) => object,
  'Deployment.apps': (object) => object.spec?.template,
  'StatefulSet.apps': (object) => object.spec?.template,
  'DaemonSet.apps': (object) => object.spec?.template,
  'ReplicaSet.apps': (object) => object.spec?.template,
  'Job.batch': (object) => object.spec?.template,
  'CronJob.batch': (object) => object.spec?.jobTemplate?.spec?.template,
};

/** Pod Security "restricted": the only volume types allowed. */
const RESTRICTED_VOLUME_TYPES = new Set([
  'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret',
]);
/** Pod Security "baseline": the namespaced ("safe") sysctls. */
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const SELINUX_TYPES = new Set(['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const CONFINED_PROFILES = new Set(['RuntimeDefault', 'Localhost']);
const CONTAINER_LISTS = [
  ['containers', 'container'],
  ['initContainers', 'init container'],
  ['ephemeralContainers', 'ephemeral container'],
];

/**
 * Checks decoded manifests. Returns the violations, one line each, in manifest order; an empty list
 * means the manifests are admitted.
 *
 * @param {unknown[]} objects the objects kubectl decoded (Lists already flattened or not)
 * @param {{ namespace: string, image: string, manifestImageName?: string, allowedImages?: string[] }} options
 */
function admit(objects, options) {
  const allowedImages = new Set(options.allowedImages ?? []);
  const violations = [];
  let usesPromotedImage = false;
  const report = (subject, rule) => violations.push(`admission: ${subject}: ${rule}`);

  flatten(objects).forEach((object, index) => {
    if (!isObject(object) || typeof object.kind !== 'string' || typeof object.apiVersion !== 'string') {
      report(`object #${index + 1}`, 'has no apiVersion and kind');
      return;
    }
    const key = kindKey(object);
    const metadata = isObject(object.metadata) ? object.metadata : {};
    const subject = `${printable(object.kind)}/${printable(metadata.name ?? metadata.generateName ?? '?')}`;
    if (!ALLOWED_KINDS.has(key)) {
      report(subject, kindRefusal(key));
      return;
    }
    if (metadata.namespace !== undefined && metadata.namespace !== options.namespace) {
      report(subject, `namespace ${quote(metadata.namespace)} is not the target namespace ${quote(options.namespace)}`);
    }
    if (key === 'Secret' && object.type === 'kubernetes.io/service-account-token') {
      // It would mint a long-lived token for any service account of the namespace.
      report(subject, 'Secrets of type kubernetes.io/service-account-token are not allowed');
    }
    if (key === 'Service' && Array.isArray(object.spec?.externalIPs) && object.spec.externalIPs.length > 0) {
      // A Service with external IPs can intercept other workloads' traffic (CVE-2020-8554).
      report(subject, 'externalIPs is not allowed');
    }
    if (POD_TEMPLATES[key] === undefined) {
      return;
    }
    const template = POD_TEMPLATES[key](object);
    if (!isObject(template) || !isObject(template.spec)) {
      report(subject, 'has no pod spec');
      return;
    }
    const annotations = isObject(template.metadata?.annotations) ? template.metadata.annotations : {};
    checkPodSpec(template.spec, annotations, subject, report, (image) => {
      const reference = digestReference(image);
      if (reference === undefined) {
        return `image ${quote(image)} is not pinned by digest`;
      }
      if (reference === options.image) {
        usesPromotedImage = true;
        return undefined;
      }
      return allowedImages.has(reference) ? undefined : `image ${quote(image)} is neither the promoted image nor an allowed image (EksDeployStage allowedImages)`;
    });
  });

  if (!usesPromotedImage) {
    const name = options.manifestImageName ?? options.image;
    violations.push(`admission: no container uses image '${printable(name)}': nothing would deploy ${options.image}`);
  }
  return violations;
}

function checkPodSpec(spec, annotations, subject, report, checkImage) {
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec[field] === true) {
      report(subject, `${field} is not allowed ${PSS}`);
    }
  }
  const pod = isObject(spec.securityContext) ? spec.securityContext : {};
  checkSecurityContext(pod, subject, report);
  if (pod.runAsNonRoot === false) {
    report(subject, `runAsNonRoot: false is not allowed ${PSS}`);
  }
  if (pod.seccompProfile !== undefined && !CONFINED_PROFILES.has(pod.seccompProfile?.type)) {
    report(subject, `seccompProfile must be RuntimeDefault or Localhost, not ${quote(pod.seccompProfile?.type)} ${PSS}`);
  }
  for (const sysctl of Array.isArray(pod.sysctls) ? pod.sysctls : []) {
    if (!SAFE_SYSCTLS.has(sysctl?.name)) {
      report(subject, `sysctl ${quote(sysctl?.name)} is not allowed ${PSS}`);
    }
  }
  for (const volume of Array.isArray(spec.volumes) ? spec.volumes : []) {
    const types = isObject(volume) ? Object.keys(volume).filter((field) => field !== 'name') : [];
    for (const type of types.filter((candidate) => !RESTRICTED_VOLUME_TYPES.has(candidate))) {
      report(`${subject} volume ${quote(volume.name)}`, `${printable(type)} volumes are not allowed ${PSS}`);
    }
  }
  for (const [list, label] of CONTAINER_LISTS) {
    for (const container of Array.isArray(spec[list]) ? spec[list] : []) {
      const name = isObject(container) ? container.name : undefined;
      checkContainer(isObject(container) ? container : {}, pod, `${subject} ${label} ${quote(name)}`, report, checkImage);
    }
  }
  // Old-style AppArmor annotations still override the field on older clusters.
  for (const [key, value] of Object.entries(annotations)) {
    if (key.startsWith('container.apparmor.security.beta.kubernetes.io/') && value !== 'runtime/default' && !String(value).startsWith('localhost/')) {
      report(subject, `AppArmor annotation ${quote(key)} must be runtime/default or localhost/*, not ${quote(value)} ${PSS}`);
    }
  }
}

function checkContainer(container, pod, subject, report, checkImage) {
  const imageProblem = typeof container.image === 'string' && container.image !== ''
    ? checkImage(container.image)
    : 'has no image';
  if (imageProblem !== undefined) {
    report(subject, imageProblem);
  }
  const context = isObject(container.securityContext) ? container.securityContext : {};
  if (context.privileged === true) {
    report(subject, `privileged is not allowed ${PSS}`);
  }
  if (context.allowPrivilegeEscalation !== false) {
    report(subject, `allowPrivilegeEscalation must be false ${PSS}`);
  }
  if (context.runAsNonRoot === false) {
    report(subject, `runAsNonRoot: false is not allowed ${PSS}`);
  } else if (context.runAsNonRoot !== true && pod.runAsNonRoot !== true) {
    report(subject, `runAsNonRoot must be true in the pod or container securityContext ${PSS}`);
  }
  checkSecurityContext(context, subject, report);
  if (context.seccompProfile !== undefined) {
    if (!CONFINED_PROFILES.has(context.seccompProfile?.type)) {
      report(subject, `seccompProfile must be RuntimeDefault or Localhost, not ${quote(context.seccompProfile?.type)} ${PSS}`);
    }
  } else if (pod.seccompProfile === undefined) {
    report(subject, `seccompProfile must be RuntimeDefault or Localhost in the pod or container securityContext ${PSS}`);
  }
  const capabilities = isObject(context.capabilities) ? context.capabilities : {};
  if (!Array.isArray(capabilities.drop) || !capabilities.drop.includes('ALL')) {
    report(subject, `capabilities must drop ALL ${PSS}`);
  }
  for (const capability of Array.isArray(capabilities.add) ? capabilities.add : []) {
    if (capability !== 'NET_BIND_SERVICE') {
      report(subject, `adding capability ${quote(capability)} is not allowed (only NET_BIND_SERVICE) ${PSS}`);
    }
  }
  if (context.procMount !== undefined && context.procMount !== 'Default') {
    report(subject, `procMount ${quote(context.procMount)} is not allowed ${PSS}`);
  }
  for (const port of Array.isArray(container.ports) ? container.ports : []) {
    if (isObject(port) && port.hostPort !== undefined && port.hostPort !== 0) {
      report(subject, `hostPort ${printable(port.hostPort)} is not allowed ${PSS}`);
    }
  }
}

/** Rules shared by the pod and container security contexts. */
function checkSecurityContext(context, subject, report) {
  if (context.runAsUser === 0) {
    report(subject, `runAsUser 0 (root) is not allowed ${PSS}`);
  }
  if (context.windowsOptions?.hostProcess === true) {
    report(subject, `windowsOptions.hostProcess is not allowed ${PSS}`);
  }
  const selinux = isObject(context.seLinuxOptions) ? context.seLinuxOptions : {};
  if (selinux.type !== undefined && selinux.type !== '' && !SELINUX_TYPES.has(selinux.type)) {
    report(subject, `seLinuxOptions.type ${quote(selinux.type)} is not allowed ${PSS}`);
  }
  for (const field of ['user', 'role']) {
    if (selinux[field] !== undefined && selinux[field] !== '') {
      report(subject, `seLinuxOptions.${field} is not allowed ${PSS}`);
    }
  }
  if (context.appArmorProfile !== undefined && !CONFINED_PROFILES.has(context.appArmorProfile?.type)) {
    report(subject, `appArmorProfile must be RuntimeDefault or Localhost, not ${quote(context.appArmorProfile?.type)} ${PSS}`);
  }
}

function kindRefusal(key) {
  const [kind, ...group] = key.split('.');
  const groupName = group.join('.');
  if (groupName === 'rbac.authorization.k8s.io') {
    return `kind ${printable(kind)} is not allowed: RBAC objects are the cluster administrators' to grant`;
  }
  if (CLUSTER_SCOPED_KINDS.has(key)) {
    return `kind ${printable(kind)} is not allowed: cluster-scoped objects are the cluster administrators' to create`;
  }
  const where = groupName === '' ? 'core' : printable(groupName);
  return `kind ${printable(kind)} (${where}) is not an allowed kind (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Service, ConfigMap, Secret, ServiceAccount, Ingress, NetworkPolicy, HorizontalPodAutoscaler, PodDisruptionBudget)`;
}

/** `Kind` for the core group, `Kind.group` otherwise (the version does not matter). */
function kindKey(object) {
  const slash = object.apiVersion.indexOf('/');
  return slash < 0 ? object.kind : `${object.kind}.${object.apiVersion.slice(0, slash)}`;
}

/** `repository@sha256:<hex>` with any tag dropped (the digest decides what runs), or undefined. */
function digestReference(image) {
  const at = image.lastIndexOf('@');
  if (at < 0) {
    return undefined;
  }
  let name = image.slice(0, at);
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  if (lastSegment.includes(':')) {
    name = name.slice(0, name.length - (lastSegment.length - lastSegment.indexOf(':')));
  }
  const reference = `${name}${image.slice(at)}`;
  return DIGEST_REFERENCE.test(reference) ? reference : undefined;
}

/** Exactly `repository@sha256:<64 hex>`: no tag, so it compares with what digestReference returns. */
function isDigestReference(image) {
  return digestReference(image) === image;
}

/** Objects of `kind: List` (and bare arrays) contribute their items. */
function flatten(values) {
  return values.flatMap((value) => {
    if (Array.isArray(value)) {
      return flatten(value);
    }
    if (isObject(value) && value.kind === 'List' && Array.isArray(value.items)) {
      return flatten(value.items);
    }
    return [value];
  });
}

/**
 * Parses concatenated JSON values (kubectl prints one object after another). Errors name the
 * position only: the input is the commit's content and may hold secrets.
 */
function parseJsonStream(text) {
  const values = [];
  let depth = 0;
  let start = 0;
  let inString = false;
  let escaped = false;
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (inString) {
      if (escaped) {
        escaped = false;
      } else if (character === '\\') {
        escaped = true;
      } else if (character === '"') {
        inString = false;
      }
    } else if (character === '"') {
      if (depth === 0) {
        throw new Error(`unexpected string at character ${index}`);
      }
      inString = true;
    } else if (character === '{' || character === '[') {
      if (depth === 0) {
        start = index;
      }
      depth++;
    } else if (character === '}' || character === ']') {
      depth--;
      if (depth < 0) {
        throw new Error(`unbalanced ${character === '}' ? 'brace' : 'bracket'} at character ${index}`);
      }
      if (depth === 0) {
        try {
          values.push(JSON.parse(text.slice(start, index + 1)));
        } catch {
          throw new Error(`invalid JSON value between characters ${start} and ${index}`);
        }
      }
    } else if (depth === 0 && !/\s/.test(character)) {
      throw new Error(`unexpected character at character ${index}`);
    }
  }
  if (depth !== 0 || inString) {
    throw new Error('truncated JSON');
  }
  return values;
}

function parseAllowedImages(value) {
  const images = (value ?? '').split(/[\s,]+/).filter((image) => image !== '');
  for (const image of images) {
    if (!isDigestReference(image)) {
      throw new Error(`allowed image ${quote(image)} is not repository@sha256:<64 hex>`);
    }
  }
  return images;
}

function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value from the manifests, quoted on one line and shortened: it is the commit's text. */
function quote(value) {
  const text = JSON.stringify(typeof value === 'string' ? value : String(value));
  return text.length > 130 ? `${text.slice(0, 120)}..."` : text;
}

/** Names and kinds as they are when they look like Kubernetes names, quoted otherwise. */
function printable(value) {
  const text = String(value);
  return /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,252}$/.test(text) ? text : quote(text);
}

function parseArguments(argv) {
  const options = {};
  const files = [];
  for (let index = 0; index < argv.length; index++) {
    const match = /^--(namespace|image|manifest-image-name|allowed-images)$/.exec(argv[index]);
    if (match) {
      if (index + 1 >= argv.length) {
        throw new Error(`${argv[index]} needs a value`);
      }
      options[match[1]] = argv[++index];
    } else if (argv[index].startsWith('--')) {
      throw new Error(`unknown option ${argv[index]}`);
    } else {
      files.push(argv[index]);
    }
  }
  if (files.length !== 1 || !options.namespace || !options.image) {
    throw new Error('usage: admission-check.js --namespace <ns> --image <repository@sha256:...> [--manifest-image-name <name>] [--allowed-images <list>] <rendered.json>');
  }
  if (!isDigestReference(options.image)) {
    throw new Error(`--image must be repository@sha256:<64 hex>, got ${quote(options.image)}`);
  }
  return {
    file: files[0],
    namespace: options.namespace,
    image: options.image,
    manifestImageName: options['manifest-image-name'],
    allowedImages: parseAllowedImages(options['allowed-images']),
  };
}

function main(argv) {
  let settings;
  let objects;
  try {
    settings = parseArguments(argv);
    objects = flatten(parseJsonStream(fs.readFileSync(settings.file, 'utf8')));
  } catch (error) {
    process.stderr.write(`admission: ${error.message}\n`);
    return 2;
  }
  const violations = admit(objects, settings);
  if (violations.length > 0) {
    process.stderr.write(`${violations.join('\n')}\nadmission: ${violations.length} violation(s) in ${objects.length} object(s); nothing is applied\n`);
    return 1;
  }
  process.stdout.write(`admission: ${objects.length} object(s) admitted into namespace ${settings.namespace}\n`);
  return 0;
}

module.exports = { admit, parseJsonStream, parseAllowedImages, digestReference, ALLOWED_KINDS };

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
