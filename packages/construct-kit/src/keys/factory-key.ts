import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * What the account may do with a factory key through IAM, spelled out instead of aws-cdk-lib's default `kms:*`
 * (a service-wide wildcard the factory's least-privilege rule forbids). The account principal must still be
 * trusted, or no IAM policy could ever grant use of the key and nobody could administer it after deployment;
 * PutKeyPolicy stays, so the key cannot lock its owners out. The list is every KMS action that applies to a
 * key resource: administration (aliases, rotation, grants, tags, deletion) and use.
 */
export const ACCOUNT_KEY_ACTIONS: readonly string[] = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListAliases',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:RetireGrant',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
];

/** Properties of {@link createFactoryKey}. */
export interface FactoryKeyProps {
  /** What the key encrypts (shown in the KMS console and in CloudTrail). */
  readonly description: string;
  /**
   * What happens to the key when the stack is deleted: retained by default, because what it encrypted
   * (reports, audit logs, artifacts) outlives the stack.
   */
  readonly removalPolicy?: RemovalPolicy;
  /** Days between the deletion request and the deletion; default 30, the longest KMS allows. */
  readonly pendingWindow?: Duration;
}

/**
 * The one way the factory creates a KMS key: rotated yearly, retained, 30-day deletion window, and a key policy
 * that delegates use and administration to the account's IAM with the actions listed (no `kms:*`). Service
 * principals that encrypt with it (CloudWatch Logs, CloudTrail, SNS, S3 notifications...) are added by the
 * caller with `addToResourcePolicy`, scoped by conditions.
 */
export function createFactoryKey(scope: Construct, id: string, props: FactoryKeyProps): kms.Key {
  return new kms.Key(scope, id, {
    description: props.description,
    enableKeyRotation: true,
    rotationPeriod: Duration.days(365),
    pendingWindow: props.pendingWindow ?? Duration.days(30),
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    policy: new iam.PolicyDocument({
      statements: [new iam.PolicyStatement({
        sid: 'AccountAdministersAndDelegatesKeyUse',
        principals: [new iam.AccountRootPrincipal()],
        actions: [...ACCOUNT_KEY_ACTIONS],
        // In a key policy, "*" means "this key".
        resources: ['*'],
      })],
    }),
  });
}
