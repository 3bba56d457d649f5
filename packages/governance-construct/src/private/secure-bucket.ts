import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface AuditBucketProps {
  /** KMS key for default encryption. */
  readonly encryptionKey: kms.IKey;
  /** Where S3 server access logs for this bucket go. */
  readonly serverAccessLogsBucket: s3.IBucket;
  /** Prefix inside the access log bucket, so each bucket's logs stay apart. */
  readonly serverAccessLogsPrefix: string;
  /** When objects move to Glacier Flexible Retrieval. */
  readonly transitionToGlacierAfter: Duration;
  /** When current objects expire. */
  readonly expireAfter: Duration;
}

/**
 * A bucket for audit evidence: KMS-encrypted, TLS-only, no public access,
 * versioned so deleted or overwritten evidence stays recoverable, and retained
 * when its stack is deleted.
 */
export function createAuditBucket(scope: Construct, id: string, props: AuditBucketProps): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: props.encryptionKey,
    bucketKeyEnabled: true,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [
      {
        id: 'archive-then-expire',
        transitions: [{ storageClass: s3.StorageClass.GLACIER, transitionAfter: props.transitionToGlacierAfter }],
        expiration: props.expireAfter,
        noncurrentVersionExpiration: Duration.days(90),
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      },
    ],
  });
  logAccessTo(bucket, props.serverAccessLogsBucket, props.serverAccessLogsPrefix);
  acknowledgeNoReplication(bucket);
  return bucket;
}

/**
 * Server access logging through a bucket policy for the logging service, the
 * way S3 recommends. The L2 `serverAccessLogsBucket` prop would instead grant
 * the legacy LogDeliveryWrite ACL unless the consuming app sets a feature
 * flag, and ACLs conflict with BucketOwnerEnforced object ownership.
 */
function logAccessTo(source: s3.Bucket, target: s3.IBucket, prefix: string): void {
  const cfnSource = source.node.defaultChild as s3.CfnBucket;
  cfnSource.loggingConfiguration = { destinationBucketName: target.bucketName, logFilePrefix: prefix };
  target.addToResourcePolicy(new iam.PolicyStatement({
    sid: `S3ServerAccessLogsFrom${source.node.id}`,
    principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [target.arnForObjects(`${prefix}*`)],
    conditions: {
      ArnLike: { 'aws:SourceArn': source.bucketArn },
      StringEquals: { 'aws:SourceAccount': Stack.of(source).account },
    },
  }));
}

export interface AccessLogsBucketProps {
  /** When access log objects expire. */
  readonly expireAfter: Duration;
}

/**
 * The target of S3 server access logging. S3 delivers access logs only to a
 * bucket encrypted with SSE-S3 (not SSE-KMS), so this one bucket cannot use the
 * audit key.
 */
export function createAccessLogsBucket(scope: Construct, id: string, props: AccessLogsBucketProps): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [
      {
        id: 'expire-access-logs',
        expiration: props.expireAfter,
        noncurrentVersionExpiration: Duration.days(30),
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      },
    ],
  });
  Validations.of(bucket).acknowledge({
    id: 'NIST.800.53.R5-S3DefaultEncryptionKMS',
    reason: 'S3 server access log delivery supports only SSE-S3 on the target bucket; the bucket holds request metadata, not audit log contents, and '
      + 'is TLS-only with public access blocked.',
  });
  acknowledgeNoReplication(bucket);
  return bucket;
}

/**
 * Cross-region replication needs a destination bucket and key in a second
 * region (usually a central log archive account): an organization decision
 * this construct cannot make for its consumer.
 */
function acknowledgeNoReplication(bucket: s3.Bucket): void {
  Validations.of(bucket).acknowledge({
    id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
    reason: 'Audit evidence is kept versioned in the home region; replication to a log archive account and region is set up by the organization, '
      + 'which owns the destination bucket and key.',
  });
}
