import { Template } from 'aws-cdk-lib/assertions';
import { createAuditKey } from '../../src/private/encryption-key';
import { newStack } from '../support/stack';

describe('createAuditKey', () => {
  const stack = newStack();
  createAuditKey(stack, 'Key', { description: 'test key' });
  const key = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'))[0];

  test('rotates yearly and waits 30 days before deletion', () => {
    expect(key.Properties).toEqual(expect.objectContaining({ EnableKeyRotation: true, RotationPeriodInDays: 365, PendingWindowInDays: 30 }));
    expect(key.DeletionPolicy).toBe('Retain');
  });

  test('lets the account administer and delegate the key action by action, never kms:*', () => {
    const statements = key.Properties.KeyPolicy.Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0].Principal).toEqual({ AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:root']] } });
    const actions: string[] = statements[0].Action;
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    // Without these the key could not be managed or used through IAM after deployment.
    expect(actions).toEqual(expect.arrayContaining(['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey']));
  });
});
