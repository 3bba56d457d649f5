import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Render a resolved CloudFormation value the way cdk-nag names the resources
 * of an IAM5 finding (`<Logical.Attr>` for Fn::GetAtt, `<Name>` for Ref, parts
 * of Fn::Join joined), so an acknowledgement names the one wildcard resource it
 * accepts instead of every wildcard the construct might ever grow.
 */
function flatten(value: unknown): string {
  if (typeof value === 'string') {
    return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  }
  if (value && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    if (Array.isArray(node['Fn::Join'])) {
      const [delimiter, parts] = node['Fn::Join'] as [string, unknown[]];
      return parts.map(flatten).join(delimiter);
    }
    if (Array.isArray(node['Fn::GetAtt'])) {
      const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
    if ('Ref' in node) {
      return `<${flatten(node.Ref)}>`;
    }
  }
  return JSON.stringify(value);
}

/**
 * Acknowledge AwsSolutions-IAM5 for exactly these wildcard resources of a
 * policy: any other wildcard added later is still reported.
 */
export function acknowledgeWildcardResources(policy: IConstruct, resources: string[], reason: string): void {
  const stack = Stack.of(policy);
  for (const resource of resources) {
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flatten(stack.resolve(resource))}]`,
      reason,
    });
  }
}
