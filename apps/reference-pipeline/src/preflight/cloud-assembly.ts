import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a synthesized app (cdk.out) requires of the account, for the checks that depend on the app's code. */
export interface CloudAssemblyFacts {
  readonly dir: string;
  /** Highest `requiresBootstrapStackVersion` of the stacks and asset manifests (or of a `CheckBootstrapVersion` rule). */
  readonly requiredBootstrapVersion?: number;
  /** The SSM parameter the synthesizer checks, e.g. `/cdk-bootstrap/hnb659fds/version` (carries a custom qualifier). */
  readonly bootstrapVersionParameter?: string;
  /** Sum of `ReservedConcurrentExecutions` over the Lambda functions the stacks create. */
  readonly reservedConcurrentExecutions: number;
  /** `KUBECTL_VERSION` of the deploy projects, e.g. `v1.36.4`. */
  readonly kubectlVersion?: string;
}

interface Artifact {
  readonly type?: string;
  readonly properties?: { templateFile?: string; requiresBootstrapStackVersion?: number; bootstrapStackVersionSsmParameter?: string };
}

interface Template {
  readonly Rules?: Record<string, { Assertions?: Array<{ Assert?: unknown }> }>;
  readonly Resources?: Record<string, { Type?: string; Properties?: Record<string, unknown> }>;
}

/** The assertion of the CheckBootstrapVersion rule: the versions it refuses. */
interface BootstrapVersionAssertion {
  readonly 'Fn::Not'?: Array<{ 'Fn::Contains'?: unknown[] }>;
}

/** Reads `<dir>/manifest.json` and the stack templates it names; undefined when the app was not synthesized. */
export function readCloudAssembly(dir: string): CloudAssemblyFacts | undefined {
  const manifestFile = join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) return undefined;
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf-8')) as { artifacts?: Record<string, Artifact> };
  const artifacts = Object.values(manifest.artifacts ?? {});
  const required: number[] = [];
  let parameter: string | undefined;
  let reserved = 0;
  let kubectlVersion: string | undefined;
  for (const artifact of artifacts) {
    const props = artifact.properties ?? {};
    if (typeof props.requiresBootstrapStackVersion === 'number') required.push(props.requiresBootstrapStackVersion);
    parameter ??= props.bootstrapStackVersionSsmParameter;
    if (artifact.type !== 'aws:cloudformation:stack' || !props.templateFile) continue;
    const template = JSON.parse(readFileSync(join(dir, props.templateFile), 'utf-8')) as Template;
    const ruleVersion = bootstrapVersionFromRule(template);
    if (ruleVersion !== undefined) required.push(ruleVersion);
    for (const resource of Object.values(template.Resources ?? {})) {
      const properties = resource.Properties ?? {};
      if (resource.Type === 'AWS::Lambda::Function' && typeof properties.ReservedConcurrentExecutions === 'number') {
        reserved += properties.ReservedConcurrentExecutions;
      }
      if (resource.Type === 'AWS::CodeBuild::Project') kubectlVersion ??= kubectlVersionOf(properties);
    }
  }
  return {
    dir,
    requiredBootstrapVersion: required.length > 0 ? Math.max(...required) : undefined,
    bootstrapVersionParameter: parameter,
    reservedConcurrentExecutions: reserved,
    kubectlVersion,
  };
}

/** cdk.json context `@aws-cdk/core:bootstrapQualifier`, when the app uses a custom bootstrap qualifier. */
export function readBootstrapQualifier(cdkJsonFile: string): string | undefined {
  if (!existsSync(cdkJsonFile)) return undefined;
  const cdkJson = JSON.parse(readFileSync(cdkJsonFile, 'utf-8')) as { context?: Record<string, unknown> };
  const qualifier = cdkJson.context?.['@aws-cdk/core:bootstrapQualifier'];
  return typeof qualifier === 'string' && qualifier !== '' ? qualifier : undefined;
}

/**
 * The stack synthesizer writes `Fn::Not [Fn::Contains [["1".."5"], Ref BootstrapVersion]]`: the versions it
 * refuses, so the required one is the highest refused plus one.
 */
function bootstrapVersionFromRule(template: Template): number | undefined {
  const assertion = template.Rules?.CheckBootstrapVersion?.Assertions?.[0]?.Assert as BootstrapVersionAssertion | undefined;
  const refused = assertion?.['Fn::Not']?.[0]?.['Fn::Contains']?.[0];
  if (!Array.isArray(refused) || refused.length === 0) return undefined;
  return Math.max(...refused.map(Number)) + 1;
}

function kubectlVersionOf(project: Record<string, unknown>): string | undefined {
  const environment = project.Environment as { EnvironmentVariables?: Array<{ Name?: string; Value?: unknown }> } | undefined;
  const variable = environment?.EnvironmentVariables?.find((v) => v.Name === 'KUBECTL_VERSION');
  return typeof variable?.Value === 'string' ? variable.Value : undefined;
}
