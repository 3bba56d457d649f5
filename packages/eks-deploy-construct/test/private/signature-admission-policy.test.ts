import {
  CONSTRAINT_CRD, SIGNED_IMAGES_REGO, constraint, constraintTemplate, factoryWebhook, signerPluginVerifier,
} from '../../src/private/signature-admission-policy';

/**
 * The objects on their own. The Rego is not run here (no OPA in CI); these tests hold the shape Gatekeeper
 * and Ratify require and the deny rules the README documents. The add-on's test reads them back with kubectl.
 */
describe('signature admission policy objects', () => {
  test('the template is named after its kind in lower case and its Rego package, as Gatekeeper requires', () => {
    const template = constraintTemplate();
    expect(template.metadata.name).toBe('factorysignedimages');
    expect(template.spec.crd.spec.names.kind).toBe('FactorySignedImages');
    expect(SIGNED_IMAGES_REGO.split('\n')[0]).toBe('package factorysignedimages');
    expect(CONSTRAINT_CRD).toBe('factorysignedimages.constraints.gatekeeper.sh');
    expect(template.spec.targets).toEqual([{ target: 'admission.k8s.gatekeeper.sh', rego: SIGNED_IMAGES_REGO }]);
  });

  test('the template asks the provider the Ratify chart registers, once per pod, for every container kind', () => {
    expect(SIGNED_IMAGES_REGO).toContain('external_data({"provider": "ratify-provider", "keys": checked})');
    for (const field of ['containers', 'initContainers', 'ephemeralContainers']) {
      expect(SIGNED_IMAGES_REGO).toContain(`input.review.object.spec.${field}[_].image`);
    }
  });

  test.each([
    ['an image without digest', 'not contains(image, "@sha256:")'],
    ['Ratify unreachable', 'ratify.system_error != ""'],
    ['an error for one image', 'failure := ratify.errors[_]'],
    ['no successful notation report for the image', 'not signed(image)'],
  ])('the template denies %s', (_case, condition) => {
    const rules = SIGNED_IMAGES_REGO.split('\n\n').filter((block) => block.includes('violation[{"msg": msg}] {'));
    expect(rules.filter((rule) => rule.includes(condition))).toHaveLength(1);
  });

  test('an exempt image matches with or without a tag before its digest, and is not sent to Ratify', () => {
    expect(SIGNED_IMAGES_REGO).toContain('image == input.parameters.exemptImages[_]');
    expect(SIGNED_IMAGES_REGO).toContain('concat("@", [regex.replace(parts[0], ":[^:/]+$", ""), parts[1]]) == input.parameters.exemptImages[_]');
    expect(SIGNED_IMAGES_REGO).toContain('checked := [image | image := images[_]; not exempt(image)]');
  });

  test.each([
    ['registry.example:5000/envoy:v1.31', 'registry.example:5000/envoy'],
    ['registry.example:5000/envoy', 'registry.example:5000/envoy'],
    ['public.ecr.aws/envoy/envoy:v1.31', 'public.ecr.aws/envoy/envoy'],
    ['envoy', 'envoy'],
  ])('the tag pattern of the exemption strips the tag of %s, never a registry port', (repository, expected) => {
    // The pattern is the Rego's own (RE2 and JavaScript read this one alike).
    const pattern = /regex\.replace\(parts\[0\], "([^"]+)", ""\)/.exec(SIGNED_IMAGES_REGO)![1];
    expect(repository.replace(new RegExp(pattern), '')).toBe(expected);
  });

  test('only a successful report of the notation verifier counts as signed', () => {
    const signed = SIGNED_IMAGES_REGO.slice(SIGNED_IMAGES_REGO.indexOf('signed(image) {'));
    expect(signed).toContain('report.type == "notation"');
    expect(signed).toContain('report.isSuccess == true');
  });

  test('the constraint checks pods of the given namespaces, never the controller\'s, and denies', () => {
    expect(constraint(['web'], 'policy-system', [])).toEqual({
      apiVersion: 'constraints.gatekeeper.sh/v1beta1',
      kind: 'FactorySignedImages',
      metadata: { name: 'factory-signed-images' },
      spec: {
        enforcementAction: 'deny',
        match: { kinds: [{ apiGroups: [''], kinds: ['Pod'] }], namespaces: ['web'], excludedNamespaces: ['policy-system'] },
        parameters: { exemptImages: [] },
      },
    });
  });

  test('the webhook sends only the pods of the given namespaces to Gatekeeper, and refuses them when it cannot', () => {
    const [webhook] = factoryWebhook(['web', 'api'], 'policy-system').webhooks;
    expect(webhook.failurePolicy).toBe('Fail');
    expect(webhook.namespaceSelector).toEqual({ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['web', 'api'] }] });
    expect(webhook.rules).toEqual([{
      apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods', 'pods/ephemeralcontainers'], scope: 'Namespaced',
    }]);
    expect(webhook.clientConfig).toEqual({ service: { name: 'gatekeeper-webhook-service', namespace: 'policy-system', path: '/v1/admit' } });
    expect(webhook.clientConfig.caBundle).toBeUndefined();
  });

  test('Ratify downloads the AWS Signer plugin by digest, under the name its notation verifier looks for', () => {
    const digest = `sha256:${'4'.repeat(64)}`;
    expect(signerPluginVerifier(digest).spec).toEqual({
      name: 'notation-com.amazonaws.signer.notation.plugin',
      artifactTypes: 'application/vnd.oci.image.manifest.v1+json',
      source: { artifact: `public.ecr.aws/aws-signer/notation-plugin@${digest}` },
    });
  });
});
