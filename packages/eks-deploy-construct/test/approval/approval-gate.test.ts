import { nagViolations, removeAcknowledgements } from '@devsecops-factory/test-kit';
import { Duration, Stack, aws_kms as kms } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ApprovalGate, ApprovalGateProps, DeployImage } from '../../src';
import {
  DIGEST, REPOSITORY, actionConfiguration, identityStatements, pipelineAround, sourceArtifact, testStack, wildcardActions,
} from '../support/stacks';

const COMMIT = '#{SourceVariables.CommitId}';

function gate(stack: Stack, overrides: Partial<ApprovalGateProps> = {}): ApprovalGate {
  return new ApprovalGate(stack, 'Gate', {
    environment: 'production',
    image: DeployImage.fromDigest(REPOSITORY, DIGEST),
    commitId: COMMIT,
    notifyEmails: ['approvers@example.com', 'security@example.com'],
    ...overrides,
  });
}

describe('ApprovalGate', () => {
  describe('on its own', () => {
    const stack = testStack();
    gate(stack);
    const template = Template.fromStack(stack);

    test('encrypts the topic with a rotated customer managed key', () => {
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GateKey'), 'Arn'] } });
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    });

    test('refuses every publish that is not over TLS', () => {
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Effect: 'Deny',
            Principal: '*',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          })]),
        },
      });
    });

    test('subscribes every approver by email', () => {
      template.resourceCountIs('AWS::SNS::Subscription', 2);
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'security@example.com' });
    });

    test('is clean under AwsSolutions and NIST 800-53 rev5, with nothing acknowledged', () => {
      expect(nagViolations(stack)).toEqual([]);
    });
  });

  describe('in a pipeline', () => {
    const stack = testStack();
    const approval = gate(stack);
    pipelineAround(stack, sourceArtifact(), [{ name: 'Approve', actions: [approval.action] }]);
    const template = Template.fromStack(stack).toJSON();
    const configuration = actionConfiguration(template, 'Approve-production');

    test('says which digest and commit it promotes, and where', () => {
      expect(configuration.CustomData).toBe(
        `Promote ${REPOSITORY}@${DIGEST} (commit ${COMMIT}) to production? Review its Security Hub findings (link) before approving.`,
      );
    });

    test('links to the active findings of the promoted commit in this region\'s Security Hub', () => {
      expect(configuration.ExternalEntityLink).toBe(
        'https://console.aws.amazon.com/securityhub/home?region=eu-west-1#/findings?search='
        + 'RecordState%3D%255Coperator%255C%253AEQUALS%255C%253AACTIVE'
        + '%26ProductFields%3D%255Ckey%255C%253DCommit%255C%253A%255Coperator%255C%253AEQUALS%255C%253A#{SourceVariables.CommitId}');
    });

    test('notifies through its topic and times out after three days', () => {
      expect(configuration.NotificationArn).toEqual({ Ref: expect.stringMatching(/^GateTopic/) });
      const action = (Object.values(template.Resources).find((resource: any) => resource.Type === 'AWS::CodePipeline::Pipeline') as any)
        .Properties.Stages[1].Actions[0];
      expect(action.TimeoutInMinutes).toBe(3 * 24 * 60);
    });

    test('lets the pipeline action role publish: sns:Publish on the topic and the key in IAM and in the key policy', () => {
      const statements = identityStatements(template);
      expect(statements).toEqual(expect.arrayContaining([
        expect.objectContaining({ Action: 'sns:Publish', Resource: { Ref: expect.stringMatching(/^GateTopic/) } }),
      ]));
      const key = Object.entries(template.Resources).find(([id]) => id.startsWith('GateKey'))![1] as any;
      expect(key.Properties.KeyPolicy.Statement).toEqual(expect.arrayContaining([expect.objectContaining({
        Sid: 'AllowThePipelineToPublishApprovalRequests',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Principal: { AWS: { 'Fn::GetAtt': [expect.stringMatching(/^PipelineApproveApproveproductionCodePipelineActionRole/), 'Arn'] } },
      })]));
    });

    test('leaves no cdk-nag finding on the approval action\'s role, and needs its acknowledgement for that', () => {
      const onActionRole = (scope: Stack) => [new AwsSolutionsChecks()].flatMap((pack) => pack.validateScope(scope).violations)
        .filter((violation) => violation.violatingResources.some((resource) => (resource.constructPath ?? '').includes('Approve-production')))
        .map((violation) => violation.ruleName);
      expect(onActionRole(stack)).toEqual([]);
      const again = testStack();
      pipelineAround(again, sourceArtifact(), [{ name: 'Approve', actions: [gate(again).action] }]);
      expect(removeAcknowledgements(again, (ack) => ack.id === 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]').length).toBe(1);
      expect(onActionRole(again)).toEqual(['AwsSolutions-IAM5[Action::kms:GenerateDataKey*]']);
    });

    test('grants no wildcard or service-wide action', () => {
      const gateStatements = identityStatements(template).filter((statement) => JSON.stringify(statement.Resource).includes('Gate'));
      expect(gateStatements.length).toBeGreaterThan(0);
      expect(wildcardActions(gateStatements)).toEqual([]);
    });
  });

  test('uses a key it is given instead of creating one', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Shared', { enableKeyRotation: true });
    const approval = gate(stack, { encryptionKey: key });
    expect(approval.encryptionKey).toBe(key);
    Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 1);
  });

  test('links to the filters it is given', () => {
    const approval = gate(testStack(), { findingsFilters: [{ field: 'ProductFields', key: 'BuildId', value: '#{ImageScan.BUILD_ID}' }] });
    expect(approval.findingsUrl).toMatch(
      /search=ProductFields%3D%255Ckey%255C%253DBuildId%255C%253A%255Coperator%255C%253AEQUALS%255C%253A#\{ImageScan\.BUILD_ID\}$/,
    );
  });

  test.each<[string, Partial<ApprovalGateProps>, RegExp]>([
    ['a malformed email address', { notifyEmails: ['approvers'] }, /not an email address/],
    ['a timeout over the 7-day CodePipeline limit', { timeout: Duration.days(8) }, /timeout must be between/],
    ['an environment name with spaces', { environment: 'prod env' }, /environment must be/],
    ['a message CodePipeline would refuse', { image: DeployImage.fromDigest(`registry.example.com/${'a'.repeat(400)}`, DIGEST) }, /longer than 500/],
  ])('rejects %s', (_name, overrides, message) => {
    expect(() => gate(testStack(), overrides)).toThrow(message);
  });
});
