import { acknowledgementsIn, nagViolations, violationsWithout, allowStatements, wildcardActions } from '@devsecops-factory/test-kit';
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ConfigRecorder, ConfigRecorderProps } from '../src';
import { newStack } from './support/stack';

function synth(props: Partial<ConfigRecorderProps> = {}) {
  const stack = newStack();
  const serverAccessLogsBucket = s3.Bucket.fromBucketName(stack, 'AccessLogs', 'access-logs');
  const recorder = new ConfigRecorder(stack, 'Config', { serverAccessLogsBucket, ...props });
  return { stack, recorder, template: Template.fromStack(stack) };
}

describe('ConfigRecorder', () => {
  test('records every supported resource type, global ones included by default', () => {
    const { template, recorder, stack } = synth();
    template.hasResourceProperties('AWS::Config::ConfigurationRecorder', {
      RecordingGroup: { AllSupported: true, IncludeGlobalResourceTypes: true },
      RoleARN: { 'Fn::GetAtt': [stack.getLogicalId(recorder.role.node.defaultChild as any), 'Arn'] },
    });
  });

  test('can leave global resource types to another region', () => {
    synth({ includeGlobalResourceTypes: false }).template.hasResourceProperties('AWS::Config::ConfigurationRecorder', {
      RecordingGroup: { AllSupported: true, IncludeGlobalResourceTypes: false },
    });
  });

  test('delivers to its own KMS-encrypted bucket after the recorder exists', () => {
    const { template, recorder, stack } = synth();
    const channel = template.toJSON().Resources[stack.getLogicalId(recorder.deliveryChannel)];
    expect(channel.Properties).toEqual({
      S3BucketName: { Ref: stack.getLogicalId(recorder.bucket.node.defaultChild as any) },
      S3KmsKeyArn: { 'Fn::GetAtt': [stack.getLogicalId(recorder.encryptionKey.node.defaultChild as any), 'Arn'] },
      ConfigSnapshotDeliveryProperties: { DeliveryFrequency: 'TwentyFour_Hours' },
    });
    expect(channel.DependsOn).toEqual([stack.getLogicalId(recorder.recorder)]);
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: 'access-logs', LogFilePrefix: 'config-history-bucket/' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })],
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('lets its role write only this account\'s Config prefix and use only its key', () => {
    const { template, recorder, stack } = synth();
    const bucket = stack.getLogicalId(recorder.bucket.node.defaultChild as any);
    const policy = allowStatements(template).filter((statement) => statement.resourceType === 'AWS::IAM::ManagedPolicy');
    expect(policy.map((statement) => statement.actions)).toEqual([['s3:GetBucketAcl'], ['s3:PutObject'], ['kms:Decrypt', 'kms:GenerateDataKey']]);
    expect(policy[1].resources).toEqual([{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/AWSLogs/111122223333/Config/*']] }]);
    expect(policy[2].resources).toEqual([{ 'Fn::GetAtt': [stack.getLogicalId(recorder.encryptionKey.node.defaultChild as any), 'Arn'] }]);
    expect(wildcardActions(template)).toEqual([]);
  });

  test('can only be assumed by AWS Config on behalf of this account', () => {
    synth().template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Principal: { Service: 'config.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
        })],
      },
    });
  });

  test('keeps history seven years by default and rejects a retention under a month', () => {
    synth().template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ ExpirationInDays: 2557, Transitions: [{ StorageClass: 'GLACIER', TransitionInDays: 90 }] })],
      },
    });
    synth({ retention: Duration.days(30) }).template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ ExpirationInDays: 30, Transitions: [{ StorageClass: 'GLACIER', TransitionInDays: 29 }] })],
      },
    });
    expect(() => synth({ retention: Duration.days(7) })).toThrow(/retention must be at least 30 days \(got 7\)/);
  });

  test('is clean under AwsSolutions and NIST 800-53 rev5', () => {
    expect(nagViolations(synth().stack)).toEqual([]);
  });

  test('needs each of its acknowledgements', () => {
    const { stack } = synth();
    const acknowledgements = acknowledgementsIn(stack);
    expect(acknowledgements.map((ack) => `${ack.path} ${ack.id}`).sort()).toEqual([
      'Governance/Config/Bucket NIST.800.53.R5-S3BucketReplicationEnabled',
      expect.stringMatching(
        /^Governance\/Config\/DeliveryPolicy AwsSolutions-IAM5\[Resource::<ConfigBucket[0-9A-F]+\.Arn>\/AWSLogs\/111122223333\/Config\/\*\]$/,
      ),
      'Governance/Config/Role AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWS_ConfigRole]',
    ]);
    for (const acknowledgement of acknowledgements) {
      expect(acknowledgement.reason.length).toBeGreaterThan(60);
      expect(violationsWithout(stack, acknowledgement)).not.toEqual([]);
    }
  });
});
