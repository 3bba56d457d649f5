import { Template } from 'aws-cdk-lib/assertions';

/** One Allow or Deny statement found in a template, with where it came from. */
export interface FoundStatement {
  readonly logicalId: string;
  readonly resourceType: string;
  readonly effect: string;
  readonly actions: string[];
  readonly resources: unknown[];
  readonly principal?: unknown;
  readonly condition?: unknown;
}

/** Where each resource type keeps its policy documents. */
const POLICY_LOCATIONS: Record<string, (properties: any) => any[]> = {
  'AWS::IAM::Policy': (p) => [p.PolicyDocument],
  'AWS::IAM::ManagedPolicy': (p) => [p.PolicyDocument],
  'AWS::IAM::Role': (p) => (p.Policies ?? []).map((x: any) => x.PolicyDocument),
  'AWS::IAM::User': (p) => (p.Policies ?? []).map((x: any) => x.PolicyDocument),
  'AWS::IAM::Group': (p) => (p.Policies ?? []).map((x: any) => x.PolicyDocument),
  'AWS::KMS::Key': (p) => [p.KeyPolicy],
  'AWS::S3::BucketPolicy': (p) => [p.PolicyDocument],
  'AWS::SQS::QueuePolicy': (p) => [p.PolicyDocument],
  'AWS::SNS::TopicPolicy': (p) => [p.PolicyDocument],
  'AWS::SecretsManager::ResourcePolicy': (p) => [p.ResourcePolicy],
  'AWS::ECR::Repository': (p) => [p.RepositoryPolicyText],
};

const asArray = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Every statement of every identity and resource policy in the template. */
export function policyStatements(template: Template): FoundStatement[] {
  const found: FoundStatement[] = [];
  for (const [logicalId, resource] of Object.entries<any>(template.toJSON().Resources ?? {})) {
    const locate = POLICY_LOCATIONS[resource.Type];
    if (!locate) continue;
    for (const document of locate(resource.Properties ?? {})) {
      for (const statement of asArray(document?.Statement) as any[]) {
        found.push({
          logicalId,
          resourceType: resource.Type,
          effect: statement.Effect,
          actions: asArray(statement.Action) as string[],
          resources: asArray(statement.Resource),
          principal: statement.Principal,
          condition: statement.Condition,
        });
      }
    }
  }
  return found;
}

/** Allowed actions that are `*` or a whole service (`s3:*`): never acceptable. */
export function wildcardActionGrants(template: Template): string[] {
  return policyStatements(template)
    .filter((s) => s.effect === 'Allow')
    .flatMap((s) => s.actions.filter((a) => a === '*' || /^[a-z0-9-]+:\*$/i.test(a)).map((a) => `${s.logicalId}: ${a}`));
}

/** Allowed actions granted on the literal resource `*` in identity policies (where it means "everything"). */
export function actionsOnAnyResource(template: Template): string[] {
  return policyStatements(template)
    .filter((s) => s.effect === 'Allow' && s.resourceType.startsWith('AWS::IAM::') && s.resources.includes('*'))
    .flatMap((s) => s.actions)
    .sort();
}

/** The actions identity policies allow, across the whole template. */
export function allowedActions(template: Template): string[] {
  return [...new Set(policyStatements(template)
    .filter((s) => s.effect === 'Allow' && s.resourceType.startsWith('AWS::IAM::'))
    .flatMap((s) => s.actions))].sort();
}
