import { acknowledgeWildcardResource, createFactoryKey } from '@devsecops-factory/construct-kit';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { createAuditBucket } from './private/secure-bucket';

/** Shorter than a month, the history would not outlive the incidents it helps investigate. */
const MINIMUM_RETENTION_DAYS = 30;

/**
 * Properties of a {@link ConfigRecorder}.
 */
export interface ConfigRecorderProps {
  /** Where S3 server access logs of the configuration history bucket go. */
  readonly serverAccessLogsBucket: s3.IBucket;

  /**
   * Whether this region records global resources (IAM users, roles, policies).
   * Record them in exactly one region of the account to avoid duplicate
   * configuration items.
   *
   * @default true
   */
  readonly includeGlobalResourceTypes?: boolean;

  /**
   * Age after which configuration history and snapshots are deleted; at
   * least 30 days. They move to Glacier after 90 days, or a day before
   * deletion when the retention is shorter.
   *
   * @default Duration.days(2557) - seven years
   */
  readonly retention?: Duration;
}

/**
 * An AWS Config configuration recorder for every supported resource type and
 * its delivery channel into a dedicated KMS-encrypted, TLS-only, versioned
 * bucket. Only for accounts and regions that do not record yet: a region
 * holds at most one recorder.
 */
export class ConfigRecorder extends Construct {
  /** The configuration recorder. */
  public readonly recorder: config.CfnConfigurationRecorder;

  /** The delivery channel into {@link ConfigRecorder.bucket}. */
  public readonly deliveryChannel: config.CfnDeliveryChannel;

  /** Receives configuration history and snapshots. */
  public readonly bucket: s3.Bucket;

  /** Encrypts the configuration history. */
  public readonly encryptionKey: kms.Key;

  /** The role AWS Config records and delivers with. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ConfigRecorderProps) {
    super(scope, id);
    const retention = props.retention ?? Duration.days(2557);
    if (retention.toDays() < MINIMUM_RETENTION_DAYS) {
      throw new Error(`retention must be at least ${MINIMUM_RETENTION_DAYS} days (got ${retention.toDays()})`);
    }

    this.encryptionKey = createFactoryKey(this, 'Key', {
      description: 'Encrypts the AWS Config configuration history of the DevSecOps factory account',
    });
    this.bucket = createAuditBucket(this, 'Bucket', {
      encryptionKey: this.encryptionKey,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      serverAccessLogsPrefix: 'config-history-bucket/',
      transitionToGlacierAfter: Duration.days(Math.min(90, retention.toDays() - 1)),
      expireAfter: retention,
    });

    this.role = new iam.Role(this, 'Role', {
      description: 'AWS Config records the account configuration and delivers it to the governance bucket',
      assumedBy: new iam.ServicePrincipal('config.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWS_ConfigRole')],
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWS_ConfigRole]',
      reason: 'AWS_ConfigRole is the AWS-maintained read-only policy that lets AWS Config describe every resource type it records; a copy would fall '
        + 'behind as AWS Config adds resource types.',
    });
    // A customer managed policy (not an inline one) so it can be reviewed and
    // reused on its own; delivery needs exactly these calls on this bucket and key.
    const configHistoryObjects = this.bucket.arnForObjects(`AWSLogs/${Stack.of(this).account}/Config/*`);
    const deliveryPolicy = new iam.ManagedPolicy(this, 'DeliveryPolicy', {
      description: 'AWS Config delivers configuration history to the governance bucket',
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          actions: ['s3:GetBucketAcl'],
          resources: [this.bucket.bucketArn],
        }),
        new iam.PolicyStatement({
          actions: ['s3:PutObject'],
          resources: [configHistoryObjects],
          conditions: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
        }),
        new iam.PolicyStatement({
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [this.encryptionKey.keyArn],
        }),
      ],
    });

    acknowledgeWildcardResource(deliveryPolicy, configHistoryObjects,
      'AWS Config writes history and snapshot objects under date-based keys it chooses; the wildcard is confined to this account\'s '
        + 'Config prefix of this bucket.');

    this.recorder = new config.CfnConfigurationRecorder(this, 'Recorder', {
      roleArn: this.role.roleArn,
      recordingGroup: {
        allSupported: true,
        includeGlobalResourceTypes: props.includeGlobalResourceTypes ?? true,
      },
    });

    this.deliveryChannel = new config.CfnDeliveryChannel(this, 'DeliveryChannel', {
      s3BucketName: this.bucket.bucketName,
      s3KmsKeyArn: this.encryptionKey.keyArn,
      configSnapshotDeliveryProperties: { deliveryFrequency: 'TwentyFour_Hours' },
    });
    // Config refuses a delivery channel while the region has no recorder.
    this.deliveryChannel.node.addDependency(this.recorder);
  }
}
