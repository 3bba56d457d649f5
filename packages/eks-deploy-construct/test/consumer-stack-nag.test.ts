import { execFileSync } from 'child_process';
import { acknowledgementsIn, removeAcknowledgements } from '@devsecops-factory/test-kit';
import { App, Stack, aws_ecr as ecr, aws_eks as eks, aws_iam as iam, aws_kms as kms } from 'aws-cdk-lib';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  ApprovalGate, CrossAccountDeployRole, DeployImage, DeployManifests, EksDeployStage, FalcoAddon, ImageSignatureAdmissionAddon,
} from '../src';
import { DIGEST, REPOSITORY, pipelineAround, sourceArtifact } from './support/stacks';

const ENV = { account: '111111111111', region: 'eu-west-1' };

/** A self-signed CA certificate standing for AWS Signer's root. */
const SIGNER_ROOT = execFileSync('openssl', [
  'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes', '-keyout', '/dev/null',
  '-subj', '/CN=Test Signer Root', '-days', '1', '-addext', 'basicConstraints=critical,CA:TRUE',
], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
const ADMISSION_IMAGES = {
  gatekeeper: `sha256:${'1'.repeat(64)}`,
  gatekeeperCrds: `sha256:${'2'.repeat(64)}`,
  ratify: `sha256:${'3'.repeat(64)}`,
  signerPlugin: `sha256:${'4'.repeat(64)}`,
};

/** The pipeline, its artifact bucket and the source bucket belong to the consumer, and so do their findings. */
const CONSUMER_OWNED = /^Consumer\/(Pipeline|SourceBucket)\//;

/**
 * A consumer's stack as `cdk init` would start it (its recommended feature
 * flags, e.g. literal partitions in a stack with an environment) or with
 * aws-cdk-lib's defaults, using every construct of the package twice.
 */
function consumerApp(env: typeof ENV | undefined, recommendedFlags: boolean): App {
  const app = new App({ context: recommendedFlags ? { ...CURRENTLY_RECOMMENDED_FLAGS } : {} });
  const stack = new Stack(app, 'Consumer', { env });
  const source = sourceArtifact();
  const key = new kms.Key(stack, 'PipelineKey', { enableKeyRotation: true });
  const image = DeployImage.fromDigest(REPOSITORY, DIGEST);
  const manifests = DeployManifests.fromSourceDirectory('k8s', 'sample-app');
  const deploy = (environment: string) => new EksDeployStage(stack, `Deploy-${environment}`, {
    environment, input: source, image, manifests, clusterName: `apps-${environment}`, namespace: 'sample-app', encryptionKey: key,
  });
  const staging = deploy('staging');
  const production = deploy('production');
  const gate = (environment: string) => new ApprovalGate(stack, `Approve-${environment}`, { environment, image, commitId: 'abc1234' });
  pipelineAround(stack, source, [
    { name: 'Staging', actions: [staging.action] },
    { name: 'ApproveCanary', actions: [gate('canary').action] },
    { name: 'ApproveProduction', actions: [gate('production').action] },
    { name: 'Production', actions: [production.action] },
  ]);
  // Two pipelines may deploy to the same cluster and namespace: each gets its own role.
  for (const trustedRole of [staging.role, production.role]) {
    new CrossAccountDeployRole(stack, `Target-${trustedRole.node.scope!.node.id}`, {
      trustedRole, clusterName: 'apps-production', namespace: 'sample-app',
    });
  }
  for (const [clusterName, stage] of [['apps-staging', staging], ['apps-production', production]] as const) {
    const cluster = eks.Cluster.fromClusterAttributes(stack, `Cluster-${clusterName}`, {
      clusterName,
      openIdConnectProvider: iam.OpenIdConnectProvider.fromOpenIdConnectProviderArn(stack, `Oidc-${clusterName}`,
        `arn:aws:iam::111111111111:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/${clusterName}`),
    });
    new FalcoAddon(stack, `Falco-${clusterName}`, { cluster });
    new ImageSignatureAdmissionAddon(stack, `SignedImages-${clusterName}`, {
      cluster,
      deployStages: [stage],
      signingProfileArn: 'arn:aws:signer:eu-west-1:111111111111:/signing-profiles/factory',
      repositories: [ecr.Repository.fromRepositoryName(stack, `Repository-${clusterName}`, 'sample-app')],
      signerRootCertificate: SIGNER_ROOT,
      images: ADMISSION_IMAGES,
    });
  }
  app.synth();
  return app;
}

function awsSolutionsFindings(app: App): string[] {
  return new AwsSolutionsChecks().validateScope(app).violations
    .flatMap((violation) => violation.violatingResources.map((resource) => `${violation.ruleName} on ${resource.constructPath}`))
    .filter((finding) => !CONSUMER_OWNED.test(finding.split(' on ')[1]));
}

describe('every construct twice in a consumer\'s stack', () => {
  test.each([
    ['without an environment, default flags', undefined, false],
    ['without an environment, cdk init flags', undefined, true],
    ['with an environment, default flags', ENV, false],
    ['with an environment, cdk init flags (literal partition)', ENV, true],
  ])('is AwsSolutions clean %s', (_name, env, flags) => {
    expect(awsSolutionsFindings(consumerApp(env, flags))).toEqual([]);
  });

  // With cdk init's flags and an environment the ARNs read arn:aws:...; an
  // acknowledgement written as arn:<AWS::Partition>:... would miss them.
  const resourceAcknowledgements = [...new Set(acknowledgementsIn(consumerApp(ENV, true)).map((ack) => ack.id))]
    .filter((id) => id.startsWith('AwsSolutions-IAM5[Resource::arn:'));

  test('acknowledges the default log group and report groups with the literal partition the stack renders', () => {
    expect(resourceAcknowledgements.map((id) => id.replace(/<\w+>/, '<Project>'))).toEqual(expect.arrayContaining([
      'AwsSolutions-IAM5[Resource::arn:aws:logs:eu-west-1:111111111111:log-group:/aws/codebuild/<Project>:*]',
      'AwsSolutions-IAM5[Resource::arn:aws:codebuild:eu-west-1:111111111111:report-group/<Project>-*]',
    ]));
  });

  test.each(resourceAcknowledgements)('needs %s: without it the finding returns', (id) => {
    const app = consumerApp(ENV, true);
    expect(removeAcknowledgements(app, (ack) => ack.id === id).length).toBe(1);
    expect(awsSolutionsFindings(app)).toEqual([
      expect.stringMatching(new RegExp(`^${escape(id)} on Consumer/Deploy-\\w+/Role/DefaultPolicy/Resource$`)),
    ]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
