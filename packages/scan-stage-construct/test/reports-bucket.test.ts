import { policyStatements } from '@devsecops-factory/test-kit';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ReportsBucket } from '../src';
import { newStack } from './support/factory';

const stack = newStack();
const reports = new ReportsBucket(stack, 'Reports', {
  encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
  reportRetention: Duration.days(90),
});
const template = Template.fromStack(stack);
const bucketId = stack.resolve(reports.bucket.bucketName).Ref;
const bucket = template.toJSON().Resources[bucketId];

describe('ReportsBucket', () => {
  test('encrypts with the given KMS key and an S3 bucket key', () => {
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([{
      BucketKeyEnabled: true,
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] } },
    }]);
  });

  test('is versioned and blocks every kind of public access', () => {
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
    });
  });

  test('refuses requests without TLS', () => {
    const deny = policyStatements(template).filter((s) => s.resourceType === 'AWS::S3::BucketPolicy' && s.effect === 'Deny');
    expect(deny.map((s) => s.condition)).toContainEqual({ Bool: { 'aws:SecureTransport': 'false' } });
  });

  test('logs access to a separate bucket', () => {
    expect(bucket.Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: stack.resolve(reports.accessLogsBucket.bucketName).Ref },
      LogFilePrefix: 'reports/',
    });
    expect(stack.resolve(reports.accessLogsBucket.bucketName).Ref).not.toBe(bucketId);
  });

  test('expires reports, old versions and incomplete uploads', () => {
    expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual([expect.objectContaining({
      ExpirationInDays: 90,
      NoncurrentVersionExpiration: { NoncurrentDays: 30 },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      Status: 'Enabled',
    })]);
  });

  test('the access-log bucket is encrypted, TLS-only, versioned and expires its logs', () => {
    const logs = template.toJSON().Resources[stack.resolve(reports.accessLogsBucket.bucketName).Ref];
    expect(logs.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(logs.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(logs.Properties.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(365);
  });
});
