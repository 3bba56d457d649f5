import { Arn, ArnFormat, Stack, aws_iam as iam, aws_kms as kms } from 'aws-cdk-lib';

/**
 * CloudWatch Logs encrypts with a customer managed key only if the key policy
 * lets the regional service use it, here for log groups of this account and
 * region only. The principal takes the partition's URL suffix (`amazonaws.com.cn`
 * in aws-cn). A no-op for an imported key, whose owner grants it.
 */
export function allowLogsToUseKey(key: kms.IKey, stack: Stack): void {
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchLogsOfThisAccount',
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.${stack.urlSuffix}`)],
    actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
    resources: ['*'],
    conditions: {
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': Arn.format({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }, stack),
      },
    },
  }));
}
