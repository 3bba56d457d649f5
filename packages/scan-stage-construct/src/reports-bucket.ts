import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Properties of a {@link ReportsBucket}. */
export interface ReportsBucketProps {
  /** Key encrypting the reports (SSE-KMS with an S3 bucket key). */
  readonly encryptionKey: kms.IKey;

  /**
   * How long raw reports and converted findings are kept.
   *
   * @default Duration.days(365)
   */
  readonly reportRetention?: Duration;

  /**
   * How long overwritten or deleted object versions are kept.
   *
   * @default Duration.days(30)
   */
  readonly noncurrentVersionRetention?: Duration;

  /**
   * How long the server access logs are kept.
   *
   * @default Duration.days(365)
   */
  readonly accessLogRetention?: Duration;
}

/**
 * The bucket scan stages upload raw reports to: KMS-encrypted, TLS only,
 * versioned, private, with server access logs in a separate bucket and
 * lifecycle rules on every prefix.
 */
export class ReportsBucket extends Construct {
  /** The reports bucket. */
  public readonly bucket: s3.Bucket;
  /** The bucket receiving the reports bucket's server access logs. */
  public readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ReportsBucketProps) {
    super(scope, id);
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      // S3 server access log delivery only supports SSE-S3 on the target bucket.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // Object ownership is left to aws-cdk-lib: log delivery needs ObjectWriter with ACL-based
      // delivery, BucketOwnerEnforced with policy-based delivery (a feature flag).
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{
        expiration: props.accessLogRetention ?? Duration.days(365),
        noncurrentVersionExpiration: Duration.days(30),
      }],
    });
    Validations.of(this.accessLogsBucket).acknowledge(
      {
        id: 'NIST.800.53.R5-S3DefaultEncryptionKMS',
        reason: 'S3 server access log delivery does not support SSE-KMS target buckets; SSE-S3 is used.',
      },
      {
        id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
        reason: 'Access logs are kept in the region of the factory; cross-region copies are an organisation-level backup decision.',
      },
    );

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'reports/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{
        expiration: props.reportRetention ?? Duration.days(365),
        noncurrentVersionExpiration: props.noncurrentVersionRetention ?? Duration.days(30),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      }],
    });
    Validations.of(this.bucket).acknowledge({
      id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
      reason: 'Reports are re-created by the next pipeline run and their findings live in Security Hub; '
        + 'cross-region copies are an organisation-level backup decision.',
    });
  }
}
