import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * Key administration and IAM-delegated use, listed action by action: the CDK
 * default key policy grants the account `kms:*`, a service-wide wildcard the
 * factory's least-privilege rule forbids. The account principal still has to be
 * trusted here, otherwise IAM policies could never grant use of the key and the
 * key could not be administered after deployment.
 */
const ACCOUNT_KEY_ACTIONS = [
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
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
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

export interface AuditKeyProps {
  readonly description: string;
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A customer managed key with yearly rotation and an explicit key policy
 * (no `kms:*`); callers add the statements for the service principals that
 * encrypt with it.
 */
export function createAuditKey(scope: Construct, id: string, props: AuditKeyProps): kms.Key {
  const policy = new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'AccountAdministersAndDelegatesKeyUse',
        principals: [new iam.AccountRootPrincipal()],
        actions: ACCOUNT_KEY_ACTIONS,
        resources: ['*'],
      }),
    ],
  });
  return new kms.Key(scope, id, {
    description: props.description,
    enableKeyRotation: true,
    rotationPeriod: Duration.days(365),
    pendingWindow: Duration.days(30),
    policy,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
  });
}

/** The account's id as a condition value, so a service can only use the key on this account's behalf. */
export function sourceAccountCondition(scope: Construct): Record<string, Record<string, string>> {
  return { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } };
}
