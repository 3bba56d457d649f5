import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * Administration and use of the key delegated to the account's IAM policies,
 * as aws-cdk-lib's default does, but with the actions spelled out instead of
 * `kms:*`: no service-wide wildcard, and still no lockout (PutKeyPolicy stays).
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

export function accountDelegatedKeyPolicy(): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [new iam.PolicyStatement({
      sid: 'DelegateToAccountIamPolicies',
      principals: [new iam.AccountRootPrincipal()],
      actions: ACCOUNT_KEY_ACTIONS,
      // In a key policy, "*" means "this key".
      resources: ['*'],
    })],
  });
}
