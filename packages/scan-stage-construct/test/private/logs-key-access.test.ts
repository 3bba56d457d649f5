import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { allowCloudWatchLogsToUseKey } from '../../src/private/logs-key-access';
import { newStack } from '../support/factory';
import { policyStatements } from '../support/iam-policies';

describe('allowCloudWatchLogsToUseKey', () => {
  test('adds one statement per key, for the regional Logs service and this account\'s log groups', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    allowCloudWatchLogsToUseKey(key);
    allowCloudWatchLogsToUseKey(key);
    const statements = policyStatements(Template.fromStack(stack)).filter((s) => JSON.stringify(s.principal).includes('logs.'));
    expect(statements).toHaveLength(1);
    expect(statements[0].principal).toEqual({ Service: { 'Fn::Join': ['', ['logs.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] } });
    expect(statements[0].actions).not.toContain('kms:*');
    expect(statements[0].condition).toEqual({
      ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:111111111111:log-group:*']] } },
    });
  });

  test('names the Logs service with the partition\'s URL suffix, so aws-cn gets logs.<region>.amazonaws.com.cn', () => {
    const stack = new Stack(new App(), 'China', { env: { account: '111111111111', region: 'cn-north-1' } });
    allowCloudWatchLogsToUseKey(new kms.Key(stack, 'Key'));
    const principals = policyStatements(Template.fromStack(stack)).map((s) => JSON.stringify(s.principal));
    const logs = principals.filter((p) => p.includes('logs.'));
    expect(logs).toEqual([JSON.stringify({ Service: { 'Fn::Join': ['', ['logs.cn-north-1.', { Ref: 'AWS::URLSuffix' }]] } })]);
    expect(principals.join()).not.toContain('amazonaws.com"');
  });

  test('leaves an imported key alone (its policy is the owner\'s)', () => {
    const stack = newStack();
    const key = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    allowCloudWatchLogsToUseKey(key);
    expect(Template.fromStack(stack).toJSON().Resources ?? {}).toEqual({});
  });
});
