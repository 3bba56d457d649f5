import { acknowledgementsIn, nagViolations, allowStatements } from '@devsecops-factory/test-kit';
import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { FactoryEventRules, FactoryEventRulesProps, FactoryNotifications } from '../src';
import { newStack } from './support/stack';

let FAILURES: unknown;
let ALERTS: unknown;

function synth(extra: (stack: any) => Partial<FactoryEventRulesProps> = () => ({})) {
  const stack = newStack();
  const notifications = new FactoryNotifications(stack, 'Notifications');
  FAILURES = { Ref: stack.getLogicalId(notifications.pipelineFailureTopic.node.defaultChild as any) };
  ALERTS = { Ref: stack.getLogicalId(notifications.securityAlertTopic.node.defaultChild as any) };
  const rules = new FactoryEventRules(stack, 'Rules', { notifications, ...extra(stack) });
  return { stack, rules, template: Template.fromStack(stack) };
}

function ruleProperties(template: Template, rule: any, stack: any): any {
  return template.toJSON().Resources[stack.getLogicalId(rule.node.defaultChild)].Properties;
}

describe('FactoryEventRules', () => {
  test('sends failed pipeline executions to the pipeline failure topic', () => {
    const { template, rules, stack } = synth();
    const rule = ruleProperties(template, rules.pipelineExecutionFailedRule, stack);
    expect(rule.EventPattern).toEqual({
      'source': ['aws.codepipeline'],
      'detail-type': ['CodePipeline Pipeline Execution State Change'],
      'detail': { state: ['FAILED'] },
    });
    expect(rule.Targets).toHaveLength(1);
    expect(rule.Targets[0].Arn).toEqual(FAILURES);
    expect(rule.Targets[0].InputTransformer.InputTemplate).toContain('execution <detail-execution-id> failed');
  });

  test('sends failed stages to the pipeline failure topic', () => {
    const { template, rules, stack } = synth();
    const rule = ruleProperties(template, rules.stageExecutionFailedRule, stack);
    expect(rule.EventPattern).toEqual({
      'source': ['aws.codepipeline'],
      'detail-type': ['CodePipeline Stage Execution State Change'],
      'detail': { state: ['FAILED'] },
    });
    expect(rule.Targets[0].Arn).toEqual(FAILURES);
    expect(rule.Targets[0].InputTransformer.InputPathsMap).toEqual(expect.objectContaining({ 'detail-stage': '$.detail.stage' }));
  });

  test('limits failure notifications to the factory pipelines when they are given', () => {
    const { template, rules, stack } = synth((s) => ({
      pipelines: [codepipeline.Pipeline.fromPipelineArn(s, 'P', 'arn:aws:codepipeline:eu-west-1:111122223333:factory')],
    }));
    for (const rule of [rules.pipelineExecutionFailedRule, rules.stageExecutionFailedRule]) {
      expect(ruleProperties(template, rule, stack).EventPattern.detail).toEqual({ pipeline: ['factory'], state: ['FAILED'] });
    }
  });

  test('sends pipeline, build project and audit trail changes recorded by CloudTrail to the security topic', () => {
    const { template, rules, stack } = synth();
    const rule = ruleProperties(template, rules.criticalApiCallRule, stack);
    expect(rule.EventPattern['detail-type']).toEqual(['AWS API Call via CloudTrail']);
    expect(rule.EventPattern.source).toEqual(['aws.cloudtrail', 'aws.codebuild', 'aws.codepipeline']);
    expect(rule.EventPattern.detail.eventSource).toEqual(['cloudtrail.amazonaws.com', 'codebuild.amazonaws.com', 'codepipeline.amazonaws.com']);
    expect(rule.EventPattern.detail.eventName).toEqual(expect.arrayContaining([
      'UpdatePipeline', 'DeletePipeline', 'CreateProject', 'UpdateProject', 'DeleteProject', 'StopLogging', 'DeleteTrail',
    ]));
    expect(rule.Targets[0].Arn).toEqual(ALERTS);
  });

  test('names the caller but never copies request parameters into the message', () => {
    const { template, rules, stack } = synth();
    const target = ruleProperties(template, rules.criticalApiCallRule, stack).Targets[0];
    expect(Object.values(target.InputTransformer.InputPathsMap)).toEqual(expect.arrayContaining(['$.detail.userIdentity.arn', '$.detail.eventName']));
    expect(JSON.stringify(target.InputTransformer.InputPathsMap)).not.toContain('requestParameters');
  });

  test('watches policy changes on the given roles only', () => {
    const { template, rules, stack } = synth((s) => ({
      factoryRoles: [iam.Role.fromRoleArn(s, 'R', 'arn:aws:iam::111122223333:role/factory-deploy')],
    }));
    expect(rules.rolePolicyChangeRule).toBeDefined();
    const rule = ruleProperties(template, rules.rolePolicyChangeRule, stack);
    expect(rule.EventPattern.source).toEqual(['aws.iam']);
    expect(rule.EventPattern.detail.requestParameters).toEqual({ roleName: ['factory-deploy'] });
    expect(rule.EventPattern.detail.eventName).toEqual(expect.arrayContaining(['PutRolePolicy', 'AttachRolePolicy', 'UpdateAssumeRolePolicy']));
    expect(rule.Targets[0].Arn).toEqual(ALERTS);
  });

  test('adds no permission of its own to the topics or their key', () => {
    const { template } = synth();
    const eventStatements = allowStatements(template).filter((statement) => JSON.stringify(statement.principal).includes('events.amazonaws.com'));
    expect(eventStatements.map((statement) => statement.resourceType).sort())
      .toEqual(['AWS::KMS::Key', 'AWS::SNS::TopicPolicy', 'AWS::SNS::TopicPolicy']);
    for (const statement of eventStatements) {
      expect(statement.condition).toEqual(expect.objectContaining({ StringEquals: { 'aws:SourceAccount': '111122223333' } }));
    }
  });

  test('creates no role rule without roles', () => {
    const { rules, template } = synth();
    expect(rules.rolePolicyChangeRule).toBeUndefined();
    template.resourceCountIs('AWS::Events::Rule', 3);
  });

  test('is clean under AwsSolutions and NIST 800-53 rev5 without acknowledgements', () => {
    const { stack } = synth();
    expect(nagViolations(stack)).toEqual([]);
    expect(acknowledgementsIn(stack)).toEqual([]);
  });
});
