import { acknowledgementsIn, violationsWithout } from '@devsecops-factory/test-kit';
import { App, Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  CodeScanStage, DastScanStage, EcrScanStage, FindingsProcessor, ImageScanStage, SecretsScanStage,
} from '../src';
import { importedSecret } from './support/factory';

const ENV = { account: '111111111111', region: 'eu-west-1' };

/** The pipeline, its artifact bucket and the source bucket belong to the consumer, and so do their findings. */
const CONSUMER_OWNED = /^Consumer\/(Pipeline|ArtifactBucket|ArtifactKey|SourceBucket)(\/|$)/;

interface ConsumerOptions {
  readonly env?: typeof ENV;
  /** `cdk init`'s feature flags (e.g. literal partitions in a stack with an environment). */
  readonly recommendedFlags?: boolean;
}

/**
 * A consumer's own CodePipeline (its own KMS-encrypted artifact bucket) with
 * every construct of the package twice.
 */
function consumerStack({ env, recommendedFlags = false }: ConsumerOptions = {}): Stack {
  const app = new App({ context: recommendedFlags ? { ...CURRENTLY_RECOMMENDED_FLAGS } : {} });
  const stack = new Stack(app, 'Consumer', { env });
  const artifactKey = new kms.Key(stack, 'ArtifactKey', { enableKeyRotation: true });
  const pipeline = new codepipeline.Pipeline(stack, 'Pipeline', {
    artifactBucket: new s3.Bucket(stack, 'ArtifactBucket', { encryptionKey: artifactKey, enforceSSL: true }),
  });
  const source = new codepipeline.Artifact('Source');
  pipeline.addStage({
    stageName: 'Source',
    actions: [new actions.S3SourceAction({
      actionName: 'Source', bucket: new s3.Bucket(stack, 'SourceBucket', { versioned: true }), bucketKey: 'source.zip', output: source,
    })],
  });
  for (const team of ['TeamA', 'TeamB']) {
    const findings = new FindingsProcessor(stack, `${team}Findings`);
    const common = { input: source, reportsBucket: findings.reportsBucket, encryptionKey: findings.encryptionKey };
    const image = new ImageScanStage(stack, `${team}ImageScan`, { ...common, imageArtifactName: `${team}Image` });
    pipeline.addStage({
      stageName: `${team}Scan`,
      actions: [
        new SecretsScanStage(stack, `${team}SecretsScan`, common).action,
        new CodeScanStage(stack, `${team}CodeScan`, common).action,
        image.action,
      ],
    });
    pipeline.addStage({
      stageName: `${team}Registry`,
      actions: [new EcrScanStage(stack, `${team}EcrScan`, {
        ...common, imageArtifact: image.imageArtifact, ecrRepository: ecr.Repository.fromRepositoryName(stack, `${team}Repository`, 'sample-app'),
      }).action],
    });
    pipeline.addStage({
      stageName: `${team}Dast`,
      actions: [new DastScanStage(stack, `${team}DastScan`, {
        ...common, targetUrl: 'https://staging.example.com', zapApiKey: importedSecret(stack, `${team}ZapKey`, 'zap-api-key'),
      }).action],
    });
  }
  app.synth();
  return stack;
}

function awsSolutionsFindings(stack: Stack): string[] {
  return new AwsSolutionsChecks().validateScope(stack.node.root).violations
    .flatMap((violation) => violation.violatingResources.map((resource) => `${violation.ruleName} on ${resource.constructPath}`))
    .filter((finding) => !CONSUMER_OWNED.test(finding.split(' on ')[1]));
}

describe('every construct twice in a consumer\'s own pipeline', () => {
  test.each([
    ['without an environment, default flags', {}],
    ['without an environment, cdk init flags', { recommendedFlags: true }],
    ['with an environment, default flags', { env: ENV }],
    ['with an environment, cdk init flags (literal partition)', { env: ENV, recommendedFlags: true }],
  ])('is AwsSolutions clean %s', (_name, options: ConsumerOptions) => {
    expect(awsSolutionsFindings(consumerStack(options))).toEqual([]);
  });

  // Acknowledgements made when the actions joined the consumer's pipeline, for its artifact bucket.
  const artifactGrantAcknowledgements = acknowledgementsIn(consumerStack({ env: ENV, recommendedFlags: true }))
    .filter((ack) => /artifact bucket/.test(ack.reason));

  test('acknowledges the artifact grant of every stage role, for the consumer\'s artifact bucket only', () => {
    const roles = new Set(artifactGrantAcknowledgements.map((ack) => ack.path));
    expect(roles.size).toBe(10);
    expect(artifactGrantAcknowledgements.filter((ack) => ack.id.includes('Resource::')).map((ack) => ack.id))
      .toEqual(Array(10).fill(expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<ArtifactBucket\w+\.Arn>\/\*\]$/)));
    // Only the image scan writes an output artifact, so only its role gets the write prefixes acknowledged.
    expect([...new Set(artifactGrantAcknowledgements.filter((ack) => ack.id.includes('s3:Abort*')).map((ack) => ack.path))].sort())
      .toEqual(['Consumer/TeamAImageScan/Project/Role', 'Consumer/TeamBImageScan/Project/Role']);
  });

  const teamAGrantAcknowledgements = artifactGrantAcknowledgements.filter((ack) => ack.path.startsWith('Consumer/TeamA'));
  test.each(teamAGrantAcknowledgements.map((ack) => [`${ack.id} on ${ack.path}`, ack] as const))(
    'needs %s: without it the finding returns', (_name, ack) => {
      const violations = violationsWithout(consumerStack({ env: ENV, recommendedFlags: true }), ack);
      expect(violations).toContainEqual({ rule: ack.id, path: `${ack.path}/DefaultPolicy/Resource` });
    });
});
