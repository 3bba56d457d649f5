import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { createAccessLogsBucket, createAuditBucket } from '../../src/private/secure-bucket';
import { newStack } from '../support/stack';

function synth() {
  const stack = newStack();
  const logs = createAccessLogsBucket(stack, 'Logs', { expireAfter: Duration.days(100) });
  const audit = createAuditBucket(stack, 'Audit', {
    encryptionKey: new kms.Key(stack, 'Key'),
    serverAccessLogsBucket: logs,
    serverAccessLogsPrefix: 'audit/',
    transitionToGlacierAfter: Duration.days(10),
    expireAfter: Duration.days(20),
  });
  return { stack, logs, audit, template: Template.fromStack(stack) };
}

describe('createAccessLogsBucket', () => {
  test('uses SSE-S3, the only encryption S3 log delivery accepts, and expires logs', () => {
    const { template, logs, stack } = synth();
    const bucket = template.toJSON().Resources[stack.getLogicalId(logs.node.defaultChild as any)];
    expect(bucket.Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucket.Properties.LifecycleConfiguration.Rules[0]).toEqual(expect.objectContaining({ ExpirationInDays: 100, Status: 'Enabled' }));
  });
});

describe('createAuditBucket', () => {
  test('encrypts with the given key, archives then expires objects and old versions', () => {
    const { template, audit, stack } = synth();
    const bucket = template.toJSON().Resources[stack.getLogicalId(audit.node.defaultChild as any)];
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0]).toEqual({
      BucketKeyEnabled: true,
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] } },
    });
    expect(bucket.Properties.LifecycleConfiguration.Rules[0]).toEqual(expect.objectContaining({
      ExpirationInDays: 20,
      Transitions: [{ StorageClass: 'GLACIER', TransitionInDays: 10 }],
      NoncurrentVersionExpiration: { NoncurrentDays: 90 },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
    }));
  });

  test('logs access through a bucket policy scoped to the source bucket and account, not an ACL', () => {
    const { template, audit, logs, stack } = synth();
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: stack.getLogicalId(logs.node.defaultChild as any) },
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Sid: 'S3ServerAccessLogsFromAudit',
          Effect: 'Allow',
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [stack.getLogicalId(logs.node.defaultChild as any), 'Arn'] }, '/audit/*']] },
          Condition: {
            ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [stack.getLogicalId(audit.node.defaultChild as any), 'Arn'] } },
            StringEquals: { 'aws:SourceAccount': '111122223333' },
          },
        }]),
      },
    });
    for (const bucket of Object.values(template.findResources('AWS::S3::Bucket'))) {
      expect(bucket.Properties.AccessControl).toBeUndefined();
    }
  });
});
