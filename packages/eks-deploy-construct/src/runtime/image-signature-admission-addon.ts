import { X509Certificate } from 'crypto';
import {
  CfnOutput, Duration, Stack, Token, Validations,
  aws_ecr as ecr,
  aws_eks as eks,
  aws_iam as iam,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { SignerPluginArchitecture } from './signer-plugin-architecture';
import { EksDeployStage } from '../deploy/eks-deploy-stage';
import {
  CONSTRAINT_CRD, FACTORY_WEBHOOK, constraint, constraintTemplate, factoryWebhook, signerPluginVerifier,
} from '../private/signature-admission-policy';

const GATEKEEPER_CHARTS = 'https://open-policy-agent.github.io/gatekeeper/charts';
/** The Ratify project moved from ratify-project to notaryproject in May 2025; its charts moved with it. */
const RATIFY_CHARTS = 'https://notaryproject.github.io/ratify';
/** Ratify reads its ECR credentials from IRSA's variables (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE) only. */
const RATIFY_SERVICE_ACCOUNT = 'ratify-admin';
const VERSION = /^\d+\.\d+\.\d+$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SIGNING_PROFILE_ARN = /^arn:[a-z-]+:signer:[a-z0-9-]+:\d{12}:\/signing-profiles\/[A-Za-z0-9_]{2,64}$/;
const PINNED_IMAGE = /^[^\s@]+@sha256:[0-9a-f]{64}$/;

/**
 * Digests of the images the add-on runs. None has a default: the add-on pins every image it installs by
 * digest, and the digests are taken from the registries when the versions are chosen (the README says how).
 */
export interface ImageSignatureAdmissionImages {
  /** `sha256:…` of `openpolicyagent/gatekeeper` at `v<gatekeeperVersion>` (controller and audit). */
  readonly gatekeeper: string;
  /** `sha256:…` of `openpolicyagent/gatekeeper-crds` at `v<gatekeeperVersion>` (CRD upgrade and namespace-label hooks). */
  readonly gatekeeperCrds: string;
  /** `sha256:…` of `ghcr.io/ratify-project/ratify` at `v<ratifyVersion>`. */
  readonly ratify: string;
  /**
   * `sha256:…` of the AWS Signer Notation plugin artifact `public.ecr.aws/aws-signer/notation-plugin` for
   * `signerPluginArchitecture` (AWS publishes it under the tags `linux-amd64-latest` and `linux-arm64-latest`).
   */
  readonly signerPlugin: string;
}

/**
 * Properties of an `ImageSignatureAdmissionAddon`.
 */
export interface ImageSignatureAdmissionAddonProps {
  /**
   * The existing cluster. The charts and policy objects are installed by CloudFormation only when the cluster
   * was imported with a `kubectlProvider`; otherwise `installCommand` installs them.
   */
  readonly cluster: eks.ICluster;

  /**
   * The cluster's IAM OIDC provider, for Ratify's IRSA role.
   *
   * @default - the cluster's `openIdConnectProvider` (an imported cluster must have been given one)
   */
  readonly openIdConnectProvider?: iam.IOpenIdConnectProvider;

  /**
   * ARN of the AWS Signer signing profile whose signatures are accepted (`EcrScanStage.signingProfileArn`, the
   * profile `EksDeployStage` `imageVerification` checks before the deploy).
   */
  readonly signingProfileArn: string;

  /**
   * The factory's ECR repositories. Only images of these repositories can carry an accepted signature (they are
   * the trust policy's registry scopes), and Ratify may read only them.
   */
  readonly repositories: ecr.IRepository[];

  /**
   * The deploy stages that target this cluster: their namespaces are checked and their `allowedImages` are
   * exempt.
   *
   * @default - none: give `namespaces`
   */
  readonly deployStages?: EksDeployStage[];

  /**
   * Further namespaces the factory deploys to, besides those of `deployStages`. Pods there must be signed; no
   * other namespace is affected, even when the controller is down.
   *
   * @default - the namespaces of `deployStages`
   */
  readonly namespaces?: string[];

  /**
   * PEM of AWS Signer's Notation root certificate for the profile's partition (commercial:
   * https://d2hvyiie56hcat.cloudfront.net/aws-signer-notation-root.cert, whose sha256 the deploy buildspec pins).
   */
  readonly signerRootCertificate: string;

  /** Digests of every image the add-on installs. */
  readonly images: ImageSignatureAdmissionImages;

  /**
   * Further images admitted without a signature, each pinned by digest (`<repository>@sha256:…`; a tag between
   * repository and digest in a pod is ignored), besides the `allowedImages` of `deployStages`: images the factory
   * does not build but lets run in its pods.
   *
   * @default - the `allowedImages` of `deployStages`
   */
  readonly exemptImages?: string[];

  /**
   * Namespace of Gatekeeper and Ratify. It is never checked itself.
   *
   * @default 'gatekeeper-system'
   */
  readonly namespace?: string;

  /**
   * Version of the gatekeeper/gatekeeper Helm chart, which is also Gatekeeper's version.
   *
   * @default '3.23.0'
   */
  readonly gatekeeperVersion?: string;

  /**
   * Version of the ratify/ratify Helm chart.
   *
   * @default '1.15.0'
   */
  readonly ratifyChartVersion?: string;

  /**
   * Ratify's version (the chart's appVersion, the tag of `images.ratify`).
   *
   * @default '1.4.0'
   */
  readonly ratifyVersion?: string;

  /**
   * Architecture of the nodes Ratify runs on, which `images.signerPlugin` must match.
   *
   * @default SignerPluginArchitecture.AMD64
   */
  readonly signerPluginArchitecture?: SignerPluginArchitecture;
}

/**
 * Signature verification at admission for an existing EKS cluster: Gatekeeper (called by a validating webhook
 * for the pods of the factory's namespaces only, `failurePolicy: Fail`) asks Ratify, through external data, whether
 * every image of a pod carries a Notation signature that verifies against the factory's AWS Signer signing
 * profile, and refuses the pod otherwise.
 *
 * Ratify gets AWS credentials through IRSA: a role that may read the factory's repositories, log in to the
 * registry and ask AWS Signer for the revocation status of signatures.
 */
export class ImageSignatureAdmissionAddon extends Construct {
  /** The role Ratify runs with. */
  public readonly ratifyRole: iam.IRole;
  /** The Helm values of the Gatekeeper release. */
  public readonly gatekeeperValues: { [key: string]: any };
  /** The Helm values of the Ratify release. */
  public readonly ratifyValues: { [key: string]: any };
  /** The objects the charts do not install: the AWS Signer plugin for Ratify and the ConstraintTemplate. */
  public readonly policyManifests: Array<{ [key: string]: any }>;
  /**
   * Applied once Gatekeeper has created the constraint's CRD from the template: the Constraint, and the
   * webhook configuration that sends the pods of the factory's namespaces to Gatekeeper and fails closed.
   */
  public readonly enforcementManifests: Array<{ [key: string]: any }>;
  /** Shell commands that write the values and manifests and install everything with `helm` 3 and `kubectl`. */
  public readonly installCommand: string;
  /**
   * The Gatekeeper release, when the cluster has a kubectl provider.
   *
   * @default - none: run `installCommand`
   */
  public readonly gatekeeperChart?: eks.HelmChart;
  /**
   * The Ratify release, when the cluster has a kubectl provider.
   *
   * @default - none: run `installCommand`
   */
  public readonly ratifyChart?: eks.HelmChart;

  constructor(scope: Construct, id: string, props: ImageSignatureAdmissionAddonProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const namespace = props.namespace ?? 'gatekeeper-system';
    const gatekeeperVersion = props.gatekeeperVersion ?? '3.23.0';
    const ratifyChartVersion = props.ratifyChartVersion ?? '1.15.0';
    const ratifyVersion = props.ratifyVersion ?? '1.4.0';
    const architecture = props.signerPluginArchitecture ?? SignerPluginArchitecture.AMD64;
    const stages = props.deployStages ?? [];
    const namespaces = unique([...stages.map((stage) => stage.namespace), ...(props.namespaces ?? [])]);
    const exemptImages = unique([...stages.flatMap((stage) => stage.allowedImages), ...(props.exemptImages ?? [])]);
    validateProps(props, namespace, [gatekeeperVersion, ratifyChartVersion, ratifyVersion], namespaces, exemptImages);

    this.ratifyRole = this.createRatifyRole(props, namespace);

    this.gatekeeperValues = {
      image: { repository: 'openpolicyagent/gatekeeper', release: `v${gatekeeperVersion}@${props.images.gatekeeper}` },
      preInstall: {
        crdRepository: { image: { repository: 'openpolicyagent/gatekeeper-crds', tag: `v${gatekeeperVersion}@${props.images.gatekeeperCrds}` } },
      },
      postInstall: {
        labelNamespace: { image: { repository: 'openpolicyagent/gatekeeper-crds', tag: `v${gatekeeperVersion}@${props.images.gatekeeperCrds}` } },
        // The probe job runs a curl image that would need its own digest; helm --wait already waits for the webhook.
        probeWebhook: { enabled: false },
      },
      // The chart's webhook keeps Gatekeeper's default (fail open) and leaves the factory namespaces to the
      // add-on's own fail-closed webhook (enforcementManifests), whose CA Gatekeeper keeps current. (The chart's
      // matchConditions are no way to scope it: they render only when int(KubeVersion.Minor) >= 28, and EKS
      // reports minors like "30+".)
      validatingWebhookExemptNamespacesLabels: { 'kubernetes.io/metadata.name': namespaces },
      additionalValidatingWebhookConfigsToRotateCerts: [FACTORY_WEBHOOK],
      validatingWebhookTimeoutSeconds: 5,
      enableExternalData: true,
      externaldataProviderResponseCacheTTL: '10s',
      // Nothing here mutates: the factory deploys digests, and the constraint refuses tags.
      disableMutation: true,
    };

    this.ratifyValues = {
      image: { repository: 'ghcr.io/ratify-project/ratify', tag: `v${ratifyVersion}@${props.images.ratify}` },
      // The CRD upgrade hook takes its tag from image.tag, which carries Ratify's digest: it would pull the CRD
      // image by the wrong digest. The chart's crds/ are installed with the release; upgrade them by hand.
      upgradeCRDs: { enabled: false },
      gatekeeper: { version: gatekeeperVersion },
      serviceAccount: {
        create: true,
        name: RATIFY_SERVICE_ACCOUNT,
        annotations: { 'eks.amazonaws.com/role-arn': this.ratifyRole.roleArn },
      },
      env: [{ name: 'AWS_REGION', value: stack.region }],
      oras: { authProviders: { awsEcrBasicEnabled: true } },
      notationCerts: [props.signerRootCertificate.trim()],
      notation: {
        enabled: true,
        trustPolicies: [{
          name: 'factory-signing-profile',
          registryScopes: props.repositories.map((repository) => repository.repositoryUri),
          level: 'strict',
          trustStores: ['signingAuthority:notationCerts[0]'],
          trustedIdentities: [props.signingProfileArn],
        }],
      },
      cosign: { enabled: false },
      provider: { enableMutation: false, timeout: { validationTimeoutSeconds: 5 } },
      featureFlags: { RATIFY_CERT_ROTATION: true, RATIFY_EXPERIMENTAL_DYNAMIC_PLUGINS: true },
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: [architecture] }] }],
          },
        },
      },
    };

    this.policyManifests = [signerPluginVerifier(props.images.signerPlugin), constraintTemplate()];
    this.enforcementManifests = [constraint(namespaces, namespace, exemptImages), factoryWebhook(namespaces, namespace)];
    this.installCommand = installCommand({
      namespace,
      gatekeeperVersion,
      ratifyChartVersion,
      gatekeeperValues: this.gatekeeperValues,
      ratifyValues: this.ratifyValues,
      policyManifests: this.policyManifests,
      enforcementManifests: this.enforcementManifests,
    });

    if (props.cluster.kubectlProvider !== undefined) {
      const gatekeeper = new eks.HelmChart(this, 'Gatekeeper', {
        cluster: props.cluster,
        chart: 'gatekeeper',
        repository: GATEKEEPER_CHARTS,
        version: gatekeeperVersion,
        release: 'gatekeeper',
        namespace,
        createNamespace: true,
        wait: true,
        timeout: Duration.minutes(10),
        values: this.gatekeeperValues,
      });
      // Ratify registers its Provider (a Gatekeeper CRD) and reads Gatekeeper's webhook certificate.
      const ratify = new eks.HelmChart(this, 'Ratify', {
        cluster: props.cluster,
        chart: 'ratify',
        repository: RATIFY_CHARTS,
        version: ratifyChartVersion,
        release: 'ratify',
        namespace,
        createNamespace: false,
        wait: true,
        timeout: Duration.minutes(10),
        values: this.ratifyValues,
      });
      ratify.node.addDependency(gatekeeper);
      const policy = new eks.KubernetesManifest(this, 'Policy', { cluster: props.cluster, manifest: this.policyManifests, overwrite: true });
      policy.node.addDependency(ratify);
      // Gatekeeper creates the constraint's CRD from the template asynchronously: wait until it exists.
      const crd = new eks.KubernetesObjectValue(this, 'ConstraintCrd', {
        cluster: props.cluster,
        objectType: 'crd',
        objectName: CONSTRAINT_CRD,
        jsonPath: '.metadata.name',
        timeout: Duration.minutes(5),
      });
      crd.node.addDependency(policy);
      const enforcement = new eks.KubernetesManifest(this, 'Enforcement', {
        cluster: props.cluster,
        manifest: this.enforcementManifests,
        overwrite: true,
      });
      enforcement.node.addDependency(crd);
      this.gatekeeperChart = gatekeeper;
      this.ratifyChart = ratify;
    } else {
      new CfnOutput(this, 'InstallCommand', {
        description: 'Installs Gatekeeper, Ratify and the signature policy (no kubectl provider was given to install them from CloudFormation)',
        value: this.installCommand,
      });
    }
  }

  /**
   * IRSA role of Ratify's service account. Reading images, signatures and referrers is limited to the
   * factory's repositories; registry login and the revocation check have no resource-level permissions.
   */
  private createRatifyRole(props: ImageSignatureAdmissionAddonProps, namespace: string): iam.IRole {
    const provider = props.openIdConnectProvider ?? clusterOpenIdConnectProvider(props.cluster);
    const issuer = provider.openIdConnectProviderIssuer;
    // Condition keys cannot hold CloudFormation functions; aws-cdk-lib's way around it (CfnJson) deploys a
    // Lambda function. The add-on protects an existing cluster, whose provider ARN is known: require it literal.
    if (Token.isUnresolved(issuer)) {
      throw new Error('ImageSignatureAdmissionAddon: the OIDC provider\'s ARN must be known at synth (for the trust policy\'s condition keys): '
        + 'give openIdConnectProvider: iam.OpenIdConnectProvider.fromOpenIdConnectProviderArn(this, id, '
        + '\'arn:<partition>:iam::<account>:oidc-provider/<issuer>\')');
    }
    const conditions = {
      [`${issuer}:aud`]: 'sts.amazonaws.com',
      [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${RATIFY_SERVICE_ACCOUNT}`,
    };
    const role = new iam.Role(this, 'RatifyRole', {
      description: 'Ratify: verifies the factory images\' AWS Signer signatures at admission',
      maxSessionDuration: Duration.hours(1),
      assumedBy: new iam.OpenIdConnectPrincipal(provider).withConditions({ StringEquals: conditions }),
    });
    const policy = new iam.ManagedPolicy(this, 'RatifyPolicy', {
      description: 'Read the factory images and their signatures; check signature revocation',
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadFactoryImagesAndSignatures',
          actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
          resources: props.repositories.map((repository) => repository.repositoryArn),
        }),
        new iam.PolicyStatement({
          sid: 'RegistryLoginAndRevocationCheck',
          actions: ['ecr:GetAuthorizationToken', 'signer:GetRevocationStatus'],
          resources: ['*'],
        }),
      ],
    });
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken (registry login) and signer:GetRevocationStatus (run by the AWS Signer plugin for every signature) '
        + 'have no resource-level permissions; reading images is limited to the factory repositories.',
    });
    return role;
  }
}

function clusterOpenIdConnectProvider(cluster: eks.ICluster): iam.IOpenIdConnectProvider {
  try {
    return cluster.openIdConnectProvider;
  } catch {
    throw new Error(`ImageSignatureAdmissionAddon: cluster ${cluster.node.path} has no OIDC provider for Ratify's IRSA role: `
      + 'import it with openIdConnectProvider or give openIdConnectProvider');
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function validateProps(
  props: ImageSignatureAdmissionAddonProps, namespace: string, versions: string[], namespaces: string[], exemptImages: string[],
): void {
  for (const version of versions) {
    if (!VERSION.test(version)) {
      throw new Error(`ImageSignatureAdmissionAddon: versions must be exact, like 3.23.0; got '${version}'`);
    }
  }
  if (!DNS_LABEL.test(namespace)) {
    throw new Error(`ImageSignatureAdmissionAddon: namespace must be a DNS-1123 label; got '${namespace}'`);
  }
  if (namespaces.length === 0) {
    throw new Error('ImageSignatureAdmissionAddon: no namespace to check: give deployStages or namespaces (the namespaces the factory deploys to)');
  }
  for (const name of namespaces) {
    if (Token.isUnresolved(name) || !DNS_LABEL.test(name)) {
      throw new Error(`ImageSignatureAdmissionAddon: namespaces must be DNS-1123 labels known at synth; got '${name}'`);
    }
    if (name === namespace || name === 'kube-system') {
      throw new Error(`ImageSignatureAdmissionAddon: namespaces may not include '${name}': `
        + 'the controller\'s namespace and kube-system must admit pods while the check is down');
    }
  }
  if (props.repositories.length === 0) {
    throw new Error('ImageSignatureAdmissionAddon: repositories must list the factory\'s ECR repositories; got none');
  }
  if (!Token.isUnresolved(props.signingProfileArn) && !SIGNING_PROFILE_ARN.test(props.signingProfileArn)) {
    throw new Error('ImageSignatureAdmissionAddon: signingProfileArn must be an AWS Signer signing profile ARN '
      + `(arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>); got '${props.signingProfileArn}'`);
  }
  for (const [name, digest] of Object.entries(props.images)) {
    if (!DIGEST.test(digest)) {
      throw new Error(`ImageSignatureAdmissionAddon: images.${name} must be a digest sha256:<64 hex>; got '${digest}'`);
    }
  }
  for (const image of exemptImages) {
    if (!PINNED_IMAGE.test(image)) {
      throw new Error(`ImageSignatureAdmissionAddon: exemptImages must be pinned by digest (<image>@sha256:<64 hex>); got '${image}'`);
    }
  }
  validateRootCertificate(props.signerRootCertificate);
}

/** A self-signed CA certificate, as AWS Signer's root is; the PEM's sha256 is compared by hand (README). */
function validateRootCertificate(pem: string): void {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    throw new Error('ImageSignatureAdmissionAddon: signerRootCertificate is not a PEM certificate');
  }
  if (!certificate.ca || !certificate.checkIssued(certificate) || !certificate.verify(certificate.publicKey)) {
    throw new Error('ImageSignatureAdmissionAddon: signerRootCertificate must be a self-signed CA certificate (AWS Signer\'s Notation root); '
      + `got one issued to '${certificate.subject.replace(/\n/g, ', ')}' by '${certificate.issuer.replace(/\n/g, ', ')}'`);
  }
}

interface InstallCommandParts {
  readonly namespace: string;
  readonly gatekeeperVersion: string;
  readonly ratifyChartVersion: string;
  readonly gatekeeperValues: { [key: string]: any };
  readonly ratifyValues: { [key: string]: any };
  readonly policyManifests: Array<{ [key: string]: any }>;
  readonly enforcementManifests: Array<{ [key: string]: any }>;
}

function installCommand(parts: InstallCommandParts): string {
  // Literal block scalars, never folded: Go's YAML parser (kubectl, helm) reads the yaml library's folded form
  // of the Rego with extra blank lines.
  const yaml = (value: any) => YAML.stringify(value, { blockQuote: 'literal', lineWidth: 0 }).trimEnd();
  const documents = (objects: Array<{ [key: string]: any }>) => objects.map(yaml).join('\n---\n');
  return [
    "cat > gatekeeper-values.yaml <<'VALUES'",
    yaml(parts.gatekeeperValues),
    'VALUES',
    "cat > ratify-values.yaml <<'VALUES'",
    yaml(parts.ratifyValues),
    'VALUES',
    "cat > signature-policy.yaml <<'MANIFESTS'",
    documents(parts.policyManifests),
    'MANIFESTS',
    "cat > signature-enforcement.yaml <<'MANIFESTS'",
    documents(parts.enforcementManifests),
    'MANIFESTS',
    `helm upgrade --install gatekeeper gatekeeper --repo ${GATEKEEPER_CHARTS} --version ${parts.gatekeeperVersion} \\`,
    `  --namespace ${parts.namespace} --create-namespace --wait --values gatekeeper-values.yaml`,
    `helm upgrade --install ratify ratify --repo ${RATIFY_CHARTS} --version ${parts.ratifyChartVersion} \\`,
    `  --namespace ${parts.namespace} --wait --values ratify-values.yaml`,
    'kubectl apply -f signature-policy.yaml',
    `for attempt in $(seq 1 60); do kubectl get crd ${CONSTRAINT_CRD} > /dev/null 2>&1 && break; sleep 5; done`,
    `kubectl wait --for condition=established --timeout 60s crd/${CONSTRAINT_CRD}`,
    'kubectl apply -f signature-enforcement.yaml',
  ].join('\n');
}
