import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ACCOUNT_KEY_ACTIONS, createFactoryKey } from '../../src';

function keyTemplate(props: Partial<Parameters<typeof createFactoryKey>[2]> = {}) {
  const stack = new Stack(new App(), 'Stack');
  createFactoryKey(stack, 'Key', { description: 'encrypts the test', ...props });
  return Template.fromStack(stack);
}

describe('createFactoryKey', () => {
  const template = keyTemplate();
  const key = Object.values<any>(template.findResources('AWS::KMS::Key'))[0];

  test('rotates yearly, is retained, and waits the longest deletion window', () => {
    expect(key.Properties).toMatchObject({
      Description: 'encrypts the test',
      EnableKeyRotation: true,
      RotationPeriodInDays: 365,
      PendingWindowInDays: 30,
    });
    expect([key.DeletionPolicy, key.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
  });

  test('delegates to the account with the actions listed: no kms:* or any other wildcard action', () => {
    const statements = key.Properties.KeyPolicy.Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0].Principal).toEqual({
      AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] },
    });
    expect(statements[0].Action).toEqual([...ACCOUNT_KEY_ACTIONS]);
    expect(statements[0].Action.filter((a: string) => a.includes('*'))).toEqual([]);
  });

  test('keeps the actions the owners need to never lock themselves out, and the ones IAM grants of use need', () => {
    expect(ACCOUNT_KEY_ACTIONS).toEqual(
      expect.arrayContaining(['kms:PutKeyPolicy', 'kms:GetKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion']),
    );
    expect(ACCOUNT_KEY_ACTIONS).toEqual(
      expect.arrayContaining(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:CreateGrant', 'kms:DescribeKey']),
    );
    expect(new Set(ACCOUNT_KEY_ACTIONS).size).toBe(ACCOUNT_KEY_ACTIONS.length);
  });

  test('takes another removal policy and deletion window when asked', () => {
    const other = Object.values<any>(
      keyTemplate({ removalPolicy: RemovalPolicy.DESTROY, pendingWindow: Duration.days(7) }).findResources('AWS::KMS::Key'),
    )[0];
    expect([other.DeletionPolicy, other.Properties.PendingWindowInDays]).toEqual(['Delete', 7]);
  });
});
