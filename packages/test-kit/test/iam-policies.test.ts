import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import {
  actionsOnAnyResource, allowedActions, allowStatements, identityStatements, isServiceWideWildcard, policyStatements, wildcardActionGrants,
  wildcardActions,
} from '../src';

function template(): Template {
  const stack = new Stack(new App(), 'Test');
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
  role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject*', 'logs:*'], resources: ['*'] }));
  role.addToPolicy(new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['s3:DeleteObject'], resources: ['*'] }));
  const key = new kms.Key(stack, 'Key');
  key.grantDecrypt(role);
  return Template.fromStack(stack);
}

describe('policy statement helpers', () => {
  const found = template();

  test('find the statements of identity, trust and key policies, with where they came from', () => {
    const types = new Set(policyStatements(found).map((statement) => statement.resourceType));
    expect([...types].sort()).toEqual(['AWS::IAM::Policy', 'AWS::IAM::Role', 'AWS::KMS::Key']);
    const denied = policyStatements(found).filter((statement) => statement.effect === 'Deny');
    expect(denied.map((statement) => statement.actions)).toEqual([['s3:DeleteObject']]);
    expect(allowStatements(found).every((statement) => statement.effect === 'Allow')).toBe(true);
  });

  test('identity statements leave out trust and key policies', () => {
    expect(identityStatements(found).map((statement) => statement.resourceType)).toEqual(['AWS::IAM::Policy', 'AWS::IAM::Policy']);
    expect(allowedActions(found)).toEqual(['kms:Decrypt', 'logs:*', 's3:GetObject*']);
    expect(actionsOnAnyResource(found)).toEqual(['logs:*', 's3:GetObject*']);
  });

  test('tell a service-wide wildcard from an action prefix', () => {
    expect(['*', 'logs:*', 's3:GetObject*', 'kms:Decrypt'].map(isServiceWideWildcard)).toEqual([true, true, false, false]);
    // aws-cdk-lib's default key policy grants the account kms:* (the factory's keys list their actions instead).
    expect(wildcardActionGrants(found).sort())
      .toEqual([expect.stringMatching(/^Key\w+: kms:\*$/), expect.stringMatching(/^RoleDefaultPolicy\w+: logs:\*$/)]);
    const actions = wildcardActions(found).map((entry) => entry.replace(/^\w+: /, ''));
    expect(actions.sort()).toEqual(expect.arrayContaining(['logs:*', 's3:GetObject*', 'kms:*']));
  });
});
