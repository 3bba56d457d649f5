import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The text cdk-nag uses to name a wildcard resource in an IAM finding (`AwsSolutions-IAM5[Resource::<text>]`),
 * computed from the value as the stack renders it: `Ref` becomes `<Name>`, `Fn::GetAtt` `<LogicalId.Attr>`,
 * `Fn::Join` is joined, `Fn::Sub` and `Fn::ImportValue` give their argument's text, `${...}` becomes `<...>`.
 * A stack with a known environment may render literals instead (`arn:aws:...` under the
 * `@aws-cdk/core:enablePartitionLiterals` flag that `cdk init` turns on), so an acknowledgement must be built
 * from the rendered value, never written by hand.
 */
export function nagResourceText(scope: IConstruct, value: string): string {
  return flatten(Stack.of(scope).resolve(value));
}

function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\${/g, '<').replace(/}/g, '>');
  const obj = node as Record<string, any>;
  if (obj['Fn::Join']) {
    const [delimiter, items] = obj['Fn::Join'];
    return (items as unknown[]).map(flatten).join(delimiter);
  }
  if (obj['Fn::Sub']) return flatten(obj['Fn::Sub']);
  if (obj['Fn::GetAtt']) {
    const [resource, attribute] = obj['Fn::GetAtt'];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (obj['Fn::ImportValue']) return flatten(obj['Fn::ImportValue']);
  if (obj.Ref) return `<${flatten(obj.Ref)}>`;
  return JSON.stringify(node);
}

/**
 * Acknowledges AwsSolutions-IAM5 on `scope` for exactly this one wildcard resource: any other wildcard the
 * construct grows later is still reported.
 */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${nagResourceText(scope, resource)}]`, reason });
}
