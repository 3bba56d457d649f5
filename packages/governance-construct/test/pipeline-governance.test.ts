import { acknowledgementsIn, nagViolations, violationsWithout, wildcardActions } from '@devsecops-factory/test-kit';
import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { FactoryNotifications, PipelineGovernance, PipelineGovernanceProps } from '../src';
import { newAgnosticStack, newStack } from './support/stack';

function synth(props: (stack: any) => PipelineGovernanceProps = () => ({}), stack = newStack()) {
  const governance = new PipelineGovernance(stack, 'Governance', props(stack));
  return { stack, governance, template: Template.fromStack(stack) };
}

const EVERYTHING = (stack: any): PipelineGovernanceProps => ({
  factoryRoles: [iam.Role.fromRoleName(stack, 'BuildRole', 'factory-build')],
  pipelineFailureEmails: ['delivery@example.com'],
  securityAlertEmails: ['security@example.com'],
  enableConfigRecorder: true,
  enableSecurityHub: true,
});

describe('PipelineGovernance', () => {
  test('deploys the trail, notifications, alarms, rules and Config rules by default', () => {
    const { template } = synth();
    template.resourceCountIs('AWS::CloudTrail::Trail', 1);
    template.resourceCountIs('AWS::SNS::Topic', 2);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 6);
    template.resourceCountIs('AWS::Events::Rule', 3);
    template.resourceCountIs('AWS::Config::ConfigRule', 17);
  });

  test('leaves the Config recorder and Security Hub alone by default', () => {
    const { template, governance } = synth();
    expect(governance.configRecorder).toBeUndefined();
    expect(governance.securityHub).toBeUndefined();
    for (const type of [
      'AWS::Config::ConfigurationRecorder',
      'AWS::Config::DeliveryChannel',
      'AWS::SecurityHub::Hub',
      'AWS::SecurityHub::Standard',
    ]) {
      template.resourceCountIs(type, 0);
    }
  });

  test('creates the Config recorder and Security Hub with both standards when asked', () => {
    const { template, governance, stack } = synth(EVERYTHING);
    template.resourceCountIs('AWS::Config::ConfigurationRecorder', 1);
    template.resourceCountIs('AWS::Config::DeliveryChannel', 1);
    template.resourceCountIs('AWS::SecurityHub::Hub', 1);
    template.resourceCountIs('AWS::SecurityHub::Standard', 2);
    const recorder = stack.getLogicalId(governance.configRecorder!.recorder);
    for (const rule of Object.values(template.findResources('AWS::Config::ConfigRule'))) {
      expect(rule.DependsOn).toEqual(expect.arrayContaining([recorder]));
    }
  });

  test('creates no dashboard by default, and one showing its own pipelines when asked', () => {
    expect(synth().governance.dashboard).toBeUndefined();
    const { template, governance } = synth((stack) => ({
      pipelines: [codepipeline.Pipeline.fromPipelineArn(stack, 'Pipeline', 'arn:aws:codepipeline:eu-west-1:111122223333:factory-shop')],
      dashboard: { stages: ['image'] },
    }));
    expect(governance.dashboard).toBeDefined();
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    expect(body).toContain('FailedPipelineExecutions');
    expect(body).toContain('factory-shop');
    expect(body).toContain('OpenFindings');
  });

  test('logs access to the Config bucket into the trail\'s access log bucket', () => {
    const { template, governance, stack } = synth(EVERYTHING);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: {
        DestinationBucketName: { Ref: stack.getLogicalId(governance.auditTrail.accessLogsBucket.node.defaultChild as any) },
        LogFilePrefix: 'config-history-bucket/',
      },
    });
  });

  test('alarms on the trail\'s log group into the security topic', () => {
    const { template, governance, stack } = synth(EVERYTHING);
    const logGroup = stack.getLogicalId(governance.auditTrail.logGroup.node.defaultChild as any);
    const securityTopic = stack.getLogicalId(governance.notifications.securityAlertTopic.node.defaultChild as any);
    template.allResourcesProperties('AWS::Logs::MetricFilter', { LogGroupName: { Ref: logGroup } });
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: securityTopic }] });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 7);
  });

  test('routes failures and critical calls to their topics', () => {
    const { template, governance, stack } = synth(EVERYTHING);
    const resources = template.toJSON().Resources;
    const targetOf = (rule: any) => resources[stack.getLogicalId(rule.node.defaultChild)].Properties.Targets[0].Arn;
    const failures = { Ref: stack.getLogicalId(governance.notifications.pipelineFailureTopic.node.defaultChild as any) };
    const alerts = { Ref: stack.getLogicalId(governance.notifications.securityAlertTopic.node.defaultChild as any) };
    expect(targetOf(governance.eventRules.pipelineExecutionFailedRule)).toEqual(failures);
    expect(targetOf(governance.eventRules.stageExecutionFailedRule)).toEqual(failures);
    expect(targetOf(governance.eventRules.criticalApiCallRule)).toEqual(alerts);
    expect(targetOf(governance.eventRules.rolePolicyChangeRule)).toEqual(alerts);
    expect(resources[stack.getLogicalId(governance.eventRules.criticalApiCallRule.node.defaultChild as any)].DependsOn)
      .toEqual(expect.arrayContaining([stack.getLogicalId(governance.auditTrail.trail.node.defaultChild as any)]));
  });

  test('uses existing notifications instead of creating topics, so earlier constructs can alarm into them', () => {
    const stack = newStack();
    const notifications = new FactoryNotifications(stack, 'Notifications', { securityAlertEmails: ['security@example.com'] });
    const { template, governance } = synth(() => ({ notifications }), stack);
    expect(governance.notifications).toBe(notifications);
    template.resourceCountIs('AWS::SNS::Topic', 2);
    const alerts = { Ref: stack.getLogicalId(notifications.securityAlertTopic.node.defaultChild as any) };
    const alarms = Object.values<any>(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([alerts]);
  });

  test('refuses emails for topics it does not create', () => {
    const stack = newStack();
    const notifications = new FactoryNotifications(stack, 'Notifications');
    expect(() => new PipelineGovernance(stack, 'Governance', { notifications, securityAlertEmails: ['security@example.com'] }))
      .toThrow(/existing notifications/);
  });

  test('grants no wildcard or service-wide action anywhere', () => {
    expect(wildcardActions(synth(EVERYTHING).template)).toEqual([]);
  });

  test('carries no secret-looking value and no hard-coded partition or region', () => {
    const stack = newAgnosticStack();
    new PipelineGovernance(stack, 'Governance', EVERYTHING(stack));
    const template = JSON.stringify(Template.fromStack(stack).toJSON());
    expect(template).not.toMatch(/arn:aws[:-]/);
    expect(template).not.toMatch(/(us|eu|ap|sa|ca|me|af)-(east|west|north|south|central|southeast|northeast)-\d/);
    expect(template).not.toMatch(/AKIA[0-9A-Z]{16}/);
  });

  test.each([
    ['defaults', () => ({})],
    ['everything enabled', EVERYTHING],
  ])('is clean under AwsSolutions and NIST 800-53 rev5 (%s)', (_name, props) => {
    expect(nagViolations(synth(props as any).stack)).toEqual([]);
  });

  test('needs every acknowledgement it carries', () => {
    const { stack } = synth(EVERYTHING);
    const acknowledgements = acknowledgementsIn(stack);
    expect(acknowledgements).toHaveLength(7);
    for (const acknowledgement of acknowledgements) {
      expect({ rule: acknowledgement.id, violations: violationsWithout(stack, acknowledgement).length })
        .toEqual({ rule: acknowledgement.id, violations: expect.any(Number) });
      expect(violationsWithout(stack, acknowledgement).length).toBeGreaterThan(0);
    }
  });
});
