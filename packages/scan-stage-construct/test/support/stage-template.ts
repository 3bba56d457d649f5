import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as YAML from 'yaml';
import { pipelineAround } from './factory';

/** What a stage test inspects: its project, its rendered buildspec and its pipeline action. */
export interface RenderedStage {
  readonly template: Template;
  readonly project: any;
  readonly buildspec: any;
  readonly environment: Record<string, { Type: string; Value: unknown }>;
  readonly action: any;
}

/** Synthesizes the stage inside a pipeline (after `before`, one pipeline stage each) and extracts the parts tests look at. */
export function renderStage(
  stack: Stack,
  source: codepipeline.Artifact,
  action: codepipeline.IAction,
  projectIdPrefix: string,
  before: codepipeline.IAction[] = [],
): RenderedStage {
  pipelineAround(stack, source, [...before, action]);
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources;
  const [, project] = Object.entries<any>(resources).find(([id, r]) => r.Type === 'AWS::CodeBuild::Project' && id.startsWith(projectIdPrefix))!;
  const buildspecText = flattenJoin(project.Properties.Source.BuildSpec);
  const environment = Object.fromEntries(project.Properties.Environment.EnvironmentVariables.map((v: any) => [
    v.Name,
    { Type: v.Type, Value: v.Value },
  ]));
  const pipeline = Object.values<any>(resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
  const rendered = pipeline.Properties.Stages[before.length + 1].Actions[0];
  return {
    template,
    project,
    buildspec: YAML.parse(buildspecText),
    environment,
    action: rendered,
  };
}

/** The action's environment-variable overrides, by name. */
export function actionOverrides(action: any): Record<string, { type: string; value: unknown }> {
  const raw = action.Configuration.EnvironmentVariables;
  if (raw === undefined) return {};
  const list = typeof raw === 'string' ? JSON.parse(raw) : JSON.parse(JSON.stringify(raw));
  return Object.fromEntries((Array.isArray(list) ? list : []).map((v: any) => [v.name, { type: v.type, value: v.value }]));
}

/** A CloudFormation string with references replaced by `<Ref:LogicalId>` / `<GetAtt:LogicalId.Attr>`. */
export function flattenJoin(value: any): string {
  if (typeof value === 'string') return value;
  if (value['Fn::Join']) return value['Fn::Join'][1].map(flattenJoin).join(value['Fn::Join'][0]);
  if (value.Ref) return `<Ref:${value.Ref}>`;
  if (value['Fn::GetAtt']) return `<GetAtt:${value['Fn::GetAtt'].join('.')}>`;
  return JSON.stringify(value);
}
