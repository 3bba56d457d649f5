import { acknowledgementsIn, nagViolations } from '@devsecops-factory/test-kit';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { FactoryActivityAlarms, FactoryActivityAlarmsProps } from '../src';
import { newStack } from './support/stack';

function synth(props: Partial<FactoryActivityAlarmsProps> = {}, roleNames: string[] = []) {
  const stack = newStack();
  const trailLogGroup = logs.LogGroup.fromLogGroupName(stack, 'TrailLogs', 'trail-logs');
  const alarmTopic = sns.Topic.fromTopicArn(stack, 'Alerts', 'arn:aws:sns:eu-west-1:111122223333:alerts');
  const factoryRoles = roleNames.map((name) => iam.Role.fromRoleName(stack, `Role-${name}`, name));
  const alarms = new FactoryActivityAlarms(stack, 'Alarms', { trailLogGroup, alarmTopic, factoryRoles, ...props });
  return { stack, alarms, template: Template.fromStack(stack) };
}

function filterPatterns(template: Template): Record<string, string> {
  const patterns: Record<string, string> = {};
  for (const filter of Object.values(template.findResources('AWS::Logs::MetricFilter'))) {
    const name = filter.Properties.MetricTransformations[0].MetricName;
    patterns[name] = patterns[name] ? `${patterns[name]}\n${filter.Properties.FilterPattern}` : filter.Properties.FilterPattern;
  }
  return patterns;
}

describe('FactoryActivityAlarms', () => {
  test.each([
    ['UpdatePipeline', 'codepipeline.amazonaws.com'],
    ['DeletePipeline', 'codepipeline.amazonaws.com'],
    ['CreateProject', 'codebuild.amazonaws.com'],
    ['UpdateProject', 'codebuild.amazonaws.com'],
    ['DeleteProject', 'codebuild.amazonaws.com'],
  ])('filters %s calls of %s from the trail log group', (eventName, eventSource) => {
    const patterns = filterPatterns(synth().template);
    expect(patterns[eventName]).toBe(`{ ($.eventSource = "${eventSource}") && (($.eventName = "${eventName}")) }`);
  });

  test('filters changes that would stop or redirect the audit trail', () => {
    const patterns = filterPatterns(synth().template);
    expect(patterns.AuditTrailTampering).toContain('($.eventSource = "cloudtrail.amazonaws.com")');
    for (const eventName of ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors']) {
      expect(patterns.AuditTrailTampering).toContain(`($.eventName = "${eventName}")`);
    }
  });

  test('filters policy, boundary and trust changes of the factory roles only', () => {
    const patterns = filterPatterns(synth({}, ['factory-pipeline', 'factory-build']).template);
    const pattern = patterns.FactoryRolePolicyChange;
    expect(pattern).toContain('($.eventSource = "iam.amazonaws.com")');
    for (const eventName of [
      'PutRolePolicy',
      'AttachRolePolicy',
      'DetachRolePolicy',
      'DeleteRolePolicy',
      'UpdateAssumeRolePolicy',
      'PutRolePermissionsBoundary',
      'DeleteRolePermissionsBoundary',
    ]) {
      expect(pattern).toContain(`($.eventName = "${eventName}")`);
    }
    expect(pattern).toContain('(($.requestParameters.roleName = "factory-pipeline") || ($.requestParameters.roleName = "factory-build"))');
  });

  test('watches no role when none is given', () => {
    const patterns = filterPatterns(synth().template);
    expect(patterns.FactoryRolePolicyChange).toBeUndefined();
  });

  test('keeps each filter pattern under the CloudWatch Logs limit however many roles the factory has', () => {
    // IAM role names are at most 64 characters.
    const roles = Array.from({ length: 20 }, (_, i) => `devsecops-factory-${String(i).padStart(2, '0')}-`.padEnd(64, 'x'));
    const { template } = synth({}, roles);
    const filters = Object.values(template.findResources('AWS::Logs::MetricFilter'))
      .filter((filter) => filter.Properties.MetricTransformations[0].MetricName === 'FactoryRolePolicyChange');
    expect(filters).toHaveLength(4);
    for (const filter of filters) {
      expect(filter.Properties.FilterPattern.length).toBeLessThanOrEqual(1024);
    }
    const all = filters.map((filter) => filter.Properties.FilterPattern).join('\n');
    for (const role of roles) {
      expect(all).toContain(`"${role}"`);
    }
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'FactoryRolePolicyChange' }, 1);
  });

  test('alarms on the first occurrence, notifies the topic and stays OK without events', () => {
    const { template, alarms } = synth({}, ['factory-build']);
    expect(alarms.alarms).toHaveLength(7);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 7);
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties).toEqual(expect.objectContaining({
        Namespace: 'DevSecOpsFactory/Governance',
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: ['arn:aws:sns:eu-west-1:111122223333:alerts'],
      }));
    }
    template.allResourcesProperties('AWS::Logs::MetricFilter', {
      LogGroupName: 'trail-logs',
      MetricTransformations: [Match.objectLike({ MetricValue: '1', DefaultValue: 0, MetricNamespace: 'DevSecOpsFactory/Governance' })],
    });
  });

  test('uses the given metric namespace', () => {
    const { template } = synth({ metricNamespace: 'Acme/Factory' });
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { Namespace: 'Acme/Factory' });
  });

  test('is clean under AwsSolutions and NIST 800-53 rev5 without acknowledgements', () => {
    const { stack } = synth({}, ['factory-build']);
    expect(nagViolations(stack)).toEqual([]);
    expect(acknowledgementsIn(stack)).toEqual([]);
  });
});
