/**
 * The Kubernetes objects of the admission check that the charts do not install: the AWS Signer plugin for
 * Ratify, the Gatekeeper ConstraintTemplate that asks Ratify about every image of a pod, the Constraint that
 * applies it to the factory's namespaces, and the webhook that sends those namespaces' pods to Gatekeeper and
 * fails closed.
 */

/** Kind of the constraint; Gatekeeper names the CRD it creates for it `<kind in lower case>.constraints.gatekeeper.sh`. */
export const CONSTRAINT_KIND = 'FactorySignedImages';
export const CONSTRAINT_NAME = 'factory-signed-images';
export const CONSTRAINT_CRD = `${CONSTRAINT_KIND.toLowerCase()}.constraints.gatekeeper.sh`;
/** The fail-closed webhook configuration; Gatekeeper injects its CA into it (additionalValidatingWebhookConfigsToRotateCerts). */
export const FACTORY_WEBHOOK = 'factory-signed-images';
/** The external data provider the Ratify chart (1.15.0, Ratify v1.4.0) registers with Gatekeeper. */
export const RATIFY_PROVIDER = 'ratify-provider';
/** Ratify looks notation plugins up by `notation-<plugin name>` in its plugin directory. */
export const SIGNER_PLUGIN_VERIFIER = 'notation-com.amazonaws.signer.notation.plugin';
const SIGNER_PLUGIN_REPOSITORY = 'public.ecr.aws/aws-signer/notation-plugin';

/**
 * The Rego of the template. Every rule that cannot prove a signature denies: an image without digest, Ratify
 * unreachable (`system_error`), a per-image error, or no successful notation report for the image. Exempt images
 * (the deploy stage's allowed sidecars) are not sent to Ratify at all.
 */
export const SIGNED_IMAGES_REGO = `package ${CONSTRAINT_KIND.toLowerCase()}

images := array.concat(array.concat(
  [image | image := input.review.object.spec.containers[_].image],
  [image | image := input.review.object.spec.initContainers[_].image]),
  [image | image := input.review.object.spec.ephemeralContainers[_].image])

# An exempt image matches with or without a tag before its digest (repository:tag@sha256:… in a manifest).
exempt(image) {
  image == input.parameters.exemptImages[_]
}

exempt(image) {
  parts := split(image, "@")
  count(parts) == 2
  concat("@", [regex.replace(parts[0], ":[^:/]+$", ""), parts[1]]) == input.parameters.exemptImages[_]
}

checked := [image | image := images[_]; not exempt(image)]

# One call per pod; Gatekeeper caches the answers for externaldataProviderResponseCacheTTL.
ratify := external_data({"provider": "${RATIFY_PROVIDER}", "keys": checked})

# A signature is verified for a digest; a tag could point at another image by the time the kubelet pulls it.
violation[{"msg": msg}] {
  image := checked[_]
  not contains(image, "@sha256:")
  msg := sprintf("image %v is not pinned by digest: only a digest can be checked against its signature", [image])
}

# Fail closed: when Ratify cannot answer, nothing is admitted.
violation[{"msg": msg}] {
  count(checked) > 0
  ratify.system_error != ""
  msg := sprintf("the signature check is unavailable (%v): pods are refused until it answers", [ratify.system_error])
}

violation[{"msg": msg}] {
  count(checked) > 0
  failure := ratify.errors[_]
  msg := sprintf("the signature check of image %v failed: %v", [failure[0], failure[1]])
}

violation[{"msg": msg}] {
  count(checked) > 0
  image := checked[_]
  not signed(image)
  msg := sprintf("image %v has no signature that verifies against the factory's signing profile", [image])
}

signed(image) {
  response := ratify.responses[_]
  response[0] == image
  report := response[1].verifierReports[_]
  report.type == "notation"
  report.isSuccess == true
}
`;

/**
 * Ratify (dynamic plugins) downloads the AWS Signer plugin from its OCI artifact, by digest, into its plugin
 * directory; the notation verifier then runs it for the signatures AWS Signer made (they name it as their
 * verification plugin, for the revocation check).
 */
export function signerPluginVerifier(digest: string): { [key: string]: any } {
  return {
    apiVersion: 'config.ratify.deislabs.io/v1beta1',
    kind: 'Verifier',
    metadata: { name: 'verifier-aws-signer-plugin' },
    spec: {
      name: SIGNER_PLUGIN_VERIFIER,
      artifactTypes: 'application/vnd.oci.image.manifest.v1+json',
      source: { artifact: `${SIGNER_PLUGIN_REPOSITORY}@${digest}` },
    },
  };
}

export function constraintTemplate(): { [key: string]: any } {
  return {
    apiVersion: 'templates.gatekeeper.sh/v1',
    kind: 'ConstraintTemplate',
    metadata: { name: CONSTRAINT_KIND.toLowerCase() },
    spec: {
      crd: {
        spec: {
          names: { kind: CONSTRAINT_KIND },
          validation: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                exemptImages: {
                  description: 'Images admitted without a signature check, each pinned by digest',
                  type: 'array',
                  items: { type: 'string' },
                },
              },
            },
          },
        },
      },
      targets: [{ target: 'admission.k8s.gatekeeper.sh', rego: SIGNED_IMAGES_REGO }],
    },
  };
}

export function constraint(namespaces: string[], controllerNamespace: string, exemptImages: string[]): { [key: string]: any } {
  return {
    apiVersion: 'constraints.gatekeeper.sh/v1beta1',
    kind: CONSTRAINT_KIND,
    metadata: { name: CONSTRAINT_NAME },
    spec: {
      // The break-glass switch: `warn` admits and warns (README, "Signature verification at admission").
      enforcementAction: 'deny',
      match: {
        kinds: [{ apiGroups: [''], kinds: ['Pod'] }],
        namespaces,
        excludedNamespaces: [controllerNamespace],
      },
      parameters: { exemptImages },
    },
  };
}

/**
 * Gatekeeper's own webhook (chart) fails open and skips the factory's namespaces; this one calls the same
 * Gatekeeper endpoint for their pods only, with `failurePolicy: Fail`: when Gatekeeper is down, pods there are
 * refused and nothing else in the cluster is affected. `kubernetes.io/metadata.name` is set by Kubernetes and
 * cannot be changed by whoever can label a namespace.
 */
export function factoryWebhook(namespaces: string[], controllerNamespace: string): { [key: string]: any } {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: FACTORY_WEBHOOK },
    webhooks: [{
      name: `${FACTORY_WEBHOOK}.gatekeeper.sh`,
      admissionReviewVersions: ['v1'],
      clientConfig: { service: { name: 'gatekeeper-webhook-service', namespace: controllerNamespace, path: '/v1/admit' } },
      failurePolicy: 'Fail',
      matchPolicy: 'Exact',
      namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: namespaces }] },
      rules: [{
        apiGroups: [''],
        apiVersions: ['v1'],
        operations: ['CREATE', 'UPDATE'],
        resources: ['pods', 'pods/ephemeralcontainers'],
        scope: 'Namespaced',
      }],
      sideEffects: 'None',
      timeoutSeconds: 5,
    }],
  };
}
