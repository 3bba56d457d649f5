import * as YAML from 'yaml';

/**
 * The synthesized pipeline as the rehearsal runs it: everything here is read
 * from the CloudFormation template (stages, actions, projects, buildspecs,
 * variables, artifacts), so a change of wiring in the stack changes the
 * rehearsal instead of drifting from it.
 */

/** The account and region the placeholders stand for. */
export const PLACEHOLDER_ACCOUNT = '111111111111';
export const PLACEHOLDER_REGION = 'eu-west-1';

type Template = { Resources: Record<string, { Type: string; Properties?: any }>; Mappings?: Record<string, any> };

export interface ProjectVariable {
  readonly name: string;
  readonly type: string;
  readonly value: string;
}

export interface BuildProject {
  readonly logicalId: string;
  /** The parsed buildspec, intrinsics resolved to placeholders. */
  readonly buildspec: any;
  readonly environment: ProjectVariable[];
}

export interface PipelineAction {
  readonly stage: string;
  readonly name: string;
  readonly category: 'Source' | 'Build' | 'Approval';
  readonly runOrder: number;
  readonly namespace?: string;
  readonly inputs: string[];
  readonly outputs: string[];
  /** For several inputs: the one that becomes CODEBUILD_SRC_DIR. */
  readonly primarySource?: string;
  /** CodeBuild actions: the project and the action's EnvironmentVariables, `#{Ns.VAR}` references left in. */
  readonly project?: BuildProject;
  readonly overrides: ProjectVariable[];
  /** Other configuration (source repository, approval CustomData), resolved. */
  readonly configuration: Record<string, any>;
}

export interface PipelineStage {
  readonly name: string;
  readonly actions: PipelineAction[];
}

/**
 * Resolves the intrinsics a template uses in pipeline and project
 * properties: pseudo parameters to the placeholder account and region,
 * `Ref` of a resource to its lowercased logical id (ECR repository names
 * must be lowercase), `GetAtt …Arn` to an ARN of that id, and Join, Select,
 * Split, Sub and FindInMap evaluated.
 */
export function resolveIntrinsics(value: any, template: Template): any {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, template));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
    const argument = value[keys[0]];
    const resolved = (v: any) => resolveIntrinsics(v, template);
    switch (keys[0]) {
      case 'Ref': return reference(argument, template);
      case 'Fn::GetAtt': return attribute(argument[0], argument[1], template);
      case 'Fn::Join': return (resolved(argument[1]) as string[]).join(argument[0]);
      case 'Fn::Select': return resolved(argument[1])[Number(argument[0])];
      case 'Fn::Split': return String(resolved(argument[1])).split(argument[0]);
      case 'Fn::FindInMap': {
        const [map, first, second] = resolved(argument);
        return template.Mappings![map][first][second];
      }
      case 'Fn::Sub': {
        if (typeof argument !== 'string') throw new Error('Fn::Sub with a variable map is not used by the factory');
        return argument.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
          const [id, attr] = name.split('.');
          return attr ? attribute(id, attr, template) : reference(id, template);
        });
      }
      default: throw new Error(`The rehearsal cannot resolve ${keys[0]}`);
    }
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveIntrinsics(v, template)]));
}

function reference(id: string, template: Template): string {
  const pseudo: Record<string, string> = {
    'AWS::AccountId': PLACEHOLDER_ACCOUNT,
    'AWS::Region': PLACEHOLDER_REGION,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': 'Factory',
  };
  if (pseudo[id]) return pseudo[id];
  // Resources and parameters alike: a lowercase name that says where it comes from.
  if (!template.Resources[id] && !id.startsWith('SsmParameterValue')) throw new Error(`Ref to unknown ${id}`);
  return id.toLowerCase();
}

function attribute(id: string, attr: string, template: Template): string {
  const resource = template.Resources[id];
  if (!resource) throw new Error(`GetAtt of unknown ${id}`);
  if (attr === 'Arn') {
    const service = resource.Type.split('::')[1].toLowerCase();
    return `arn:aws:${service}:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:${id.toLowerCase()}`;
  }
  return `${id.toLowerCase()}.${attr.toLowerCase()}`;
}

/** The pipeline's stages and actions, in the template's order, with each CodeBuild action's project. */
export function readPipeline(template: Template): PipelineStage[] {
  const pipelines = Object.values(template.Resources).filter((r) => r.Type === 'AWS::CodePipeline::Pipeline');
  if (pipelines.length !== 1) throw new Error(`Expected one pipeline, found ${pipelines.length}`);
  return pipelines[0].Properties.Stages.map((stage: any) => ({
    name: stage.Name,
    actions: stage.Actions.map((action: any) => readAction(stage.Name, action, template)),
  }));
}

function readAction(stage: string, action: any, template: Template): PipelineAction {
  const { ProjectName, EnvironmentVariables, PrimarySource, ...rest } = action.Configuration ?? {};
  const overrides = EnvironmentVariables === undefined ? [] : (JSON.parse(resolveIntrinsics(EnvironmentVariables, template)) as any[])
    .map((v) => ({ name: v.name, type: v.type ?? 'PLAINTEXT', value: String(v.value) }));
  return {
    stage,
    name: action.Name,
    category: action.ActionTypeId.Category,
    runOrder: action.RunOrder ?? 1,
    namespace: action.Namespace,
    inputs: (action.InputArtifacts ?? []).map((a: any) => a.Name),
    outputs: (action.OutputArtifacts ?? []).map((a: any) => a.Name),
    primarySource: PrimarySource,
    project: ProjectName === undefined ? undefined : readProject(ProjectName.Ref, template),
    overrides,
    configuration: resolveIntrinsics(rest, template),
  };
}

function readProject(logicalId: string, template: Template): BuildProject {
  const properties = template.Resources[logicalId].Properties;
  const buildspec = resolveIntrinsics(properties.Source.BuildSpec, template);
  if (typeof buildspec !== 'string') throw new Error(`${logicalId} has no inline buildspec`);
  return {
    logicalId,
    buildspec: YAML.parse(buildspec),
    environment: (properties.Environment.EnvironmentVariables ?? []).map((v: any) => ({
      name: v.Name, type: v.Type ?? 'PLAINTEXT', value: String(resolveIntrinsics(v.Value, template)),
    })),
  };
}

/** Replaces `#{Namespace.Variable}` with the variables actions exported; an unknown reference is a wiring error. */
export function substituteVariables(text: string, variables: Record<string, Record<string, string>>): string {
  return text.replace(/#\{([A-Za-z0-9@\-_]+)\.([A-Za-z0-9@\-_]+)\}/g, (match, namespace: string, name: string) => {
    const value = variables[namespace]?.[name];
    if (value === undefined) throw new Error(`${match} references a variable no earlier action exported`);
    return value;
  });
}
