import { Validations } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { FactoryNotifications } from './factory-notifications';
import { AUDIT_TRAIL_TAMPERING, FACTORY_API_CALLS, ROLE_POLICY_CHANGE_EVENT_NAMES } from './private/factory-api-calls';

/**
 * Properties of {@link FactoryEventRules}.
 */
export interface FactoryEventRulesProps {
  /**
   * The topics to notify. Their policies and key already let EventBridge
   * rules of this account publish, so the rules add no permission of their own.
   */
  readonly notifications: FactoryNotifications;

  /**
   * Only failures of these pipelines are notified.
   *
   * @default - failures of every pipeline in the account and region
   */
  readonly pipelines?: codepipeline.IPipeline[];

  /**
   * Roles whose policy changes are notified. IAM publishes its events to
   * EventBridge in us-east-1 only, so this rule fires only in a stack deployed
   * there; the metric filter alarms of {@link FactoryActivityAlarms} cover
   * every region through the multi-region trail.
   *
   * @default - no role policy change rule
   */
  readonly factoryRoles?: iam.IRole[];
}

/**
 * EventBridge rules that turn factory events into notifications: pipeline
 * execution and stage failures to the delivery team, and critical API calls
 * (pipeline, build project and audit trail changes, role policy changes) to
 * the security team. Messages carry names, ids and the caller's ARN only.
 */
export class FactoryEventRules extends Construct {
  /** Matches failed pipeline executions. */
  public readonly pipelineExecutionFailedRule: events.Rule;

  /** Matches failed pipeline stages. */
  public readonly stageExecutionFailedRule: events.Rule;

  /** Matches pipeline, build project and audit trail changes recorded by CloudTrail. */
  public readonly criticalApiCallRule: events.Rule;

  /** Matches policy changes on the factory's roles, when roles were given. */
  public readonly rolePolicyChangeRule?: events.Rule;

  constructor(scope: Construct, id: string, props: FactoryEventRulesProps) {
    super(scope, id);
    // Referenced rather than passed as L2 topics: the SnsTopic target would
    // otherwise add an unconditioned publish statement and a kms:GenerateDataKey*
    // grant for EventBridge next to the scoped ones FactoryNotifications has.
    const pipelineFailureTopic = sns.Topic.fromTopicArn(this, 'PipelineFailureTopic', props.notifications.pipelineFailureTopic.topicArn);
    const securityAlertTopic = sns.Topic.fromTopicArn(this, 'SecurityAlertTopic', props.notifications.securityAlertTopic.topicArn);
    const pipelineNames = props.pipelines?.map((pipeline) => pipeline.pipelineName);
    const pipelineFilter = pipelineNames && pipelineNames.length > 0 ? { pipeline: pipelineNames } : {};

    this.pipelineExecutionFailedRule = new events.Rule(this, 'PipelineExecutionFailed', {
      description: 'DevSecOps factory: a pipeline execution failed',
      eventPattern: {
        source: ['aws.codepipeline'],
        detailType: ['CodePipeline Pipeline Execution State Change'],
        detail: { ...pipelineFilter, state: ['FAILED'] },
      },
    });
    this.pipelineExecutionFailedRule.addTarget(new targets.SnsTopic(pipelineFailureTopic, {
      message: events.RuleTargetInput.fromText(
        `Pipeline ${events.EventField.fromPath('$.detail.pipeline')} execution ${events.EventField.fromPath('$.detail.execution-id')} failed at `
          + `${events.EventField.time} in ${events.EventField.region}.`,
      ),
    }));

    this.stageExecutionFailedRule = new events.Rule(this, 'StageExecutionFailed', {
      description: 'DevSecOps factory: a pipeline stage failed',
      eventPattern: {
        source: ['aws.codepipeline'],
        detailType: ['CodePipeline Stage Execution State Change'],
        detail: { ...pipelineFilter, state: ['FAILED'] },
      },
    });
    this.stageExecutionFailedRule.addTarget(new targets.SnsTopic(pipelineFailureTopic, {
      message: events.RuleTargetInput.fromText(
        `Stage ${events.EventField.fromPath('$.detail.stage')} of pipeline ${events.EventField.fromPath('$.detail.pipeline')} failed (execution `
          + `${events.EventField.fromPath('$.detail.execution-id')}) at ${events.EventField.time} in ${events.EventField.region}.`,
      ),
    }));

    const calls = [...FACTORY_API_CALLS, AUDIT_TRAIL_TAMPERING];
    this.criticalApiCallRule = new events.Rule(this, 'CriticalApiCall', {
      description: 'DevSecOps factory: a pipeline, build project or the audit trail was changed',
      eventPattern: {
        source: unique(calls.map((call) => `aws.${call.eventSource.split('.')[0]}`)),
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: unique(calls.map((call) => call.eventSource)),
          eventName: unique(calls.flatMap((call) => call.eventNames)),
        },
      },
    });
    this.criticalApiCallRule.addTarget(new targets.SnsTopic(securityAlertTopic, { message: apiCallMessage() }));
    for (const rule of [this.pipelineExecutionFailedRule, this.stageExecutionFailedRule, this.criticalApiCallRule]) {
      acknowledgeTopicOfThisStack(rule);
    }

    const roleNames = (props.factoryRoles ?? []).map((role) => role.roleName);
    if (roleNames.length > 0) {
      this.rolePolicyChangeRule = new events.Rule(this, 'FactoryRolePolicyChange', {
        description: 'DevSecOps factory: a policy of a factory role was changed',
        eventPattern: {
          source: ['aws.iam'],
          detailType: ['AWS API Call via CloudTrail'],
          detail: {
            eventSource: ['iam.amazonaws.com'],
            eventName: ROLE_POLICY_CHANGE_EVENT_NAMES,
            requestParameters: { roleName: roleNames },
          },
        },
      });
      this.rolePolicyChangeRule.addTarget(new targets.SnsTopic(securityAlertTopic, { message: apiCallMessage() }));
      acknowledgeTopicOfThisStack(this.rolePolicyChangeRule);
    }
  }
}

/**
 * The target topic is referenced by ARN (see above), so aws-cdk-lib reads its
 * account and region from that ARN: tokens, which it cannot compare with the
 * literal environment of a stack that has one, and it warns about a possible
 * cross-environment rule. The topic is FactoryNotifications' topic in this
 * same stack, so the rule is never cross-environment.
 */
function acknowledgeTopicOfThisStack(rule: events.Rule): void {
  Validations.of(rule).acknowledge({
    id: '@aws-cdk/aws-events:ruleUnresolvedEnvironment',
    reason: 'The target is a FactoryNotifications topic of this same stack, referenced by ARN so that no extra publish grant is added; rule and '
      + 'topic always share account and region.',
  });
}

function apiCallMessage(): events.RuleTargetInput {
  return events.RuleTargetInput.fromText(
    `${events.EventField.fromPath('$.detail.eventName')} on ${events.EventField.fromPath('$.detail.eventSource')} by `
      + `${events.EventField.fromPath('$.detail.userIdentity.arn')} at ${events.EventField.time} in ${events.EventField.region}.`,
  );
}

function unique(values: string[]): string[] {
  return [...new Set(values)].sort();
}
