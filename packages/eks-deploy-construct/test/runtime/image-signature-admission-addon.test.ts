import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { nagViolations, removeAcknowledgements } from '@devsecops-factory/test-kit';
import { Stack, aws_ecr as ecr, aws_eks as eks, aws_iam as iam } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as YAML from 'yaml';
import {
  DeployImage, DeployManifests, EksDeployStage, ImageSignatureAdmissionAddon, ImageSignatureAdmissionAddonProps, SignerPluginArchitecture,
} from '../../src';
import { DIGEST, REPOSITORY, identityStatements, sharedKey, sourceArtifact, testStack, wildcardActions } from '../support/stacks';

const PROFILE_ARN = 'arn:aws:signer:eu-west-1:111111111111:/signing-profiles/factory';
const OIDC_ARN = 'arn:aws:iam::111111111111:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const IMAGES = {
  gatekeeper: `sha256:${'1'.repeat(64)}`,
  gatekeeperCrds: `sha256:${'2'.repeat(64)}`,
  ratify: `sha256:${'3'.repeat(64)}`,
  signerPlugin: `sha256:${'4'.repeat(64)}`,
};
const SIDECAR = `public.ecr.aws/envoy/envoy@sha256:${'b'.repeat(64)}`;

/** A self-signed CA certificate (P-384, as AWS Signer's root), or with `ca: false` a leaf. */
function certificate(ca: boolean): string {
  return execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes', '-keyout', '/dev/null',
    '-subj', '/CN=Test Signer Root', '-days', '1', '-addext', `basicConstraints=critical,CA:${ca ? 'TRUE' : 'FALSE'}`,
  ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}
const ROOT = certificate(true);

function importedCluster(stack: Stack, withKubectlProvider: boolean, withOidc = true): eks.ICluster {
  return eks.Cluster.fromClusterAttributes(stack, 'Cluster', {
    clusterName: 'apps',
    openIdConnectProvider: withOidc ? iam.OpenIdConnectProvider.fromOpenIdConnectProviderArn(stack, 'Oidc', OIDC_ARN) : undefined,
    kubectlProvider: withKubectlProvider ? eks.KubectlProvider.fromKubectlProviderAttributes(stack, 'KubectlProvider', {
      functionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:kubectl-provider',
      kubectlRoleArn: 'arn:aws:iam::111111111111:role/kubectl',
      handlerRole: iam.Role.fromRoleArn(stack, 'HandlerRole', 'arn:aws:iam::111111111111:role/kubectl-handler'),
    }) : undefined,
  });
}

function admission(withKubectlProvider: boolean, overrides: Partial<ImageSignatureAdmissionAddonProps> = {}, withOidc = true) {
  const stack = testStack();
  const addon = new ImageSignatureAdmissionAddon(stack, 'Admission', {
    cluster: importedCluster(stack, withKubectlProvider, withOidc),
    signingProfileArn: PROFILE_ARN,
    repositories: [ecr.Repository.fromRepositoryName(stack, 'Repository', 'sample-app')],
    namespaces: ['web', 'api'],
    signerRootCertificate: ROOT,
    images: IMAGES,
    exemptImages: [SIDECAR],
    ...overrides,
  });
  return { stack, addon, template: Template.fromStack(stack) };
}

