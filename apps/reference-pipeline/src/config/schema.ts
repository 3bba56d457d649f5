import { FeedbackProvider, SastTool, ZapScanType } from '@devsecops-factory/scan-stage-construct';
import { z } from 'zod';

/** Any partition: the factory deploys to aws, aws-us-gov and aws-cn without edits. */
const arn = (service: string) =>
  z.string().regex(new RegExp(`^arn:aws(-us-gov|-cn)?:${service}:[a-z0-9-]*:\\d{12}:.+$`), `expected an ${service} ARN in any partition`);

const name = z.string().min(1).max(128).regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'letters, digits, . _ / - only');
const branch = z.string().min(1).max(255).regex(/^[^\s~^:?*[\\]+$/, 'not a valid git branch name');
const email = z.email();
const imageName = z.string().regex(/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, 'expected an ECR repository name');
const connectionArn = /^arn:aws(-us-gov|-cn)?:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/.+$/;

const codeConnectionsSource = z.strictObject({
  type: z.literal('codeconnections'),
  /** A CodeConnections (formerly CodeStar Connections) connection to GitHub, GitLab or Bitbucket. */
  connectionArn: z.string().regex(connectionArn, 'expected a CodeConnections connection ARN').optional(),
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
  /**
   * The cluster's API endpoint is private: the deploy build runs in the factory's network (`network:`), whose
   * VPC must reach the cluster's (the same VPC, peering or a transit gateway).
   */
  privateEndpoint: z.boolean().default(false),
  /** The cluster security group: the factory lets its deploy build in on 443 (otherwise allow it yourself). */
  clusterSecurityGroupId: z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'expected a security group id').optional(),
});

/**
 * A second pipeline per application for pull requests (CodePipeline V2 pull-request trigger): the secret, code and
 * image scans gated in mode `new` against the default branch's findings, and nothing published or deployed.
 */
const pullRequestsSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** Pull requests into these branches start it. Default: the source's branch. */
  targetBranches: z.array(branch).min(1).optional(),
  /** Post each scan's verdict (commit status) and Markdown summary (comment) back to the pull request. */
  feedback: z.strictObject({
    /** The provider behind the connection (Bitbucket: commit status only). */
    provider: z.enum(FeedbackProvider),
    /** Secrets Manager secret holding the provider's API token, read by the builds at run time. */
    tokenSecretArn: arn('secretsmanager'),
    /** The provider's API root, for GitHub Enterprise Server or self-managed GitLab. Default: the provider's cloud API. */
    apiUrl: z.url({ protocol: /^https$/ }).optional(),
  }).optional(),
});

/** The VPC endpoints the private network can create, by the name the config uses to exclude one. */
export const ENDPOINT_NAMES = [
  's3', 'ecr', 'ecr-dkr', 'securityhub', 'secretsmanager', 'ssm', 'kms', 'logs', 'sts', 'eks', 'codebuild', 'xray', 'signer',
  'codeconnections', 'codecommit', 'git-codecommit',
] as const;

const cidr = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/(1[6-9]|2[0-4])$/, 'expected an IPv4 CIDR block from /16 to /24');

/** A VPC of the account, given by its ids (no lookup at synth: the stacks stay environment-agnostic). */
const existingVpc = z.strictObject({
  vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'expected a VPC id'),
  cidrBlock: cidr,
  availabilityZones: z.array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, 'expected an availability zone name')).min(2),
  /** One subnet per availability zone, in the same order: the builds' and the function's subnets. */
  subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'expected a subnet id')).min(2),
  /** The subnets' route tables, same order (the S3 gateway endpoint is added to them). */
  routeTableIds: z.array(z.string().regex(/^rtb-[0-9a-f]{8,17}$/, 'expected a route table id')).min(2),
});

