import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AUDIT_TRAIL_TAMPERING, FACTORY_API_CALLS, FactoryApiCall, ROLE_POLICY_CHANGE_EVENT_NAMES } from './private/factory-api-calls';

/**
 * A CloudWatch Logs filter pattern may be at most 1,024 characters: with six
 * role names of IAM's maximum length (64) the pattern is 955 characters, so
 * longer role lists go into several filters feeding one metric.
 */
const ROLES_PER_FILTER = 6;

/**
 * Properties of {@link FactoryActivityAlarms}.
 */
export interface FactoryActivityAlarmsProps {
  /** The log group a CloudTrail trail delivers the account's management events to. */
  readonly trailLogGroup: logs.ILogGroup;

  /** Where the alarms publish when they fire. */
  readonly alarmTopic: sns.ITopic;

  /**
   * The roles the factory runs as (pipeline, build projects, deploy roles).
   * Any change to their policies, permissions boundary or trust policy raises
   * an alarm.
   *
   * @default - no role policy alarm
   */
  readonly factoryRoles?: iam.IRole[];

  /**
   * CloudWatch namespace of the metrics the filters emit.
   *
   * @default 'DevSecOpsFactory/Governance'
   */
  readonly metricNamespace?: string;
}

/**
 * Metric filters on the audit trail's log group, each with an alarm that
 * fires on the first occurrence: pipeline updates and deletions, build project
 * creations, updates and deletions, changes to the audit trail itself and
 * policy changes on the factory's roles.
 */
export class FactoryActivityAlarms extends Construct {
  /** CloudWatch namespace of the metrics unless `metricNamespace` says otherwise. */
  public static readonly DEFAULT_METRIC_NAMESPACE = 'DevSecOpsFactory/Governance';

  /** One alarm per watched change, in a stable order. */
  public readonly alarms: cloudwatch.Alarm[] = [];

  private readonly props: FactoryActivityAlarmsProps;
  private readonly namespace: string;

  constructor(scope: Construct, id: string, props: FactoryActivityAlarmsProps) {
    super(scope, id);
    this.props = props;
    this.namespace = props.metricNamespace ?? FactoryActivityAlarms.DEFAULT_METRIC_NAMESPACE;

    for (const call of [...FACTORY_API_CALLS, AUDIT_TRAIL_TAMPERING]) {
      this.watch(call.name, call.why, [eventPattern(call)]);
    }

    const roles = props.factoryRoles ?? [];
    if (roles.length > 0) {
      const patterns: string[] = [];
      for (let i = 0; i < roles.length; i += ROLES_PER_FILTER) {
        patterns.push(rolePolicyChangePattern(roles.slice(i, i + ROLES_PER_FILTER).map((role) => role.roleName)));
      }
      this.watch('FactoryRolePolicyChange', 'a policy, permissions boundary or trust policy of a factory role changed', patterns);
    }
  }

  private watch(name: string, why: string, patterns: string[]): void {
    patterns.forEach((pattern, index) => {
      new logs.MetricFilter(this, patterns.length === 1 ? `${name}Filter` : `${name}Filter${index + 1}`, {
        logGroup: this.props.trailLogGroup,
        filterPattern: logs.FilterPattern.literal(pattern),
        metricNamespace: this.namespace,
        metricName: name,
        metricValue: '1',
        // Without a default the metric has no data points in quiet periods and
        // the alarm would sit in INSUFFICIENT_DATA instead of OK.
        defaultValue: 0,
      });
    });
    const alarm = new cloudwatch.Alarm(this, `${name}Alarm`, {
      alarmDescription: `DevSecOps factory governance: ${why}. Check the CloudTrail event for who made the change.`,
      metric: new cloudwatch.Metric({
        namespace: this.namespace,
        metricName: name,
        statistic: cloudwatch.Stats.SUM,
        period: Duration.minutes(5),
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.props.alarmTopic));
    this.alarms.push(alarm);
  }
}

function anyOf(field: string, values: string[]): string {
  return `(${values.map((value) => `($.${field} = "${value}")`).join(' || ')})`;
}

function eventPattern(call: FactoryApiCall): string {
  return `{ ($.eventSource = "${call.eventSource}") && ${anyOf('eventName', call.eventNames)} }`;
}

function rolePolicyChangePattern(roleNames: string[]): string {
  return `{ ($.eventSource = "iam.amazonaws.com") && ${anyOf('eventName', ROLE_POLICY_CHANGE_EVENT_NAMES)} && `
    + `${anyOf('requestParameters.roleName', roleNames)} }`;
}
