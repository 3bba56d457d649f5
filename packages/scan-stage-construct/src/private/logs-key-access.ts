import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';

const keysOpenedToLogs = new WeakSet<kms.IKey>();

/**
 * CloudWatch Logs encrypts a log group with a customer key only when the key
 * policy lets the regional Logs service use it for this account's log groups.
 * The service principal takes the partition's URL suffix (`logs.<region>.amazonaws.com.cn`
 * in aws-cn).
 * Added once per key; imported keys cannot be changed here, so their policy
 * must already carry this statement (see README).
 */
export function allowCloudWatchLogsToUseKey(key: kms.IKey): void {
  if (keysOpenedToLogs.has(key)) return;
  keysOpenedToLogs.add(key);
  const stack = Stack.of(key);
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchLogsOfThisAccount',
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.${stack.urlSuffix}`)],
    actions: [
      'kms:Encrypt',
      'kms:Decrypt',
      'kms:ReEncryptFrom',
      'kms:ReEncryptTo',
      'kms:GenerateDataKey',
      'kms:GenerateDataKeyWithoutPlaintext',
      'kms:DescribeKey',
    ],
    // In a key policy, "*" means "this key".
    resources: ['*'],
    conditions: {
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    },
  }));
}
