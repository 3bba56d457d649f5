/**
 * Evaluates a synthesized template's identity policies the way IAM would for one request: an explicit Deny
 * wins, otherwise an Allow statement whose Action and Resource both match grants it. CloudFormation
 * intrinsics are resolved to placeholder values that are consistent across the template (a bucket's `Ref`
 * and its `Arn` name the same bucket), so a grant and a request written with different intrinsics still meet.
 * Conditions are not evaluated: a match reports them, so a caller can see that a grant is conditional.
 */

export const PLACEHOLDER = {
  partition: 'aws',
  region: 'us-east-1',
  account: '111111111111',
  urlSuffix: 'amazonaws.com',
} as const;

type Json = any;

export interface CfnTemplate {
  readonly Resources: Record<string, { Type: string; Properties?: Json }>;
  readonly Parameters?: Record<string, Json>;
}

const PSEUDO: Record<string, string> = {
  'AWS::Partition': PLACEHOLDER.partition,
  'AWS::Region': PLACEHOLDER.region,
  'AWS::AccountId': PLACEHOLDER.account,
  'AWS::URLSuffix': PLACEHOLDER.urlSuffix,
  'AWS::StackName': 'Factory',
  'AWS::NoValue': '',
};

/** Resolves CloudFormation intrinsics to strings; a value it cannot resolve throws, never guesses. */
export class IntrinsicResolver {
  constructor(private readonly template: CfnTemplate) {}

  resolve(value: Json): Json {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [fn] = keys;
      const arg = value[fn];
      switch (fn) {
        case 'Ref': return this.ref(arg);
        case 'Fn::GetAtt': return this.getAtt(...(typeof arg === 'string' ? arg.split('.', 2) : arg) as [string, string]);
        case 'Fn::Join': return this.resolve(arg[1]).join(arg[0]);
        case 'Fn::Select': return this.resolve(arg[1])[Number(this.resolve(arg[0]))];
        case 'Fn::Split': return String(this.resolve(arg[1])).split(arg[0]);
        case 'Fn::Sub': return this.sub(arg);
        default:
          if (fn.startsWith('Fn::')) throw new Error(`cannot resolve ${fn} in ${JSON.stringify(value).slice(0, 200)}`);
      }
    }
    return Object.fromEntries(keys.map((k) => [k, this.resolve(value[k])]));
  }

  /** The string a resource's `Ref` returns, chosen per type to be the physical name IAM ARNs are built from. */
  ref(id: string): string {
    if (id in PSEUDO) return PSEUDO[id];
    if (this.template.Parameters?.[id]) return `parameter-${id}`;
    const resource = this.template.Resources[id];
    if (!resource) throw new Error(`Ref to ${id}: not in the template`);
    const name = id.toLowerCase();
    switch (resource.Type) {
      case 'AWS::SecretsManager::Secret': return this.arn('secretsmanager', `secret:${name}-AbCdEf`);
      case 'AWS::SQS::Queue': return `https://sqs.${PLACEHOLDER.region}.${PLACEHOLDER.urlSuffix}/${PLACEHOLDER.account}/${name}`;
      case 'AWS::IAM::ManagedPolicy': return `arn:${PLACEHOLDER.partition}:iam::${PLACEHOLDER.account}:policy/${name}`;
      default: return name;
    }
  }

  getAtt(id: string, attribute: string): string {
    const resource = this.template.Resources[id];
    if (!resource) throw new Error(`GetAtt ${id}.${attribute}: not in the template`);
    const name = this.ref(id);
    if (attribute !== 'Arn') return `${name}.${attribute}`;
    switch (resource.Type) {
      case 'AWS::S3::Bucket': return `arn:${PLACEHOLDER.partition}:s3:::${name}`;
      case 'AWS::KMS::Key': return this.arn('kms', `key/${name}`);
      case 'AWS::ECR::Repository': return this.arn('ecr', `repository/${name}`);
      case 'AWS::SQS::Queue': return this.arn('sqs', id.toLowerCase());
      case 'AWS::Logs::LogGroup': return this.arn('logs', `log-group:${name}:*`);
      case 'AWS::IAM::Role': return `arn:${PLACEHOLDER.partition}:iam::${PLACEHOLDER.account}:role/${name}`;
      case 'AWS::Lambda::Function': return this.arn('lambda', `function:${name}`);
      default: return this.arn(resource.Type.split('::')[1].toLowerCase(), name);
    }
  }

  private arn(service: string, resource: string): string {
    return `arn:${PLACEHOLDER.partition}:${service}:${PLACEHOLDER.region}:${PLACEHOLDER.account}:${resource}`;
  }

  private sub(arg: string | [string, Record<string, Json>]): string {
    const [text, variables] = typeof arg === 'string' ? [arg, {}] : arg;
    return text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
      if (name in variables) return String(this.resolve(variables[name]));
      const [id, attribute] = name.split('.', 2);
      return attribute ? this.getAtt(id, attribute) : this.ref(id);
    });
  }
}

