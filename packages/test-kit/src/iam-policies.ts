import { Template } from 'aws-cdk-lib/assertions';

/** One statement of a policy document found in a template, with where it came from. */
export interface FoundStatement {
  readonly logicalId: string;
  readonly resourceType: string;
  readonly effect: string;
  readonly actions: string[];
  readonly resources: unknown[];
  // Raw CloudFormation, for tests to look into.
  readonly principal?: any;
  readonly condition?: any;
}

/** Where each resource type keeps its policy documents. */
const POLICY_LOCATIONS: Record<string, (properties: any) => any[]> = {
  'AWS::IAM::Policy': (p) => [p.PolicyDocument],
  'AWS::IAM::ManagedPolicy': (p) => [p.PolicyDocument],
  'AWS::IAM::Role': (p) => [p.AssumeRolePolicyDocument, ...(p.Policies ?? []).map((x: any) => x.PolicyDocument)],
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

/** Every statement of every identity, trust, key and resource policy in the template. */
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

/** The Allow statements of {@link policyStatements}. */
export function allowStatements(template: Template): FoundStatement[] {
  return policyStatements(template).filter((statement) => statement.effect === 'Allow');
}

/** The Allow statements of identity policies (IAM policies, managed policies and roles', users' and groups' inline ones). */
export function identityStatements(template: Template): FoundStatement[] {
  return allowStatements(template).filter((statement) => statement.resourceType.startsWith('AWS::IAM::') && statement.principal === undefined);
}

/** `*` or `service:*`: an action that grants a whole service. Prefixes like `s3:GetObject*` are not. */
export function isServiceWideWildcard(action: string): boolean {
  return action === '*' || /^[a-z0-9-]+:\*$/i.test(action);
}

/** Allowed actions that grant a whole service, as `<logicalId>: <action>`: never acceptable. */
export function wildcardActionGrants(template: Template): string[] {
  return allowStatements(template).flatMap((statement) => statement.actions.filter(isServiceWideWildcard)
    .map((action) => `${statement.logicalId}: ${action}`));
}

/** Allowed actions with any wildcard, prefixes included, as `<logicalId>: <action>`. */
export function wildcardActions(template: Template): string[] {
  return allowStatements(template).flatMap((statement) => statement.actions.filter((action) => action.includes('*'))
    .map((action) => `${statement.logicalId}: ${action}`));
}

/** Actions identity policies allow on the literal resource `*` (where it means "everything"), sorted. */
export function actionsOnAnyResource(template: Template): string[] {
  return identityStatements(template).filter((statement) => statement.resources.includes('*')).flatMap((statement) => statement.actions).sort();
}

/** The actions identity policies allow, across the whole template, once each and sorted. */
export function allowedActions(template: Template): string[] {
  return [...new Set(identityStatements(template).flatMap((statement) => statement.actions))].sort();
}
