import { CfnResource, aws_kms as kms } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { allowLogsToUseKey } from '../../src/logs/allow-logs-to-use-key';
import { testStack } from '../support/stacks';

describe('allowLogsToUseKey', () => {
  test('lets the regional CloudWatch Logs service use the key for this account\'s log groups only', () => {
    const stack = testStack();
    allowLogsToUseKey(new kms.Key(stack, 'Key', { enableKeyRotation: true }), stack);
    const statement = (Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'))[0] as any).Properties.KeyPolicy.Statement[1];
    expect(stack.resolve(statement.Principal)).toEqual({ Service: { 'Fn::Join': ['', ['logs.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] } });
    expect(statement.Action).not.toContain('kms:*');
    expect(stack.resolve(statement.Condition)).toEqual({
      ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:111111111111:log-group:*']] } },
    });
  });

  test('names the Logs service with the partition\'s URL suffix (aws-cn: logs.<region>.amazonaws.com.cn)', () => {
    const stack = testStack('111111111111', 'cn-north-1');
    allowLogsToUseKey(new kms.Key(stack, 'Key', { enableKeyRotation: true }), stack);
    const statement = (Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'))[0] as any).Properties.KeyPolicy.Statement[1];
    expect(JSON.stringify(stack.resolve(statement.Principal))).not.toContain('amazonaws.com"');
    expect(stack.resolve(statement.Principal)).toEqual({ Service: { 'Fn::Join': ['', ['logs.cn-north-1.', { Ref: 'AWS::URLSuffix' }]] } });
  });

  test('leaves an imported key alone: its owner grants CloudWatch Logs', () => {
    const stack = testStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    expect(() => allowLogsToUseKey(key, stack)).not.toThrow();
    expect(stack.node.findAll().filter((construct) => construct instanceof CfnResource)).toEqual([]);
  });
});
