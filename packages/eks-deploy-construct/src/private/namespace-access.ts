import { Stack, aws_eks as eks } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * AmazonEKSEditPolicy: create, update and delete most namespaced objects, but
 * no Roles or RoleBindings and nothing cluster-wide. Scoped to one namespace
 * it is what a deploy needs and no more.
 */
export function namespaceAccessPolicyArn(stack: Stack): string {
  return `arn:${stack.partition}:eks::aws:cluster-access-policy/AmazonEKSEditPolicy`;
}

/**
 * An EKS access entry that lets `principalArn` edit one namespace of the
 * cluster (the cluster's authentication mode must include API).
 */
export function grantNamespaceAccess(scope: Construct, id: string, clusterName: string, principalArn: string, namespace: string): eks.CfnAccessEntry {
  return new eks.CfnAccessEntry(scope, id, {
    clusterName,
    principalArn,
    type: 'STANDARD',
    accessPolicies: [{
      policyArn: namespaceAccessPolicyArn(Stack.of(scope)),
      accessScope: { type: 'namespace', namespaces: [namespace] },
    }],
  });
}
