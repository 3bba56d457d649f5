import { createFactoryKey } from '@devsecops-factory/construct-kit';
import {
  Duration, Token, Validations,
  aws_codepipeline as codepipeline,
  aws_codepipeline_actions as actions,
  aws_iam as iam,
  aws_kms as kms,
  aws_sns as sns,
  aws_sns_subscriptions as subscriptions,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { FindingsFilter } from './findings-filter';
import { DeployImage } from '../image/deploy-image';
import { securityHubFindingsUrl } from '../private/security-hub-findings-url';

/** CodePipeline truncates nothing: longer approval messages are refused. */
const MAX_CUSTOM_DATA = 500;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Properties of an `ApprovalGate`.
 */
export interface ApprovalGateProps {
  /**
   * The environment the image is promoted to, e.g. `production` (the `environment` of the `EksDeployStage` the
   * gate guards): letters, digits and hyphens (at most 40). It names the action (`Approve-production`) and
   * appears in the approval request.
   */
  readonly environment: string;

  /** The image being promoted (the same object the deploy stages get). */
  readonly image: DeployImage;

  /**
   * The commit being promoted, e.g. `#{SourceVariables.CommitId}`.
   */
  readonly commitId: string;

  /**
   * Addresses that receive the approval request.
   *
   * @default - no subscription (subscribe to `topic` elsewhere)
   */
  readonly notifyEmails?: string[];

  /**
   * KMS key that encrypts the notification topic.
   *
   * @default - a new key with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Filters of the Security Hub findings the message links to.
   *
   * @default - active findings whose ProductFields.Commit is the promoted commit
   */
  readonly findingsFilters?: FindingsFilter[];

  /**
   * How long the approval waits before it fails.
   *
   * @default Duration.days(3)
   */
  readonly timeout?: Duration;

  /**
   * Position of the action in its pipeline stage.
   *
   * @default 1
   */
  readonly runOrder?: number;
}

/**
 * A manual approval before a promotion. Approvers are notified through a
 * KMS-encrypted, TLS-only SNS topic; the request says which image digest and
 * commit are promoted and links to their findings in Security Hub.
 */
export class ApprovalGate extends Construct {
  /** The manual approval action to add to a pipeline stage. */
  public readonly action: codepipeline.IAction;
  /** The topic approval requests are published to. */
  public readonly topic: sns.ITopic;
  /** The key that encrypts the topic. */
  public readonly encryptionKey: kms.IKey;
  /** Link to the promoted build's findings in the Security Hub console. */
  public readonly findingsUrl: string;
  /** The approval request text. */
  public readonly message: string;

  constructor(scope: Construct, id: string, props: ApprovalGateProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/.test(props.environment)) {
      throw new Error(`environment must be letters, digits and hyphens (at most 40); got '${props.environment}'`);
    }
    const timeout = props.timeout ?? Duration.days(3);
    if (timeout.toMinutes() < 1 || timeout.toMinutes() > Duration.days(7).toMinutes()) {
      throw new Error('timeout must be between 1 minute and 7 days (the CodePipeline limit)');
    }
    for (const email of props.notifyEmails ?? []) {
      if (!Token.isUnresolved(email) && !EMAIL.test(email)) {
        throw new Error(`not an email address: '${email}'`);
      }
    }

    this.encryptionKey = props.encryptionKey
      ?? createFactoryKey(this, 'Key', { description: `Encrypts the ${props.environment} approval notifications` });
    const topic = new sns.Topic(this, 'Topic', {
      masterKey: this.encryptionKey,
      enforceSSL: true,
      displayName: `Approve promotion to ${props.environment}`,
    });
    for (const email of props.notifyEmails ?? []) {
      topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    this.topic = topic;

    this.findingsUrl = securityHubFindingsUrl(this, props.findingsFilters ?? [
      { field: 'RecordState', value: 'ACTIVE' },
      { field: 'ProductFields', key: 'Commit', value: props.commitId },
    ]);
    this.message = `Promote ${props.image.reference} (commit ${props.commitId}) to ${props.environment}? `
      + 'Review its Security Hub findings (link) before approving.';
    if (!Token.isUnresolved(this.message) && this.message.length > MAX_CUSTOM_DATA) {
      throw new Error(`the approval message is longer than ${MAX_CUSTOM_DATA} characters; shorten the repository or environment name`);
    }

    this.action = new KeyPolicyGrantingApprovalAction(this.encryptionKey, {
      actionName: `Approve-${props.environment}`,
      notificationTopic: topic,
      additionalInformation: this.message,
      externalEntityLink: this.findingsUrl,
      timeout,
      runOrder: props.runOrder,
    });
  }
}

/**
 * The pipeline role publishes the approval request, so the key policy names
 * that role (besides the IAM grant aws-cdk-lib adds for the topic).
 */
class KeyPolicyGrantingApprovalAction extends actions.ManualApprovalAction {
  constructor(private readonly key: kms.IKey, props: actions.ManualApprovalActionProps) {
    super(props);
  }

  protected bound(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowThePipelineToPublishApprovalRequests',
      principals: [options.role],
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: ['*'],
    }));
    // aws-cdk-lib's grantPublish on a KMS-encrypted topic gives the action role kms:GenerateDataKey* on the key.
    Validations.of(options.role).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason: 'Added by aws-cdk-lib when the approval action may publish to its KMS-encrypted topic; limited to the topic\'s one key.',
    });
    return super.bound(scope, stage, options);
  }
}
