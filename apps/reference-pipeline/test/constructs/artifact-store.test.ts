import { acknowledgementsIn, removeAcknowledgements } from '@devsecops-factory/test-kit';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { ArtifactStore } from '../../src/constructs/artifact-store';

function template(): { stack: Stack; template: Template } {
  const stack = new Stack(new App(), 'Store');
  new ArtifactStore(stack, 'Store');
  return { stack, template: Template.fromStack(stack) };
}

describe('ArtifactStore', () => {
  test('encrypts artifacts with a rotating customer managed key', () => {
    const { template: t } = template();
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) }),
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'artifacts/' }),
    });
  });

  test('denies every non-TLS request on both buckets', () => {
    const { template: t } = template();
    const policies = t.findResources('AWS::S3::BucketPolicy');
    expect(Object.keys(policies)).toHaveLength(2);
    for (const policy of Object.values(policies)) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      );
    }
  });

  test('blocks public access and retains data by default', () => {
    const { template: t } = template();
    for (const bucket of Object.values(t.findResources('AWS::S3::Bucket'))) {
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
      });
    }
  });

  test.each([['AwsSolutions', () => new AwsSolutionsChecks()], ['NIST 800-53 R5', () => new NIST80053R5Checks()]])(
    'is clean under %s', (_name, pack) => {
      const { stack } = template();
      expect(pack().validateScope(stack).violations).toEqual([]);
    });

  const acknowledged = acknowledgementsIn(template().stack);
  test('records its acknowledgements', () => expect(acknowledged.length).toBeGreaterThan(0));
  test.each(acknowledged.map((a) => [a.id, a.path, a] as const))(
    'acknowledgement %s on %s is needed: the violation returns without it', (ruleId, path, ack) => {
      const { stack } = template();
      removeAcknowledgements(stack, (candidate) => candidate.path === ack.path && candidate.id === ack.id);
      const violations = [new AwsSolutionsChecks(), new NIST80053R5Checks()]
        .flatMap((pack) => pack.validateScope(stack).violations)
        .filter((v) => v.ruleName === ruleId)
        .flatMap((v) => v.violatingResources.map((r) => r.constructPath));
      expect(violations).toContain(`${path}/Resource`);
    });
});
