import { createFactoryKey } from '@devsecops-factory/construct-kit';
import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { sourceAccountCondition } from './private/encryption-key';

/**
 * Properties of {@link FactoryNotifications}.
 */
export interface FactoryNotificationsProps {
  /**
   * Email addresses told when a pipeline execution or stage fails.
   *
   * Each address receives a confirmation email from SNS and gets nothing until
   * it is confirmed.
   *
   * @default - no email subscription
   */
  readonly pipelineFailureEmails?: string[];

  /**
   * Email addresses told about critical changes to the factory (pipeline,
   * build project, role policy or audit trail changes) and governance alarms.
   *
   * @default - no email subscription
   */
  readonly securityAlertEmails?: string[];
}

/**
 * The factory's two notification topics, one for the delivery team
 * (pipeline failures) and one for the security team (critical changes and
 * alarms), both encrypted with a rotating customer managed key that only
 * EventBridge and CloudWatch alarms of this account may use to publish, and
 * both refusing any request that is not made over TLS.
 */
export class FactoryNotifications extends Construct {
  /** Receives pipeline execution and stage failures. */
  public readonly pipelineFailureTopic: sns.Topic;

  /** Receives critical API calls on the factory and governance alarms. */
  public readonly securityAlertTopic: sns.Topic;

  /** The key both topics are encrypted with. */
  public readonly encryptionKey: kms.Key;

  constructor(scope: Construct, id: string, props: FactoryNotificationsProps = {}) {
    super(scope, id);
    this.encryptionKey = createFactoryKey(this, 'Key', { description: 'Encrypts the DevSecOps factory notification topics' });
    // SNS encrypts each message with a data key; the publishing service needs
    // to generate it and SNS needs to decrypt it on delivery.
    this.encryptionKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'EventBridgeAndAlarmsPublishToEncryptedTopics',
      principals: [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: sourceAccountCondition(this),
    }));

    this.pipelineFailureTopic = this.createTopic('PipelineFailureTopic', 'DevSecOps factory: pipeline failures', props.pipelineFailureEmails);
    this.securityAlertTopic = this.createTopic('SecurityAlertTopic', 'DevSecOps factory: security alerts', props.securityAlertEmails);
    this.allowServiceOfThisAccountToPublish(this.pipelineFailureTopic, 'events', 'rule/*');
    this.allowServiceOfThisAccountToPublish(this.securityAlertTopic, 'events', 'rule/*');
    this.allowServiceOfThisAccountToPublish(this.securityAlertTopic, 'cloudwatch', 'alarm:*');
  }

  private createTopic(id: string, displayName: string, emails: string[] = []): sns.Topic {
    const topic = new sns.Topic(this, id, {
      displayName,
      masterKey: this.encryptionKey,
      enforceSSL: true,
    });
    for (const email of emails) {
      if (!Token.isUnresolved(email) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
        throw new Error(`'${email}' is not an email address (subscription to ${id})`);
      }
      topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    return topic;
  }

  /**
   * A topic policy replaces SNS's implicit owner-only policy, so EventBridge
   * rules and CloudWatch alarms must be allowed explicitly, and only those of
   * this account and region.
   */
  private allowServiceOfThisAccountToPublish(topic: sns.Topic, service: 'events' | 'cloudwatch', resource: string): void {
    const [resourceType, resourceName] = resource.split(/[/:]/);
    const sources = Stack.of(this).formatArn({
      service,
      resource: resourceType,
      resourceName,
      arnFormat: resource.includes('/') ? ArnFormat.SLASH_RESOURCE_NAME : ArnFormat.COLON_RESOURCE_NAME,
    });
    topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: service === 'events' ? 'EventBridgeRulesOfThisAccountPublish' : 'CloudWatchAlarmsOfThisAccountPublish',
      principals: [new iam.ServicePrincipal(`${service}.amazonaws.com`)],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        ...sourceAccountCondition(this),
        ArnLike: { 'aws:SourceArn': sources },
      },
    }));
  }
}
