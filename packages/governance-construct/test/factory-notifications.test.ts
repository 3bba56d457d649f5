import { acknowledgementsIn, nagViolations, allowStatements, wildcardActions } from '@devsecops-factory/test-kit';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { FactoryNotifications } from '../src';
import { newStack } from './support/stack';

function synth(props = {}) {
  const stack = newStack();
  const notifications = new FactoryNotifications(stack, 'Notifications', props);
  return { stack, notifications, template: Template.fromStack(stack) };
}

describe('FactoryNotifications', () => {
  test('encrypts both topics with one rotating customer managed key', () => {
    const { template, notifications, stack } = synth();
    const key = stack.getLogicalId(notifications.encryptionKey.node.defaultChild as any);
    template.resourceCountIs('AWS::SNS::Topic', 2);
    for (const topic of Object.values(template.findResources('AWS::SNS::Topic'))) {
      expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [key, 'Arn'] });
    }
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('lets only EventBridge and CloudWatch of this account use the key to publish', () => {
    const { template } = synth();
    const serviceStatements = allowStatements(template).filter((statement) =>
      statement.resourceType === 'AWS::KMS::Key' && JSON.stringify(statement.principal).includes('Service'));
    expect(serviceStatements).toHaveLength(1);
    expect(serviceStatements[0].principal).toEqual({ Service: ['events.amazonaws.com', 'cloudwatch.amazonaws.com'] });
    expect(serviceStatements[0].actions.sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(serviceStatements[0].condition).toEqual({ StringEquals: { 'aws:SourceAccount': '111122223333' } });
    expect(wildcardActions(template)).toEqual([]);
  });

  test('denies publishing over plain HTTP on both topics', () => {
    const { template, notifications, stack } = synth();
    for (const topic of [notifications.pipelineFailureTopic, notifications.securityAlertTopic]) {
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: stack.getLogicalId(topic.node.defaultChild as any) }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Effect: 'Deny',
            Principal: '*',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          })]),
        },
      });
    }
  });

  test('lets alarms of this account, and only them, publish security alerts', () => {
    const { template, notifications, stack } = synth();
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: stack.getLogicalId(notifications.securityAlertTopic.node.defaultChild as any) }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Condition: {
            StringEquals: { 'aws:SourceAccount': '111122223333' },
            ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:eu-west-1:111122223333:alarm:*']] } },
          },
        })]),
      },
    });
  });

  test('lets EventBridge rules of this account, and only them, publish to both topics', () => {
    const { template, notifications, stack } = synth();
    for (const topic of [notifications.pipelineFailureTopic, notifications.securityAlertTopic]) {
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: stack.getLogicalId(topic.node.defaultChild as any) }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: {
              StringEquals: { 'aws:SourceAccount': '111122223333' },
              ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-1:111122223333:rule/*']] } },
            },
          })]),
        },
      });
    }
  });

  test('subscribes the given addresses by email to their topic', () => {
    const { template, notifications, stack } = synth({
      pipelineFailureEmails: ['delivery@example.com'],
      securityAlertEmails: ['security@example.com', 'soc@example.com'],
    });
    template.resourceCountIs('AWS::SNS::Subscription', 3);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'delivery@example.com',
      TopicArn: { Ref: stack.getLogicalId(notifications.pipelineFailureTopic.node.defaultChild as any) },
    });
    for (const email of ['security@example.com', 'soc@example.com']) {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: email,
        TopicArn: { Ref: stack.getLogicalId(notifications.securityAlertTopic.node.defaultChild as any) },
      });
    }
  });

  test('has no subscription unless asked', () => {
    synth().template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('rejects something that is not an email address', () => {
    expect(() => synth({ securityAlertEmails: ['https://hooks.example.com/x'] })).toThrow(/is not an email address/);
  });

  test('is clean under AwsSolutions and NIST 800-53 rev5 without acknowledgements', () => {
    const { stack } = synth({ securityAlertEmails: ['security@example.com'] });
    expect(nagViolations(stack)).toEqual([]);
    expect(acknowledgementsIn(stack)).toEqual([]);
  });
});
