import { acknowledgementsIn, nagViolations, violationsWithout, allowStatements, wildcardActions } from '@devsecops-factory/test-kit';
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AuditTrail } from '../src';
import { newAgnosticStack, newStack } from './support/stack';

function synth(props = {}) {
  const stack = newStack();
  const trail = new AuditTrail(stack, 'Audit', props);
  return { stack, trail, template: Template.fromStack(stack) };
}

describe('AuditTrail', () => {
  test('records every management event of every region with log-file validation, KMS and CloudWatch Logs', () => {
    const { template, trail, stack } = synth();
    template.resourceCountIs('AWS::CloudTrail::Trail', 1);
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      IsLogging: true,
      KMSKeyId: { 'Fn::GetAtt': [stack.getLogicalId(trail.encryptionKey.node.defaultChild as any), 'Arn'] },
      S3BucketName: { Ref: stack.getLogicalId(trail.bucket.node.defaultChild as any) },
      CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': [stack.getLogicalId(trail.logGroup.node.defaultChild as any), 'Arn'] },
      EventSelectors: [Match.objectLike({ IncludeManagementEvents: true, ReadWriteType: 'All' })],
    });
  });

  test('encrypts with a customer managed key that rotates and has no kms:* statement', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, RotationPeriodInDays: 365 });
    expect(wildcardActions(template)).toEqual([]);
  });

  test('lets CloudTrail encrypt only trails of this account and CloudWatch Logs only log groups of this account', () => {
    const { template } = synth();
    const keyStatements = allowStatements(template).filter((statement) => statement.resourceType === 'AWS::KMS::Key');
    const cloudtrail = keyStatements.find(
      (statement) => JSON.stringify(statement.principal).includes('cloudtrail.amazonaws.com') && statement.actions.includes('kms:GenerateDataKey'),
    );
    const trailName = Object.values<any>(template.findResources('AWS::CloudTrail::Trail'))[0].Properties.TrailName;
    const thisTrail = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudtrail:eu-west-1:111122223333:trail/${trailName}`]] };
    expect(cloudtrail?.condition).toEqual({
      StringEquals: { 'aws:SourceAccount': '111122223333', 'aws:SourceArn': thisTrail },
      StringLike: {
        'kms:EncryptionContext:aws:cloudtrail:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudtrail:*:111122223333:trail/*']] },
      },
    });
    const describe = keyStatements.find(
      (statement) => JSON.stringify(statement.principal).includes('cloudtrail.amazonaws.com') && statement.actions.includes('kms:DescribeKey'),
    );
    expect(describe?.condition).toEqual({ StringEquals: { 'aws:SourceAccount': '111122223333', 'aws:SourceArn': thisTrail } });
    const cloudwatchLogs = keyStatements.find((statement) => JSON.stringify(statement.principal).includes('logs.eu-west-1.'));
    expect(cloudwatchLogs?.condition).toEqual({
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:111122223333:log-group:*']] },
      },
    });
  });

  test('lets CloudTrail check the ACL and write log files for this trail only (aws:SourceArn), and no statement without it', () => {
    const { template, trail, stack } = synth();
    const bucket = stack.getLogicalId(trail.bucket.node.defaultChild as any);
    const trailResource = Object.values<any>(template.findResources('AWS::CloudTrail::Trail'))[0];
    const trailName = trailResource.Properties.TrailName;
    expect(trailName).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$/);
    expect(trailName).toContain('eu-west-1');
    const trailArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudtrail:eu-west-1:111122223333:trail/${trailName}`]] };
    const fromCloudTrail = allowStatements(template).filter((statement) => statement.resourceType === 'AWS::S3::BucketPolicy'
      && JSON.stringify(statement.principal).includes('cloudtrail.amazonaws.com'));
    expect(fromCloudTrail.map((statement) => statement.actions).sort()).toEqual([['s3:GetBucketAcl'], ['s3:PutObject']]);
    for (const statement of fromCloudTrail) {
      expect(statement.condition.StringEquals['aws:SourceArn']).toEqual(trailArn);
      expect(JSON.stringify(statement.resources)).toContain(bucket);
    }
    const put = fromCloudTrail.find((statement) => statement.actions.includes('s3:PutObject'))!;
    expect(put.condition.StringEquals['s3:x-amz-acl']).toBe('bucket-owner-full-control');
    expect(put.resources).toEqual([{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/AWSLogs/111122223333/*']] }]);
    // CloudTrail validates the bucket policy when the trail is created.
    expect(trailResource.DependsOn).toEqual(expect.arrayContaining([stack.getLogicalId(trail.bucket.policy!.node.defaultChild as any)]));
  });

  test('names the trail as asked, in the aws:SourceArn too', () => {
    const { template } = synth({ trailName: 'factory-audit' });
    template.hasResourceProperties('AWS::CloudTrail::Trail', { TrailName: 'factory-audit' });
    const arns = allowStatements(template).filter((statement) => statement.resourceType === 'AWS::S3::BucketPolicy'
      && JSON.stringify(statement.principal).includes('cloudtrail.amazonaws.com')).map((statement) => JSON.stringify(statement.condition));
    expect(arns).toHaveLength(2);
    for (const arn of arns) expect(arn).toContain(':cloudtrail:eu-west-1:111122223333:trail/factory-audit');
  });

  test('stores log files in a TLS-only, private, versioned, KMS-encrypted bucket with lifecycle and access logging', () => {
    const { template, trail, stack } = synth();
    const accessLogsBucket = stack.getLogicalId(trail.accessLogsBucket.node.defaultChild as any);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })],
      },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: accessLogsBucket }, LogFilePrefix: 'audit-trail-bucket/' },
      LifecycleConfiguration: {
        Rules: [Match.objectLike({
          Status: 'Enabled',
          ExpirationInDays: 2557,
          Transitions: [{ StorageClass: 'GLACIER', TransitionInDays: 90 }],
        })],
      },
    });
    for (const bucket of [trail.bucket, trail.accessLogsBucket]) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: stack.getLogicalId(bucket.node.defaultChild as any) },
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          })]),
        },
      });
    }
  });

  test('lets only the S3 logging service of this account write access logs, never through ACLs', () => {
    const { template, trail, stack } = synth();
    const accessLogsBucket = stack.getLogicalId(trail.accessLogsBucket.node.defaultChild as any);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: accessLogsBucket },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Allow',
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Action: 's3:PutObject',
          Condition: {
            ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [stack.getLogicalId(trail.bucket.node.defaultChild as any), 'Arn'] } },
            StringEquals: { 'aws:SourceAccount': '111122223333' },
          },
        })]),
      },
    });
    const accessLogs = template.toJSON().Resources[accessLogsBucket];
    expect(accessLogs.Properties.AccessControl).toBeUndefined();
    expect(accessLogs.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
  });

  test('keeps audit storage when the stack is deleted', () => {
    const { template } = synth();
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Logs::LogGroup']) {
      const resources = Object.values(template.findResources(type));
      expect(resources.length).toBeGreaterThan(0);
      for (const resource of resources) {
        expect(resource.DeletionPolicy).toBe('Retain');
      }
    }
  });

  test('streams to a KMS-encrypted log group with the chosen retention', () => {
    const { template, trail, stack } = synth({ cloudWatchLogsRetention: logs.RetentionDays.THREE_MONTHS });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 90,
      KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(trail.encryptionKey.node.defaultChild as any), 'Arn'] },
    });
  });

  test('rejects an archive retention that ends before the Glacier transition', () => {
    expect(() => synth({ archiveRetention: Duration.days(30), transitionToGlacierAfter: Duration.days(90) }))
      .toThrow(/archiveRetention \(30 days\) must be longer than transitionToGlacierAfter \(90 days\)/);
  });

  test('hard-codes no partition or region', () => {
    const stack = newAgnosticStack();
    new AuditTrail(stack, 'Audit');
    const template = JSON.stringify(Template.fromStack(stack).toJSON());
    expect(template).not.toMatch(/arn:aws[:-]/);
    expect(template).not.toMatch(/(us|eu|ap|sa|ca|me|af)-(east|west|north|south|central|southeast|northeast)-\d/);
  });

  test('is clean under AwsSolutions and NIST 800-53 rev5', () => {
    const { stack } = synth();
    expect(nagViolations(stack)).toEqual([]);
  });

  test('needs each of its acknowledgements', () => {
    const { stack } = synth();
    const acknowledgements = acknowledgementsIn(stack);
    expect(acknowledgements.map((ack) => `${ack.path} ${ack.id}`).sort()).toEqual([
      'Governance/Audit/AccessLogsBucket NIST.800.53.R5-S3BucketReplicationEnabled',
      'Governance/Audit/AccessLogsBucket NIST.800.53.R5-S3DefaultEncryptionKMS',
      'Governance/Audit/Bucket NIST.800.53.R5-S3BucketReplicationEnabled',
      'Governance/Audit/Trail NIST.800.53.R5-IAMNoInlinePolicy',
    ]);
    for (const acknowledgement of acknowledgements) {
      expect(acknowledgement.reason.length).toBeGreaterThan(60);
      expect(violationsWithout(stack, acknowledgement)).not.toEqual([]);
    }
  });
});
