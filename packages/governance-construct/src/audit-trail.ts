import { allowCloudWatchLogsToUseKey, createFactoryKey } from '@devsecops-factory/construct-kit';
import { Duration, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { sourceAccountCondition } from './private/encryption-key';
import { createAccessLogsBucket, createAuditBucket } from './private/secure-bucket';

/**
 * Properties of an {@link AuditTrail}.
 */
export interface AuditTrailProps {
  /**
   * How long CloudWatch Logs keeps the trail's events for metric filters and queries.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly cloudWatchLogsRetention?: logs.RetentionDays;

  /**
   * Age after which trail log files move to S3 Glacier Flexible Retrieval.
   *
   * @default Duration.days(90)
   */
  readonly transitionToGlacierAfter?: Duration;

  /**
   * Age after which trail log files are deleted from the trail bucket. Must be
   * longer than `transitionToGlacierAfter`.
   *
   * @default Duration.days(2557) - seven years
   */
  readonly archiveRetention?: Duration;

  /**
   * Name of the trail. The trail bucket's policy lets CloudTrail write only for
   * this trail (`aws:SourceArn`), so the name is known at synthesis.
   *
   * @default - generated from the construct path and the region
   */
  readonly trailName?: string;

  /**
   * Age after which S3 server access logs of the audit buckets are deleted.
   *
   * @default Duration.days(365)
   */
  readonly accessLogsRetention?: Duration;
}

/**
 * A multi-region CloudTrail trail that records every management event of the
 * account into tamper-evident storage: log-file validation on, encrypted with a
 * rotating customer managed key, delivered to its own TLS-only, versioned
 * bucket (whose access is itself logged to a separate bucket) and streamed to a
 * KMS-encrypted CloudWatch Logs group for metric filters and alarms.
 */
export class AuditTrail extends Construct {
  /** The trail. */
  public readonly trail: cloudtrail.Trail;

  /** The key that encrypts the trail's log files, its bucket and its log group. */
  public readonly encryptionKey: kms.Key;

  /** The bucket that receives the trail's log files. */
  public readonly bucket: s3.Bucket;

  /** The bucket that receives S3 server access logs of the audit buckets. */
  public readonly accessLogsBucket: s3.Bucket;

  /** The CloudWatch Logs group the trail streams its events to. */
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: AuditTrailProps = {}) {
    super(scope, id);
    const transitionToGlacierAfter = props.transitionToGlacierAfter ?? Duration.days(90);
    const archiveRetention = props.archiveRetention ?? Duration.days(2557);
    if (archiveRetention.toDays() <= transitionToGlacierAfter.toDays()) {
      throw new Error(
        `archiveRetention (${archiveRetention.toDays()} days) must be longer than transitionToGlacierAfter `
          + `(${transitionToGlacierAfter.toDays()} days)`,
      );
    }

    this.encryptionKey = createFactoryKey(this, 'Key', { description: 'Encrypts the DevSecOps factory audit trail, its bucket and its log group' });
    allowCloudWatchLogsToUseKey(this.encryptionKey);

    this.accessLogsBucket = createAccessLogsBucket(this, 'AccessLogsBucket', {
      expireAfter: props.accessLogsRetention ?? Duration.days(365),
    });
    this.bucket = createAuditBucket(this, 'Bucket', {
      encryptionKey: this.encryptionKey,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'audit-trail-bucket/',
      transitionToGlacierAfter,
      expireAfter: archiveRetention,
    });

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      encryptionKey: this.encryptionKey,
      retention: props.cloudWatchLogsRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // The trail's ARN is built from its name, not read from the trail, which
    // depends on the bucket policy (CloudTrail checks it on creation).
    const trailName = props.trailName ?? `${Names.uniqueResourceName(this, { maxLength: 100, separator: '-' })}-${Stack.of(this).region}`;
    const trailArn = Stack.of(this).formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: trailName });
    this.allowThisTrailToDeliver(trailArn);
    this.allowCloudTrailToEncrypt(trailArn);

    this.trail = new cloudtrail.Trail(this, 'Trail', {
      trailName,
      // The Trail construct would add its own delivery statements, without
      // aws:SourceArn; through this reference it cannot, and the statements of
      // allowThisTrailToDeliver are the only ones.
      bucket: s3.Bucket.fromBucketAttributes(this, 'TrailBucket', { bucketArn: this.bucket.bucketArn, bucketName: this.bucket.bucketName }),
      encryptionKey: this.encryptionKey,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableFileValidation: true,
      managementEvents: cloudtrail.ReadWriteType.ALL,
      sendToCloudWatchLogs: true,
      cloudWatchLogGroup: this.logGroup,
    });
    this.trail.node.addDependency(this.bucket.policy!);
    Validations.of(this.trail).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: 'The Trail construct grants its CloudWatch Logs delivery role logs:CreateLogStream and logs:PutLogEvents on this log group only, in a '
        + 'policy attached to that role alone.',
    });
  }

  /**
   * CloudTrail checks the bucket ACL and writes log files under
   * `AWSLogs/<account>/` for this trail only (confused-deputy protection).
   */
  private allowThisTrailToDeliver(trailArn: string): void {
    const cloudtrailPrincipal = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    const thisTrail = { 'aws:SourceArn': trailArn };
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CloudTrailChecksBucketAcl',
      principals: [cloudtrailPrincipal],
      actions: ['s3:GetBucketAcl'],
      resources: [this.bucket.bucketArn],
      conditions: { StringEquals: thisTrail },
    }));
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CloudTrailWritesLogFilesOfThisTrail',
      principals: [cloudtrailPrincipal],
      actions: ['s3:PutObject'],
      resources: [this.bucket.arnForObjects(`AWSLogs/${Stack.of(this).account}/*`)],
      conditions: { StringEquals: { ...thisTrail, 's3:x-amz-acl': 'bucket-owner-full-control' } },
    }));
  }

  private allowCloudTrailToEncrypt(trailArn: string): void {
    const stack = Stack.of(this);
    const trailsOfThisAccount = stack.formatArn({
      service: 'cloudtrail',
      region: '*',
      resource: 'trail',
      resourceName: '*',
    });
    const cloudtrailPrincipal = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    this.encryptionKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CloudTrailEncryptsLogFilesOfThisAccount',
      principals: [cloudtrailPrincipal],
      actions: ['kms:GenerateDataKey'],
      resources: ['*'],
      conditions: {
        StringEquals: { ...sourceAccountCondition(this).StringEquals, 'aws:SourceArn': trailArn },
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': trailsOfThisAccount },
      },
    }));
    this.encryptionKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'CloudTrailDescribesKey',
      principals: [cloudtrailPrincipal],
      actions: ['kms:DescribeKey'],
      resources: ['*'],
      conditions: { StringEquals: { ...sourceAccountCondition(this).StringEquals, 'aws:SourceArn': trailArn } },
    }));
  }
}
