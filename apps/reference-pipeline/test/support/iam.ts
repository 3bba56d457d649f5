import { Template } from 'aws-cdk-lib/assertions';

export interface PolicyStatementRef {
  readonly logicalId: string;
  readonly actions: string[];
  readonly resources: unknown[];
  readonly effect: string;
}

/** Every statement of every identity policy in the template: inline role policies and AWS::IAM::Policy. */
export function allowStatements(template: Template): PolicyStatementRef[] {
  const found: PolicyStatementRef[] = [];
  const collect = (logicalId: string, document: any) => {
    for (const statement of document?.Statement ?? []) {
      if (statement.Effect !== 'Allow') continue;
      found.push({
        logicalId,
        effect: statement.Effect,
        actions: [statement.Action ?? []].flat(),
        resources: [statement.Resource ?? []].flat(),
      });
    }
  };
  for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) collect(id, policy.Properties.PolicyDocument);
  for (const [id, role] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    for (const inline of role.Properties.Policies ?? []) collect(id, inline.PolicyDocument);
  }
  for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))) collect(id, policy.Properties.PolicyDocument);
  return found;
}

/** `*`, `service:*` — an action that grants a whole service. Prefixes like `s3:GetObject*` are not. */
export function isServiceWideWildcard(action: string): boolean {
  return action === '*' || /^[a-z0-9-]+:\*$/.test(action);
}
