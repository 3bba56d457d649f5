import { z } from 'zod';

/** Any partition: the factory deploys to aws, aws-us-gov and aws-cn without edits. */
const arn = (service: string) =>
  z.string().regex(new RegExp(`^arn:aws(-us-gov|-cn)?:${service}:[a-z0-9-]*:\\d{12}:.+$`), `expected an ${service} ARN in any partition`);

const name = z.string().min(1).max(128).regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'letters, digits, . _ / - only');
const branch = z.string().min(1).max(255).regex(/^[^\s~^:?*[\\]+$/, 'not a valid git branch name');
const email = z.email();
const imageName = z.string().regex(/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, 'expected an ECR repository name');

const codeConnectionsSource = z.strictObject({
  type: z.literal('codeconnections'),
  /** A CodeConnections (formerly CodeStar Connections) connection to GitHub, GitLab or Bitbucket. */
  connectionArn: z.string().regex(/^arn:aws(-us-gov|-cn)?:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/.+$/, 'expected a CodeConnections connection ARN').optional(),
  /** Or: an SSM parameter holding that ARN, resolved at deploy time (keeps account ids out of the repository). */
  connectionArnParameter: z.string().regex(/^\/[\w./-]+$/, 'expected an SSM parameter name starting with /').optional(),
  /** owner/name on the provider. */
  repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'expected owner/name'),
  branch,
});

const codeCommitSource = z.strictObject({
  type: z.literal('codecommit'),
  repositoryName: name,
  branch,
});

const deployTarget = z.strictObject({
  clusterName: name,
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a Kubernetes namespace name').max(63),
  /** A role in another account, created there with CrossAccountDeployRole; omitted = this account. */
  deployRoleArn: arn('iam').optional(),
});

export const factoryConfigSchema = z.strictObject({
  /** Prefix for resource names, so several factories can share an account. */
  name: z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, 'lower-case letters, digits and -, 2-31 characters').default('devsecops-factory'),
  source: z.discriminatedUnion('type', [codeConnectionsSource, codeCommitSource]),
  /** Path of the severity policy inside the application repository (it may only tighten the factory's). */
  policyFile: z.string().min(1).default('.security/policy.yml'),
  /**
   * The factory-owned policy of this application (thresholds, the factory's suppressions, what the
   * repository's policy may add), a file of the factory's repository; relative paths are relative to the
   * config file. Default: the scan stages' DEFAULT_FACTORY_POLICY.
   */
  factoryPolicyFile: z.string().min(1).optional(),
  scanners: z.strictObject({
    secrets: z.strictObject({
      gitleaks: z.boolean().default(false),
      /** git-secrets `--allowed` regexes of values known to be fake (fixtures' example keys and account ids). */
      allowedPatterns: z.array(z.string().min(1)).default([]),
    }).default({ gitleaks: false, allowedPatterns: [] }),
    code: z.strictObject({
      sast: z.enum(['semgrep', 'bandit', 'snyk-code']).default('semgrep'),
      hadolint: z.boolean().default(true),
    }).default({ sast: 'semgrep', hadolint: true }),
    image: z.strictObject({
      scanner: z.enum(['grype', 'trivy', 'snyk']).default('grype'),
      /** Secrets Manager secret holding the Snyk token (required for snyk and snyk-code). */
      snykTokenSecretArn: arn('secretsmanager').optional(),
    }).default({ scanner: 'grype' }),
  }).default({ secrets: { gitleaks: false, allowedPatterns: [] }, code: { sast: 'semgrep', hadolint: true }, image: { scanner: 'grype' } }),
  image: z.strictObject({
    /** Image name the Kubernetes manifests use; the deploy replaces it with repository@digest. Defaults to repositoryName. */
    name: imageName.optional(),
    /**
     * A fixed name for the ECR repository. Default: generated, so a redeploy after teardown (the repository is
     * retained) creates a new one instead of failing with "already exists".
     */
    repositoryName: imageName.optional(),
    /** Use the existing repository repositoryName (e.g. retained by a previous deployment) instead of creating it. */
    importExistingRepository: z.boolean().default(false),
    /** Dockerfile directory inside the application repository. */
    context: z.string().default('.'),
    /** Amazon Inspector enhanced scanning instead of basic ECR scanning. */
    enhancedScanning: z.boolean().default(false),
  }),
  deploy: z.strictObject({
    /** Kubernetes manifests (plain folder or kustomize directory) inside the application repository. */
    manifests: z.string().default('k8s'),
    staging: deployTarget,
    production: deployTarget,
  }),
  dast: z.strictObject({
    /** The staging URL ZAP scans. */
    targetUrl: z.url({ protocol: /^https?$/ }),
    mode: z.enum(['baseline', 'full', 'api']).default('baseline'),
    /** OpenAPI definition URL or path, for mode api. */
    apiDefinition: z.string().optional(),
  }),
  notifications: z.strictObject({
    /** Pipeline failures, stage failures, critical API calls. */
    emails: z.array(email).min(1),
    /** Who approves promotion to production. */
    approverEmails: z.array(email).min(1),
  }),
  governance: z.strictObject({
    /** Turn Security Hub on with FSBP and NIST 800-53 rev5 (only where it is not on yet). */
    enableSecurityHub: z.boolean().default(false),
    /** Create an AWS Config recorder and delivery channel (only where none exists). */
    enableConfigRecorder: z.boolean().default(false),
  }).default({ enableSecurityHub: false, enableConfigRecorder: false }),
}).superRefine((config, ctx) => {
  if (config.source.type === 'codeconnections' && !config.source.connectionArn === !config.source.connectionArnParameter) {
    ctx.addIssue({ code: 'custom', path: ['source'], message: 'give exactly one of connectionArn or connectionArnParameter' });
  }
  if (!config.image.name && !config.image.repositoryName) {
    ctx.addIssue({ code: 'custom', path: ['image', 'name'], message: 'give the image name the manifests use (or a repositoryName)' });
  }
  if (config.image.importExistingRepository && !config.image.repositoryName) {
    ctx.addIssue({ code: 'custom', path: ['image', 'repositoryName'], message: 'required when importExistingRepository is true' });
  }
  const needsSnyk = config.scanners.image.scanner === 'snyk' || config.scanners.code.sast === 'snyk-code';
  if (needsSnyk && !config.scanners.image.snykTokenSecretArn) {
    ctx.addIssue({ code: 'custom', path: ['scanners', 'image', 'snykTokenSecretArn'], message: 'required when snyk or snyk-code is selected' });
  }
  if (config.dast.mode === 'api' && !config.dast.apiDefinition) {
    ctx.addIssue({ code: 'custom', path: ['dast', 'apiDefinition'], message: 'required when mode is api' });
  }
  if (config.deploy.staging.clusterName === config.deploy.production.clusterName
    && config.deploy.staging.namespace === config.deploy.production.namespace
    && config.deploy.staging.deployRoleArn === config.deploy.production.deployRoleArn) {
    ctx.addIssue({ code: 'custom', path: ['deploy', 'production'], message: 'must differ from staging (cluster, namespace or account)' });
  }
});

export type FactoryConfig = z.output<typeof factoryConfigSchema>;
