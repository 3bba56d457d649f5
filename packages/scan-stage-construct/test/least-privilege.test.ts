import { actionsOnAnyResource, allowedActions, policyStatements, wildcardActionGrants } from '@devsecops-factory/test-kit';
import { Template } from 'aws-cdk-lib/assertions';
import { buildWholeFactory } from './support/whole-factory';

const template = Template.fromStack(buildWholeFactory({ alarmTopic: true }));
const resources = Object.entries<any>(template.toJSON().Resources);

describe('least privilege across every construct', () => {
  test('no policy, identity or resource, allows "*" or a whole service such as s3:*', () => {
    expect(policyStatements(template).length).toBeGreaterThan(20);
    expect(wildcardActionGrants(template)).toEqual([]);
  });

  test('only actions without resource-level permissions are granted on "*"', () => {
    expect([...new Set(actionsOnAnyResource(template))]).toEqual([
      'ecr:GetAuthorizationToken',
      'ecr:GetRegistryScanningConfiguration',
      'inspector2:ListFindings',
      'securityhub:BatchUpdateFindings',
      'securityhub:GetFindings',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  test('no identity policy grants deletion or permission management', () => {
    const dangerous = allowedActions(template).filter((action) =>
      /^(iam:|s3:Delete|s3:PutBucketPolicy|kms:ScheduleKeyDeletion|kms:PutKeyPolicy)/.test(action),
    );
    expect(dangerous).toEqual([]);
  });

  test('the bucket and the queue refuse requests without TLS', () => {
    const denies = policyStatements(template).filter((s) => s.effect === 'Deny'
      && JSON.stringify(s.condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }));
    expect(new Set(denies.map((s) => s.resourceType))).toEqual(new Set(['AWS::S3::BucketPolicy', 'AWS::SQS::QueuePolicy', 'AWS::SNS::TopicPolicy']));
  });
});

describe('encryption and timeouts across every construct', () => {
  const projects = resources.filter(([, r]) => r.Type === 'AWS::CodeBuild::Project');

  test('every CodeBuild project encrypts artifacts with a KMS key, times out, and logs to a KMS-encrypted group', () => {
    expect(projects).toHaveLength(5);
    const encryptedGroups = new Set(resources
      .filter(([, r]) => r.Type === 'AWS::Logs::LogGroup' && r.Properties.KmsKeyId && r.Properties.RetentionInDays)
      .map(([id]) => id));
    for (const [, project] of projects) {
      expect(project.Properties.EncryptionKey).toBeDefined();
      expect(project.Properties.TimeoutInMinutes).toBeGreaterThan(0);
      expect(project.Properties.TimeoutInMinutes).toBeLessThanOrEqual(80);
      expect(project.Properties.QueuedTimeoutInMinutes).toBeDefined();
      expect(encryptedGroups.has(project.Properties.LogsConfig.CloudWatchLogs.GroupName.Ref)).toBe(true);
      expect(project.Properties.Environment.Image).toBe('aws/codebuild/standard:7.0');
    }
  });

  test('privileged mode is on for the image build only', () => {
    const privileged = projects.filter(([, p]) => p.Properties.Environment.PrivilegedMode).map(([id]) => id);
    expect(privileged).toHaveLength(1);
    expect(privileged[0]).toMatch(/^ImageScan/);
  });

  test('no plaintext environment variable looks like a secret', () => {
    for (const [, project] of projects) {
      for (const variable of project.Properties.Environment.EnvironmentVariables) {
        if (/TOKEN|KEY|PASSWORD|SECRET/.test(variable.Name)) {
          expect([variable.Name, variable.Type]).toEqual([variable.Name, expect.stringMatching(/^(SECRETS_MANAGER|PARAMETER_STORE)$/)]);
        }
      }
    }
  });

  test('every log group, bucket and queue is encrypted, every log group expires', () => {
    for (const [, r] of resources) {
      if (r.Type === 'AWS::Logs::LogGroup') {
        expect(r.Properties.KmsKeyId).toBeDefined();
        expect(r.Properties.RetentionInDays).toBeGreaterThan(0);
      }
      if (r.Type === 'AWS::S3::Bucket') expect(r.Properties.BucketEncryption).toBeDefined();
      if (r.Type === 'AWS::SQS::Queue') expect(r.Properties.KmsMasterKeyId).toBeDefined();
    }
  });
});