const networkSchema = z.strictObject({
  /** Address range of the VPC the factory creates (isolated subnets only: no NAT, no internet gateway). */
  cidr: cidr.default('10.64.0.0/20'),
  /** Availability zones of the created VPC. */
  maxAzs: z.number().int().min(2).max(3).default(2),
  /** Or: an existing VPC. Its subnets reach AWS through the endpoints below (and whatever egress it has). */
  existingVpc: existingVpc.optional(),
  /** Create the endpoints (false when the existing VPC has them already: one private DNS name per VPC). */
  createEndpoints: z.boolean().default(true),
  /** Endpoints not to create, e.g. codeconnections where the Region does not offer it. */
  excludeEndpoints: z.array(z.enum(ENDPOINT_NAMES)).default([]),
}).superRefine((network, ctx) => {
  const vpc = network.existingVpc;
  if (vpc && (vpc.subnetIds.length !== vpc.availabilityZones.length || vpc.routeTableIds.length !== vpc.availabilityZones.length)) {
    ctx.addIssue({
      code: 'custom',
      path: ['existingVpc'],
      message: 'give one subnetId and one routeTableId per availability zone, in the same order',
    });
  }
});

/** What one application needs: where its code is, how it is scanned, where it is deployed, who is told. */
const applicationFields = {
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
      sast: z.enum(SastTool).default(SastTool.SEMGREP),
      hadolint: z.boolean().default(true),
    }).default({ sast: SastTool.SEMGREP, hadolint: true }),
    image: z.strictObject({
      scanner: z.enum(['grype', 'trivy', 'snyk']).default('grype'),
      /** Secrets Manager secret holding the Snyk token (required for snyk and snyk-code). */
      snykTokenSecretArn: arn('secretsmanager').optional(),
    }).default({ scanner: 'grype' }),
  }).default({ secrets: { gitleaks: false, allowedPatterns: [] }, code: { sast: SastTool.SEMGREP, hadolint: true }, image: { scanner: 'grype' } }),
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
    mode: z.enum(ZapScanType).default(ZapScanType.BASELINE),
    /** OpenAPI definition URL or path, for mode api. */
    apiDefinition: z.string().optional(),
  }),
  pullRequests: pullRequestsSchema.optional(),
  notifications: z.strictObject({
    /** Pipeline failures, stage failures, critical API calls. */
    emails: z.array(email).min(1),
    /** Who approves promotion to production. */
    approverEmails: z.array(email).min(1),
  }),
};

/** The factory's own settings, shared by every application. */
const factoryFields = {
  /** Prefix for resource names, so several factories can share an account. */
  name: z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, 'lower-case letters, digits and -, 2-31 characters').default('devsecops-factory'),
  governance: z.strictObject({
    /** Turn Security Hub on with FSBP and NIST 800-53 rev5 (only where it is not on yet). */
    enableSecurityHub: z.boolean().default(false),
    /** Create an AWS Config recorder and delivery channel (only where none exists). */
    enableConfigRecorder: z.boolean().default(false),
  }).default({ enableSecurityHub: false, enableConfigRecorder: false }),
  /** Builds and the findings processor in private subnets with VPC endpoints and no NAT (docs/private-network.md). */
  network: networkSchema.optional(),
};