/** IAM's glob: `*` any run of characters, `?` one character; everything else literal. */
export function iamGlobMatches(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

export interface ResolvedStatement {
  /** The policy (or role, for inline policies) the statement comes from. */
  readonly source: string;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly actions?: string[];
  readonly notActions?: string[];
  readonly resources?: string[];
  readonly notResources?: string[];
  readonly condition?: Json;
}

export interface Decision {
  readonly allowed: boolean;
  /** The Allow statement that grants it (when allowed). */
  readonly grantedBy?: ResolvedStatement;
  /** The Deny statement that refuses it, if one matched. */
  readonly deniedBy?: ResolvedStatement;
}

const list = (v: Json): string[] | undefined => (v === undefined ? undefined : [v].flat().map(String));

export function resolveStatements(document: Json, source: string, resolver: IntrinsicResolver): ResolvedStatement[] {
  return [document?.Statement ?? []].flat().map((raw: Json) => {
    const s = resolver.resolve(raw);
    return {
      source,
      sid: s.Sid,
      effect: s.Effect,
      actions: list(s.Action),
      notActions: list(s.NotAction),
      resources: list(s.Resource),
      notResources: list(s.NotResource),
      condition: s.Condition,
    };
  });
}

function statementMatches(s: ResolvedStatement, action: string, resource: string): boolean {
  // Actions are case-insensitive in IAM; resources (ARNs) are case-sensitive.
  const actionOk = s.actions
    ? s.actions.some((p) => iamGlobMatches(p, action, true))
    : !(s.notActions ?? []).some((p) => iamGlobMatches(p, action, true));
  const resourceOk = s.resources
    ? s.resources.some((p) => iamGlobMatches(p, resource))
    : !(s.notResources ?? []).some((p) => iamGlobMatches(p, resource));
  return actionOk && resourceOk;
}

/** IAM's evaluation within one identity's policies: an explicit Deny wins over any Allow. */
export function evaluate(statements: readonly ResolvedStatement[], action: string, resource: string): Decision {
  const deniedBy = statements.find((s) => s.effect === 'Deny' && statementMatches(s, action, resource));
  if (deniedBy) return { allowed: false, deniedBy };
  const grantedBy = statements.find((s) => s.effect === 'Allow' && statementMatches(s, action, resource));
  return { allowed: grantedBy !== undefined, grantedBy };
}

export interface RolePolicies {
  readonly statements: ResolvedStatement[];
  /** Managed policies outside the template (AWS managed): they cannot be read here, so they grant nothing. */
  readonly externalManagedPolicies: string[];
}

/**
 * Every identity-policy statement attached to a role in the template: its inline policies, AWS::IAM::Policy
 * and AWS::IAM::ManagedPolicy resources that name it, and in-template managed policies in its ManagedPolicyArns.
 */
export function rolePolicies(template: CfnTemplate, roleId: string): RolePolicies {
  const resolver = new IntrinsicResolver(template);
  const role = template.Resources[roleId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${roleId} is not an AWS::IAM::Role of the template`);
  const statements: ResolvedStatement[] = [];
  const externalManagedPolicies: string[] = [];
  for (const inline of role.Properties?.Policies ?? []) statements.push(...resolveStatements(inline.PolicyDocument, roleId, resolver));
  const namesRole = (roles: Json) => [roles ?? []].flat().some((r: Json) => r?.Ref === roleId);
  for (const [id, resource] of Object.entries(template.Resources)) {
    if ((resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') && namesRole(resource.Properties?.Roles)) {
      statements.push(...resolveStatements(resource.Properties.PolicyDocument, id, resolver));
    }
  }
  for (const arn of role.Properties?.ManagedPolicyArns ?? []) {
    const id: string | undefined = arn?.Ref;
    const managed = id ? template.Resources[id] : undefined;
    if (managed?.Type === 'AWS::IAM::ManagedPolicy') {
      if (!namesRole(managed.Properties?.Roles)) statements.push(...resolveStatements(managed.Properties.PolicyDocument, id!, resolver));
    } else {
      externalManagedPolicies.push(JSON.stringify(resolver.resolve(arn)));
    }
  }
  return { statements, externalManagedPolicies };
}

/** The role logical id behind a `Fn::GetAtt [Role, Arn]` (a project's ServiceRole, a function's Role). */
export function roleIdOf(roleArn: Json): string {
  const id = roleArn?.['Fn::GetAtt']?.[0];
  if (!id) throw new Error(`not a reference to a role of the template: ${JSON.stringify(roleArn)}`);
  return id;
}
