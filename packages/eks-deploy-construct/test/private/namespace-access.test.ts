import { Template } from 'aws-cdk-lib/assertions';
import { grantNamespaceAccess, namespaceAccessPolicyArn } from '../../src/private/namespace-access';
import { testStack } from '../support/stacks';

describe('namespace access', () => {
  test('uses the AWS managed edit policy of the stack\'s partition, never cluster admin', () => {
    const stack = testStack();
    const arn = stack.resolve(namespaceAccessPolicyArn(stack));
    expect(arn).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks::aws:cluster-access-policy/AmazonEKSEditPolicy']] });
    expect(JSON.stringify(arn)).not.toMatch(/ClusterAdmin|AmazonEKSAdminPolicy/);
  });

  test('creates a standard access entry for the principal, scoped to one namespace, with no Kubernetes groups', () => {
    const stack = testStack();
    grantNamespaceAccess(stack, 'Entry', 'apps', 'arn:aws:iam::111111111111:role/deploy', 'web');
    const entry = Object.values(Template.fromStack(stack).findResources('AWS::EKS::AccessEntry'))[0] as any;
    expect(entry.Properties).toMatchObject({
      ClusterName: 'apps',
      PrincipalArn: 'arn:aws:iam::111111111111:role/deploy',
      Type: 'STANDARD',
      AccessPolicies: [{ AccessScope: { Type: 'namespace', Namespaces: ['web'] } }],
    });
    expect(entry.Properties.KubernetesGroups).toBeUndefined();
  });
});
