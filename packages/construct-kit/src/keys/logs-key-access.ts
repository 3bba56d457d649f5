import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';

/** What CloudWatch Logs does with a log group's key: encrypt and decrypt its events, and check the key. */
export const LOGS_KEY_ACTIONS: readonly string[] = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:DescribeKey',
];

const SID = 'AllowCloudWatchLogsOfThisAccount';

/** The log-group environments (`account/region`) each key already admits, so that no statement is added twice. */
const environmentsOpened = new WeakMap<kms.IKey, string[]>();

/**
 * CloudWatch Logs encrypts a log group with a customer managed key only if the key policy lets the regional Logs
 * service use it. This adds that statement, for the log groups of one account and region only: the environment of
 * `logGroups` (the stack the log groups live in), by default the key's own stack. The service principal takes the
 * partition's URL suffix (`logs.<region>.amazonaws.com.cn` in aws-cn).
 *
 * Added once per key and log-group environment, however many constructs of a factory share the key. An imported
 * key's policy is its owner's: nothing is added, so it must already carry the statement (see the READMEs).
 */
export function allowCloudWatchLogsToUseKey(key: kms.IKey, logGroups: IConstruct = key): void {
  const stack = Stack.of(logGroups);
  const environment = `${stack.account}/${stack.region}`;
  const opened = environmentsOpened.get(key) ?? [];
  if (opened.includes(environment)) return;
  const added = key.addToResourcePolicy(new iam.PolicyStatement({
    // Statement ids must be unique within a key policy.
    sid: opened.length === 0 ? SID : `${SID}${opened.length + 1}`,
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.${stack.urlSuffix}`)],
    actions: [...LOGS_KEY_ACTIONS],
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
  if (added.statementAdded) environmentsOpened.set(key, [...opened, environment]);
}
