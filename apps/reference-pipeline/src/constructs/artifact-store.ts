import { createFactoryKey } from '@devsecops-factory/construct-kit';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface ArtifactStoreProps {
  /** How long noncurrent artifact versions are kept before expiry. @default 30 days */
  readonly noncurrentVersionExpiration?: Duration;
  /** @default RemovalPolicy.RETAIN — pipeline artifacts are audit evidence */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The pipeline's artifact bucket and the customer managed key shared by the
 * factory: KMS at rest with rotation, TLS-only, versioned, no public access,
 * server access logs to a separate bucket.
 */
export class ArtifactStore extends Construct {
  public readonly key: kms.Key;
  public readonly bucket: s3.Bucket;
  public readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ArtifactStoreProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.key = createFactoryKey(this, 'Key', {
      description: 'DevSecOps factory: pipeline artifacts, reports, logs and notifications',
      removalPolicy,
    });

    // Access logs cannot go to a KMS-CMK bucket with the S3 log delivery service;
    // SSE-S3 is the strongest encryption server access logging supports.
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy,
    });
    Validations.of(this.accessLogsBucket).acknowledge(
      {
        id: 'NIST.800.53.R5-S3DefaultEncryptionKMS',
        reason: 'S3 server access log delivery only supports SSE-S3 destination buckets; the logs hold request metadata, not artifacts',
      },
    );

    this.bucket = new s3.Bucket(this, 'Artifacts', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'artifacts/',
      lifecycleRules: [{ noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? Duration.days(30) }],
      removalPolicy,
    });

    for (const bucket of [this.bucket, this.accessLogsBucket]) {
      Validations.of(bucket).acknowledge({
        id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
        reason: 'Artifacts and their access logs are rebuilt by re-running the pipeline from source; '
          + 'versioning plus retention covers recovery in-region, cross-region replication is left to the account backup policy',
      });
    }
  }
}
