import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { allowCloudWatchLogsToUseKey, createFactoryKey, LOGS_KEY_ACTIONS } from '../../src';

const newStack = (app = new App(), id = 'Stack', region = 'eu-west-1') => new Stack(app, id, { env: { account: '111111111111', region } });

/** The key policy statements of the one key in `stack` that name the Logs service. */
function logsStatements(stack: Stack): any[] {
  const [key] = Object.values<any>(Template.fromStack(stack).findResources('AWS::KMS::Key'));
  return key.Properties.KeyPolicy.Statement.filter((statement: any) => JSON.stringify(statement.Principal).includes('logs.'));
}

describe('allowCloudWatchLogsToUseKey', () => {
  test('lets the regional Logs service use the key for this account\'s log groups only, with the actions listed', () => {
    const stack = newStack();
    allowCloudWatchLogsToUseKey(createFactoryKey(stack, 'Key', { description: 'test' }));
    const [statement, ...others] = logsStatements(stack);
    expect(others).toEqual([]);
    expect(statement).toMatchObject({ Sid: 'AllowCloudWatchLogsOfThisAccount', Effect: 'Allow', Resource: '*', Action: [...LOGS_KEY_ACTIONS] });
    expect(statement.Principal).toEqual({ Service: { 'Fn::Join': ['', ['logs.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] } });
    expect(statement.Condition).toEqual({
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:111111111111:log-group:*']] },
      },
    });
    expect(LOGS_KEY_ACTIONS.filter((action) => action.includes('*'))).toEqual([]);
  });

  test('adds the statement once however many constructs share the key, from the key\'s stack or another of its environment', () => {
    const app = new App();
    const keyStack = newStack(app, 'Shared');
    const key = new kms.Key(keyStack, 'Key');
    allowCloudWatchLogsToUseKey(key);
    allowCloudWatchLogsToUseKey(key);
    allowCloudWatchLogsToUseKey(key, newStack(app, 'Deploy'));
    expect(logsStatements(keyStack)).toHaveLength(1);
  });

  test('admits the log groups of the stack they live in, under a statement id of their own', () => {
    const app = new App();
    const keyStack = new Stack(app, 'Shared', { env: { account: '111111111111', region: 'eu-west-1' } });
    const key = new kms.Key(keyStack, 'Key');
    allowCloudWatchLogsToUseKey(key);
    allowCloudWatchLogsToUseKey(key, new Stack(app, 'Other', { env: { account: '222222222222', region: 'eu-west-1' } }));
    const statements = logsStatements(keyStack);
    expect(statements.map((statement) => statement.Sid)).toEqual(['AllowCloudWatchLogsOfThisAccount', 'AllowCloudWatchLogsOfThisAccount2']);
    expect(JSON.stringify(statements[1].Condition)).toContain(':logs:eu-west-1:222222222222:log-group:*');
  });

  test('names the Logs service with the partition\'s URL suffix, so aws-cn gets logs.<region>.amazonaws.com.cn', () => {
    const stack = newStack(new App(), 'China', 'cn-north-1');
    allowCloudWatchLogsToUseKey(new kms.Key(stack, 'Key'));
    const principals = logsStatements(stack).map((statement) => JSON.stringify(statement.Principal));
    expect(principals).toEqual([JSON.stringify({ Service: { 'Fn::Join': ['', ['logs.cn-north-1.', { Ref: 'AWS::URLSuffix' }]] } })]);
  });

  test('leaves an imported key alone (its policy is the owner\'s)', () => {
    const stack = newStack();
    const key = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    allowCloudWatchLogsToUseKey(key);
    expect(Template.fromStack(stack).toJSON().Resources ?? {}).toEqual({});
  });
});
