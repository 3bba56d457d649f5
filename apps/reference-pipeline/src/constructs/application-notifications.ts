import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/**
 * IAM calls that change what a role may do or who may assume it: the governance construct's list
 * (`ROLE_POLICY_CHANGE_EVENT_NAMES`, a test keeps them equal).
 */
export const ROLE_POLICY_CHANGE_EVENT_NAMES = [
  'AttachRolePolicy',
  'DeleteRolePermissionsBoundary',
  'DeleteRolePolicy',
  'DetachRolePolicy',
  'PutRolePermissionsBoundary',
  'PutRolePolicy',
  'UpdateAssumeRolePolicy',
];

export interface ApplicationNotificationsProps {
  readonly pipeline: codepipeline.IPipeline;
  /** The roles the application's pipeline runs as: a policy change on one is an alert. */
  readonly roles: iam.IRole[];
  /** The application's team. */
  readonly emails: string[];
  /** The application's key (the topic is encrypted with it). */
  readonly encryptionKey: kms.IKey;
}

/**
 * What one application's team is told in a multi-application factory: its
 * own pipeline's failures and policy changes on its own roles. The factory's
 * governance (shared stack) tells the platform team about every pipeline; the
 * role watch lives here because the role names of 50 applications do not fit
 * one event pattern (2,048 characters) or one trail log group's 100 metric
 * filters.
 */
export class ApplicationNotifications extends Construct {
  public readonly topic: sns.Topic;
  public readonly rules: events.Rule[] = [];

  constructor(scope: Construct, id: string, props: ApplicationNotificationsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const sourceAccount = { StringEquals: { 'aws:SourceAccount': stack.account } };
    // SNS encrypts each message with a data key EventBridge generates; SNS decrypts it on delivery.
    props.encryptionKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'EventBridgePublishesToTheApplicationTopic',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      // In a key policy, "*" means "this key".
      resources: ['*'],
      conditions: sourceAccount,
    }));
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `DevSecOps factory: ${props.pipeline.pipelineName}`,
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    for (const email of props.emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    this.topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'EventBridgeRulesOfThisAccountPublish',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
      conditions: {
        ...sourceAccount,
        ArnLike: {
          'aws:SourceArn': stack.formatArn({ service: 'events', resource: 'rule', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
        },
      },
    }));

    const failed = (detailType: string, message: string) => this.notify(detailType.replace(/ /g, ''), {
      source: ['aws.codepipeline'],
      detailType: [detailType],
      detail: { pipeline: [props.pipeline.pipelineName], state: ['FAILED'] },
    }, message);
    const pipeline = events.EventField.fromPath('$.detail.pipeline');
    const execution = events.EventField.fromPath('$.detail.execution-id');
    failed('CodePipeline Pipeline Execution State Change', `Pipeline ${pipeline} execution ${execution} failed at ${events.EventField.time}.`);
    failed('CodePipeline Stage Execution State Change',
      `Stage ${events.EventField.fromPath('$.detail.stage')} of pipeline ${pipeline} failed (execution ${execution}).`);
    this.notify('RolePolicyChange', {
      source: ['aws.iam'],
      detailType: ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['iam.amazonaws.com'],
        eventName: ROLE_POLICY_CHANGE_EVENT_NAMES,
        requestParameters: { roleName: props.roles.map((role) => role.roleName) },
      },
    }, `${events.EventField.fromPath('$.detail.eventName')} on role ${events.EventField.fromPath('$.detail.requestParameters.roleName')} `
      + `by ${events.EventField.fromPath('$.detail.userIdentity.arn')} at ${events.EventField.time}.`);
  }

  private notify(id: string, eventPattern: events.EventPattern, message: string): void {
    const rule = new events.Rule(this, id, { eventPattern });
    rule.addTarget(new targets.SnsTopic(this.topic, { message: events.RuleTargetInput.fromText(message) }));
    this.rules.push(rule);
  }
}