describe('ImageSignatureAdmissionAddon', () => {
  describe('on a cluster imported without a kubectl provider', () => {
    const { stack, addon, template } = admission(false);
    const values = { gatekeeper: stack.resolve(addon.gatekeeperValues), ratify: stack.resolve(addon.ratifyValues) };

    test('lets Ratify read the factory repositories, log in to ECR and check revocation, and nothing else', () => {
      const statements = identityStatements(template.toJSON());
      expect(statements).toEqual([
        expect.objectContaining({
          Sid: 'ReadFactoryImagesAndSignatures',
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:eu-west-1:111111111111:repository/sample-app']] },
        }),
        expect.objectContaining({
          Sid: 'RegistryLoginAndRevocationCheck',
          Action: ['ecr:GetAuthorizationToken', 'signer:GetRevocationStatus'],
          Resource: '*',
        }),
      ]);
      expect(wildcardActions(statements)).toEqual([]);
    });

    test('trusts only Ratify\'s service account, through the cluster\'s OIDC provider', () => {
      const trust = (Object.values(template.findResources('AWS::IAM::Role'))[0] as any).Properties.AssumeRolePolicyDocument.Statement;
      expect(trust).toEqual([{
        Effect: 'Allow',
        Principal: { Federated: OIDC_ARN },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { [`${ISSUER}:aud`]: 'sts.amazonaws.com', [`${ISSUER}:sub`]: 'system:serviceaccount:gatekeeper-system:ratify-admin' },
        },
      }]);
      expect(values.ratify.serviceAccount).toEqual({
        create: true,
        name: 'ratify-admin',
        annotations: { 'eks.amazonaws.com/role-arn': { 'Fn::GetAtt': [expect.stringMatching(/^AdmissionRatifyRole/), 'Arn'] } },
      });
    });

    test('pins every image it installs by digest', () => {
      expect(values.gatekeeper.image).toEqual({ repository: 'openpolicyagent/gatekeeper', release: `v3.23.0@${IMAGES.gatekeeper}` });
      expect(values.gatekeeper.preInstall.crdRepository.image.tag).toBe(`v3.23.0@${IMAGES.gatekeeperCrds}`);
      expect(values.gatekeeper.postInstall.labelNamespace.image.tag).toBe(`v3.23.0@${IMAGES.gatekeeperCrds}`);
      expect(values.gatekeeper.postInstall.probeWebhook).toEqual({ enabled: false });
      expect(values.ratify.image).toEqual({ repository: 'ghcr.io/ratify-project/ratify', tag: `v1.4.0@${IMAGES.ratify}` });
      expect(values.ratify.upgradeCRDs).toEqual({ enabled: false });
      expect(addon.policyManifests[0].spec.source).toEqual({ artifact: `public.ecr.aws/aws-signer/notation-plugin@${IMAGES.signerPlugin}` });
    });

    test('fails closed for the pods of the factory namespaces, and only there', () => {
      const [constraint, webhook] = addon.enforcementManifests;
      expect(constraint.spec).toEqual({
        enforcementAction: 'deny',
        match: { kinds: [{ apiGroups: [''], kinds: ['Pod'] }], namespaces: ['web', 'api'], excludedNamespaces: ['gatekeeper-system'] },
        parameters: { exemptImages: [SIDECAR] },
      });
      expect(webhook.metadata.name).toBe('factory-signed-images');
      expect(webhook.webhooks).toEqual([expect.objectContaining({
        failurePolicy: 'Fail',
        namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['web', 'api'] }] },
        clientConfig: { service: { name: 'gatekeeper-webhook-service', namespace: 'gatekeeper-system', path: '/v1/admit' } },
      })]);
      // Gatekeeper's own webhook stays fail-open, skips those namespaces, and keeps the add-on's webhook's CA current.
      expect(values.gatekeeper.validatingWebhookFailurePolicy).toBeUndefined();
      expect(values.gatekeeper.validatingWebhookExemptNamespacesLabels).toEqual({ 'kubernetes.io/metadata.name': ['web', 'api'] });
      expect(values.gatekeeper.additionalValidatingWebhookConfigsToRotateCerts).toEqual(['factory-signed-images']);
    });

    test('accepts only signatures of the factory profile on images of the factory repositories, under AWS Signer\'s root', () => {
      expect(values.ratify.notation.trustPolicies).toEqual([{
        name: 'factory-signing-profile',
        registryScopes: [{ 'Fn::Join': ['', ['111111111111.dkr.ecr.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/sample-app']] }],
        level: 'strict',
        trustStores: ['signingAuthority:notationCerts[0]'],
        trustedIdentities: [PROFILE_ARN],
      }]);
      expect(values.ratify.notationCerts).toEqual([ROOT.trim()]);
      expect(values.ratify.cosign).toEqual({ enabled: false });
      expect(values.ratify.oras.authProviders).toEqual({ awsEcrBasicEnabled: true });
    });

    test('schedules Ratify on nodes of the plugin\'s architecture', () => {
      expect(values.ratify.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms)
        .toEqual([{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }] }]);
    });

    test('installs nothing from CloudFormation and outputs the pinned install command instead', () => {
      template.resourceCountIs('Custom::AWSCDK-EKS-HelmChart', 0);
      template.resourceCountIs('AWS::Lambda::Function', 0);
      const output = JSON.stringify(Object.values(template.findOutputs('*'))[0].Value);
      expect(output).toContain('helm upgrade --install gatekeeper gatekeeper --repo https://open-policy-agent.github.io/gatekeeper/charts --version 3.23.0');
      expect(output).toContain('helm upgrade --install ratify ratify --repo https://notaryproject.github.io/ratify --version 1.15.0');
    });

    test('writes an install command that installs in order and writes files helm and kubectl can read', () => {
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'signature-admission-'));
      try {
        const bin = path.join(work, 'bin');
        fs.mkdirSync(bin);
        const calls = path.join(work, 'calls');
        // helm and the cluster calls are stubs; the manifests are read back by the real kubectl below.
        fs.writeFileSync(path.join(bin, 'helm'), `#!/bin/bash\necho "helm $*" >> "${calls}"\n`, { mode: 0o755 });
        fs.writeFileSync(path.join(bin, 'kubectl'), `#!/bin/bash\necho "kubectl $*" >> "${calls}"\n`, { mode: 0o755 });
        const script = addon.installCommand.replace(/\$\{Token\[[^\]]+\]\}/g, 'resolved-at-deploy');
        const result = spawnSync('bash', ['--noprofile', '--norc', '-euo', 'pipefail', '-c', script], {
          cwd: work, encoding: 'utf8', env: { PATH: `${bin}:${process.env.PATH}` },
        });
        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
        expect(fs.readFileSync(calls, 'utf8').trim().split('\n').map((call) => call.split(' ').slice(0, 4).join(' '))).toEqual([
          'helm upgrade --install gatekeeper',
          'helm upgrade --install ratify',
          'kubectl apply -f signature-policy.yaml',
          'kubectl get crd factorysignedimages.constraints.gatekeeper.sh',
          'kubectl wait --for condition=established',
          'kubectl apply -f signature-enforcement.yaml',
        ]);
        expect(YAML.parse(fs.readFileSync(path.join(work, 'gatekeeper-values.yaml'), 'utf8'))).toEqual(addon.gatekeeperValues);
        expect(YAML.parse(fs.readFileSync(path.join(work, 'ratify-values.yaml'), 'utf8')).notationCerts).toEqual([ROOT.trim()]);
        fs.writeFileSync(path.join(work, 'kustomization.yaml'), 'resources:\n- signature-policy.yaml\n- signature-enforcement.yaml\n');
        const rendered = YAML.parseAllDocuments(execFileSync('kubectl', ['kustomize', work], { encoding: 'utf8' })).map((document) =>
          document.toJS(),
        );
        expect(rendered.map((object) => `${object.kind}/${object.metadata.name}`).sort())
          .toEqual([
            'ConstraintTemplate/factorysignedimages',
            'FactorySignedImages/factory-signed-images',
            'ValidatingWebhookConfiguration/factory-signed-images',
            'Verifier/verifier-aws-signer-plugin',
          ]);
        expect(rendered.find((object) => object.kind === 'ConstraintTemplate').spec.targets[0].rego).toBe(
          addon.policyManifests[1].spec.targets[0].rego,
        );
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    });

    test('is clean under AwsSolutions and NIST 800-53 rev5, with one acknowledgement, which is needed', () => {
      expect(nagViolations(stack)).toEqual([]);
      expect(removeAcknowledgements(stack, (ack) => ack.id === 'AwsSolutions-IAM5[Resource::*]').length).toBe(1);
      expect(nagViolations(stack).map((violation) => violation.rule)).toEqual(['AwsSolutions-IAM5[Resource::*]']);
    });
  });

  describe('on a cluster imported with its kubectl provider', () => {
    const { stack, template } = admission(true, { signerPluginArchitecture: SignerPluginArchitecture.ARM64, gatekeeperVersion: '3.23.1' });
    const resources = template.toJSON().Resources as Record<string, any>;
    const logicalId = (pattern: RegExp) => Object.keys(resources).find((id) => pattern.test(id))!;

    test('installs both pinned charts through that provider, Gatekeeper first, creating no Lambda function', () => {
      const charts = Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart')).map((chart: any) => chart.Properties);
      expect(charts.map((chart) => [chart.Chart, chart.Repository, chart.Version, chart.Namespace, chart.Wait])).toEqual([
        ['gatekeeper', 'https://open-policy-agent.github.io/gatekeeper/charts', '3.23.1', 'gatekeeper-system', true],
        ['ratify', 'https://notaryproject.github.io/ratify', '1.15.0', 'gatekeeper-system', true],
      ]);
      expect(charts.every((chart) => chart.ServiceToken === 'arn:aws:lambda:eu-west-1:111111111111:function:kubectl-provider')).toBe(true);
      expect(resources[logicalId(/^AdmissionRatify[0-9A-F]{8}$/)].DependsOn).toContain(logicalId(/^AdmissionGatekeeper[0-9A-F]{8}$/));
      template.resourceCountIs('AWS::Lambda::Function', 0);
      expect(template.findOutputs('*')).toEqual({});
    });

    test('applies the constraint and the fail-closed webhook only after Gatekeeper has created the CRD from the template', () => {
      const policy = logicalId(/^AdmissionPolicy/);
      const crd = logicalId(/^AdmissionConstraintCrd/);
      expect(resources[policy].DependsOn).toContain(logicalId(/^AdmissionRatify[0-9A-F]{8}$/));
      expect(resources[crd].Properties).toEqual(
        expect.objectContaining({ ObjectType: 'crd', ObjectName: 'factorysignedimages.constraints.gatekeeper.sh' }),
      );
      expect(resources[crd].DependsOn).toContain(policy);
      expect(resources[logicalId(/^AdmissionEnforcement/)].DependsOn).toContain(crd);
    });

    test('passes the chosen architecture and version to the values', () => {
      const values = JSON.stringify(
        Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart')).map((chart: any) => chart.Properties.Values),
      );
      expect(values).toContain('\\"values\\":[\\"arm64\\"]');
      expect(values).toContain(`v3.23.1@${IMAGES.gatekeeper}`);
    });

    test('is clean under both packs', () => {
      expect(nagViolations(stack)).toEqual([]);
    });
  });

  test('checks the namespaces of the given deploy stages and exempts their allowed images', () => {
    const stack = testStack();
    const key = sharedKey(stack);
    const stage = (id: string, namespace: string, allowedImages: string[]) => new EksDeployStage(stack, id, {
      environment: id.toLowerCase(),
      input: sourceArtifact(),
      image: DeployImage.fromDigest(REPOSITORY, DIGEST),
      manifests: DeployManifests.fromSourceDirectory('k8s', 'sample-app'),
      clusterName: 'apps',
      namespace,
      encryptionKey: key,
      allowedImages,
    });
    const addon = new ImageSignatureAdmissionAddon(stack, 'Admission', {
      cluster: importedCluster(stack, false),
      deployStages: [stage('Staging', 'web-staging', [SIDECAR]), stage('Production', 'web', [SIDECAR])],
      namespaces: ['batch'],
      signingProfileArn: PROFILE_ARN,
      repositories: [ecr.Repository.fromRepositoryName(stack, 'Repository', 'sample-app')],
      signerRootCertificate: ROOT,
      images: IMAGES,
    });
    const [constraint, webhook] = addon.enforcementManifests;
    expect(constraint.spec.match.namespaces).toEqual(['web-staging', 'web', 'batch']);
    expect(constraint.spec.parameters.exemptImages).toEqual([SIDECAR]);
    expect(webhook.webhooks[0].namespaceSelector.matchExpressions[0].values).toEqual(['web-staging', 'web', 'batch']);
  });

  test.each<[string, Partial<ImageSignatureAdmissionAddonProps>, RegExp]>([
    ['no namespaces', { namespaces: [] }, /no namespace to check: give deployStages or namespaces/],
    ['its own namespace among the checked ones', { namespaces: ['web', 'gatekeeper-system'] }, /may not include 'gatekeeper-system'/],
    ['kube-system among the checked ones', { namespaces: ['kube-system'] }, /may not include 'kube-system'/],
    ['a namespace that is not a DNS label', { namespaces: ['Web App'] }, /DNS-1123/],
    ['no repositories', { repositories: [] }, /repositories must list/],
    ['a chart version range', { gatekeeperVersion: '^3.23.0' }, /exact/],
    ['an image tag instead of a digest', { images: { ...IMAGES, ratify: 'v1.4.0' } }, /images\.ratify must be a digest/],
    ['an exempt image without digest', { exemptImages: ['envoyproxy/envoy:v1.31'] }, /exemptImages must be pinned by digest/],
    ['a signing profile version ARN', { signingProfileArn: `${PROFILE_ARN}/2oCN6RHYVI` }, /signing profile ARN/],
    ['a text that is not a certificate', { signerRootCertificate: 'aws-signer-notation-root.cert' }, /not a PEM certificate/],
    ['a certificate that is not a CA', { signerRootCertificate: certificate(false) }, /self-signed CA certificate/],
  ])('rejects %s', (_name, overrides, message) => {
    expect(() => admission(false, overrides)).toThrow(message);
  });

  test('rejects a cluster imported without its OIDC provider, naming the fix', () => {
    expect(() => admission(false, {}, false)).toThrow(/no OIDC provider for Ratify's IRSA role: import it with openIdConnectProvider/);
  });
});
