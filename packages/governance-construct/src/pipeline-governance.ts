import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AuditTrail, AuditTrailProps } from './audit-trail';
import { ComplianceRules } from './compliance-rules';
import { ConfigRecorder } from './config-recorder';
import { FactoryActivityAlarms } from './factory-activity-alarms';
import { FactoryDashboard, FactoryDashboardProps } from './factory-dashboard';
import { FactoryEventRules } from './factory-event-rules';
import { FactoryNotifications } from './factory-notifications';
import { SecurityHubStandard, SecurityHubStandards } from './security-hub-standards';

/**
 * Properties of {@link PipelineGovernance}.
 */
export interface PipelineGovernanceProps {
  /**
   * The factory's pipelines. Failures of these pipelines are notified.
   *
   * @default - failures of every pipeline in the account and region
   */
  readonly pipelines?: codepipeline.IPipeline[];

  /**
   * The roles the factory runs as (pipeline, build projects, deploy roles).
   * Policy changes on them raise an alarm and a notification. Import existing
   * roles with `iam.Role.fromRoleArn` or `iam.Role.fromRoleName`.
   *
   * @default - role policy changes are not watched
   */
  readonly factoryRoles?: iam.IRole[];

  /**
   * Existing notification topics to use instead of creating them. Create the
   * {@link FactoryNotifications} first when constructs built before the
   * governance need its topics, e.g. the findings processor's alarms
   * (`alarmTopic: notifications.securityAlertTopic`). Email addresses are then
   * the notifications' own: `pipelineFailureEmails` and `securityAlertEmails`
   * must not be given as well.
   *
   * @default - new topics, subscribed by `pipelineFailureEmails` and `securityAlertEmails`
   */
  readonly notifications?: FactoryNotifications;

  /**
   * Email addresses told when a pipeline execution or stage fails.
   *
   * @default - no email subscription
   */
  readonly pipelineFailureEmails?: string[];

  /**
   * Email addresses told about critical changes to the factory and governance alarms.
   *
   * @default - no email subscription
   */
  readonly securityAlertEmails?: string[];

  /**
   * Retention and archiving of the audit trail.
   *
   * @default - see {@link AuditTrailProps}
   */
  readonly auditTrail?: AuditTrailProps;

  /**
   * CloudWatch namespace of the governance metrics.
   *
   * @default 'DevSecOpsFactory/Governance'
   */
  readonly metricNamespace?: string;

  /**
   * AWS Config managed rules not to deploy (identifiers from
   * {@link ComplianceRules.MANAGED_RULE_IDENTIFIERS}).
   *
   * @default - every rule is deployed
   */
  readonly excludedComplianceRules?: string[];

  /**
   * Create an AWS Config recorder and delivery channel. Only for an account
   * and region that do not record yet: a region holds at most one recorder.
   *
   * @default false
   */
  readonly enableConfigRecorder?: boolean;

  /**
   * Whether the created recorder also records global resources (IAM). Record
   * them in one region only.
   *
   * @default true
   */
  readonly recordGlobalResourceTypes?: boolean;

  /**
   * Enable Security Hub with `securityHubStandards`. Only for an account and
   * region where Security Hub is not enabled yet.
   *
   * @default false
   */
  readonly enableSecurityHub?: boolean;

  /**
   * Create a {@link FactoryDashboard} of pipeline health and findings. Its `pipelines` default to this
   * construct's `pipelines`.
   *
   * @default - no dashboard
   */
  readonly dashboard?: FactoryDashboardProps;

  /**
   * The standards enabled with Security Hub.
   *
   * @default [SecurityHubStandard.FOUNDATIONAL_BEST_PRACTICES, SecurityHubStandard.NIST_800_53_REV5]
   */
  readonly securityHubStandards?: SecurityHubStandard[];
}

/**
 * Audit, notification and compliance controls around a DevSecOps pipeline:
 * a multi-region CloudTrail trail with alarms on changes to the factory,
 * EventBridge notifications of pipeline failures and critical API calls,
 * AWS Config managed rules, and optionally an AWS Config recorder and
 * Security Hub with the AWS Foundational Security Best Practices and
 * NIST 800-53 rev5 standards.
 */
export class PipelineGovernance extends Construct {
  /** The audit trail, its buckets, key and log group. */
  public readonly auditTrail: AuditTrail;

  /** The notification topics. */
  public readonly notifications: FactoryNotifications;

  /** Metric filters and alarms on the trail's events. */
  public readonly activityAlarms: FactoryActivityAlarms;

  /** EventBridge rules routing factory events to the topics. */
  public readonly eventRules: FactoryEventRules;

  /** The AWS Config managed rules. */
  public readonly complianceRules: ComplianceRules;

  /** The AWS Config recorder, when `enableConfigRecorder` is set. */
  public readonly configRecorder?: ConfigRecorder;

  /** Security Hub and its standards, when `enableSecurityHub` is set. */
  public readonly securityHub?: SecurityHubStandards;

  /** The dashboard, when `dashboard` is set. */
  public readonly dashboard?: FactoryDashboard;

  constructor(scope: Construct, id: string, props: PipelineGovernanceProps = {}) {
    super(scope, id);
    this.auditTrail = new AuditTrail(this, 'AuditTrail', props.auditTrail);
    if (props.notifications && (props.pipelineFailureEmails !== undefined || props.securityAlertEmails !== undefined)) {
      throw new Error(
        'pipelineFailureEmails and securityAlertEmails subscribe new topics: with existing notifications, subscribe them in FactoryNotifications',
      );
    }
    this.notifications = props.notifications ?? new FactoryNotifications(this, 'Notifications', {
      pipelineFailureEmails: props.pipelineFailureEmails,
      securityAlertEmails: props.securityAlertEmails,
    });
    this.activityAlarms = new FactoryActivityAlarms(this, 'ActivityAlarms', {
      trailLogGroup: this.auditTrail.logGroup,
      alarmTopic: this.notifications.securityAlertTopic,
      factoryRoles: props.factoryRoles,
      metricNamespace: props.metricNamespace,
    });
    this.eventRules = new FactoryEventRules(this, 'EventRules', {
      notifications: this.notifications,
      pipelines: props.pipelines,
      factoryRoles: props.factoryRoles,
    });
    // The API-call rule only receives CloudTrail events while a trail logs them.
    this.eventRules.criticalApiCallRule.node.addDependency(this.auditTrail.trail);

    if (props.enableConfigRecorder) {
      this.configRecorder = new ConfigRecorder(this, 'ConfigRecorder', {
        serverAccessLogsBucket: this.auditTrail.accessLogsBucket,
        includeGlobalResourceTypes: props.recordGlobalResourceTypes,
      });
    }
    this.complianceRules = new ComplianceRules(this, 'ComplianceRules', {
      excludedRules: props.excludedComplianceRules,
      recorder: this.configRecorder,
    });

    if (props.enableSecurityHub) {
      this.securityHub = new SecurityHubStandards(this, 'SecurityHub', { standards: props.securityHubStandards });
    }
    if (props.dashboard) {
      this.dashboard = new FactoryDashboard(this, 'Dashboard', { ...props.dashboard, pipelines: props.dashboard.pipelines ?? props.pipelines });
    }
  }
}
