import { Template } from 'aws-cdk-lib/assertions';

/** An Allow statement found in any policy document of a template. */
export interface AllowStatement {
  readonly resource: string;
  readonly type: string;
  readonly actions: string[];
  readonly principal: unknown;
  readonly resources: unknown;
  readonly conditions: unknown;
}

const POLICY_DOCUMENT_PROPERTIES: Record<string, string> = {
  'AWS::IAM::Policy': 'PolicyDocument',
  'AWS::IAM::ManagedPolicy': 'PolicyDocument',
  'AWS::S3::BucketPolicy': 'PolicyDocument',
  'AWS::SNS::TopicPolicy': 'PolicyDocument',
  'AWS::SQS::QueuePolicy': 'PolicyDocument',
  'AWS::KMS::Key': 'KeyPolicy',
  'AWS::IAM::Role': 'AssumeRolePolicyDocument',
};

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** Every Allow statement of every policy (IAM, resource and key policies, inline role policies). */
export function allowStatements(template: Template): AllowStatement[] {
  const found: AllowStatement[] = [];
  for (const [logicalId, resource] of Object.entries(template.toJSON().Resources as Record<string, any>)) {
    const documents: any[] = [];
    const property = POLICY_DOCUMENT_PROPERTIES[resource.Type];
    if (property && resource.Properties?.[property]) {
      documents.push(resource.Properties[property]);
    }
    if (resource.Type === 'AWS::IAM::Role') {
      documents.push(...asArray(resource.Properties?.Policies).map((policy: any) => policy.PolicyDocument));
    }
    for (const document of documents) {
      for (const statement of asArray<any>(document.Statement)) {
        if (statement.Effect !== 'Allow') {
          continue;
        }
        found.push({
          resource: logicalId,
          type: resource.Type,
          actions: asArray<string>(statement.Action),
          principal: statement.Principal,
          resources: statement.Resource,
          conditions: statement.Condition,
        });
      }
    }
  }
  return found;
}

/** Actions that are `*`, a whole service (`s3:*`) or any other wildcard. */
export function wildcardActions(template: Template): string[] {
  return allowStatements(template).flatMap((statement) => statement.actions.filter((action) => action.includes('*')).map(
    (action) => `${statement.resource}: ${action}`,
  ));
}