/** The checks one application's settings need beyond their types. */
function checkApplication(config: z.output<z.ZodObject<typeof applicationFields>>, ctx: z.RefinementCtx): void {
  for (const stage of ['staging', 'production'] as const) {
    const target = config.deploy[stage];
    if (target.clusterSecurityGroupId && !target.privateEndpoint) {
      ctx.addIssue({ code: 'custom', path: ['deploy', stage, 'clusterSecurityGroupId'], message: 'only used with privateEndpoint: true' });
    }
  }
  if (config.pullRequests?.enabled && config.source.type === 'codecommit') {
    ctx.addIssue({
      code: 'custom',
      path: ['pullRequests', 'enabled'],
      message: 'CodePipeline V2 has no pull-request trigger for CodeCommit sources (only CodeConnections: GitHub, GitLab, Bitbucket)',
    });
  }
  if (config.source.type === 'codeconnections' && !config.source.connectionArn === !config.source.connectionArnParameter) {
    ctx.addIssue({ code: 'custom', path: ['source'], message: 'give exactly one of connectionArn or connectionArnParameter' });
  }
  if (!config.image.name && !config.image.repositoryName) {
    ctx.addIssue({ code: 'custom', path: ['image', 'name'], message: 'give the image name the manifests use (or a repositoryName)' });
  }
  if (config.image.importExistingRepository && !config.image.repositoryName) {
    ctx.addIssue({ code: 'custom', path: ['image', 'repositoryName'], message: 'required when importExistingRepository is true' });
  }
  const needsSnyk = config.scanners.image.scanner === 'snyk' || config.scanners.code.sast === SastTool.SNYK_CODE;
  if (needsSnyk && !config.scanners.image.snykTokenSecretArn) {
    ctx.addIssue({ code: 'custom', path: ['scanners', 'image', 'snykTokenSecretArn'], message: 'required when snyk or snyk-code is selected' });
  }
  if (config.dast.mode === ZapScanType.API && !config.dast.apiDefinition) {
    ctx.addIssue({ code: 'custom', path: ['dast', 'apiDefinition'], message: 'required when mode is api' });
  }
  if (config.deploy.staging.clusterName === config.deploy.production.clusterName
    && config.deploy.staging.namespace === config.deploy.production.namespace
    && config.deploy.staging.deployRoleArn === config.deploy.production.deployRoleArn) {
    ctx.addIssue({ code: 'custom', path: ['deploy', 'production'], message: 'must differ from staging (cluster, namespace or account)' });
  }
}

/** Today's single-application file: the factory's and the one application's settings side by side. */
export const factoryConfigSchema = z.strictObject({ ...factoryFields, ...applicationFields }).superRefine((config, ctx) => {
  checkApplication(config, ctx);
  checkPrivateEndpoints(config, config.network !== undefined, [], ctx);
});

/** One application of a factory with `applications:`. */
export const applicationSchema = z.strictObject(applicationFields).superRefine(checkApplication);

/**
 * An application's name becomes part of resource names (stack, pipeline, reports prefix), so it is held to
 * the strictest of them: lower-case letters, digits and single hyphens, starting with a letter.
 */
export const APPLICATION_NAME = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,30}$/;

/** A factory building several applications: shared settings, then one entry per application by name. */
export const multiApplicationSchema = z.strictObject({
  ...factoryFields,
  notifications: z.strictObject({
    /** The platform team: every application's pipeline failures, the factory's security alerts. */
    emails: z.array(email).min(1),
  }),
  applications: z.record(
    z.string().regex(APPLICATION_NAME, 'application names are 2-31 lower-case letters, digits and single hyphens, starting with a letter'),
    applicationSchema,
  ).refine((applications) => Object.keys(applications).length > 0, 'give at least one application'),
}).superRefine((config, ctx) => {
  for (const [key, application] of Object.entries(config.applications)) {
    checkPrivateEndpoints(application, config.network !== undefined, ['applications', key], ctx);
  }
});

/** A private cluster endpoint is reached from the factory's network: there must be one. */
function checkPrivateEndpoints(config: Pick<ApplicationConfig, 'deploy'>, hasNetwork: boolean, path: string[], ctx: z.RefinementCtx): void {
  for (const stage of ['staging', 'production'] as const) {
    if (config.deploy[stage].privateEndpoint && !hasNetwork) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'deploy', stage, 'privateEndpoint'],
        message: 'needs the factory\'s private network: add network: (docs/private-network.md)',
      });
    }
  }
}

/** The settings one pipeline is built from (today's file, or one application of a multi-application file). */
export type FactoryConfig = z.output<typeof factoryConfigSchema>;
export type ApplicationConfig = z.output<typeof applicationSchema>;
export type MultiApplicationConfig = z.output<typeof multiApplicationSchema>;
export type NetworkConfig = z.output<typeof networkSchema>;
