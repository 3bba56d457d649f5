import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { PipelineAction, PipelineStage, PLACEHOLDER_ACCOUNT, PLACEHOLDER_REGION, substituteVariables } from './pipeline-model';
import { installAwsStub, runPhase, scriptAwsResponses } from '../../../../packages/scan-stage-construct/test/support/buildspec-runner';

/** What one action of the rehearsal did. */
export interface ActionRun {
  readonly stage: string;
  readonly action: string;
  readonly runOrder: number;
  readonly status: 'Succeeded' | 'Failed' | 'Approved';
  /** Its record folder: the `aws` stub's calls.jsonl and uploads, the tool stubs' logs, kubectl-apply-N.yaml. */
  readonly record?: string;
  /** The variables it exported under its namespace. */
  readonly exported: Record<string, string>;
  /** The environment its build ran with (project variables, then the action's overrides). */
  readonly environment?: Record<string, string>;
  /** The approval's CustomData, variables substituted. */
  readonly customData?: string;
  /** The approval's ExternalEntityLink, variables substituted. */
  readonly link?: string;
  readonly output?: string;
}

export interface RehearsalOptions {
  /** Working folder: artifacts/, builds/, home/. */
  readonly root: string;
  /** The sample commit's repository (the Source action's connection clones it). */
  readonly repository: string;
  /** The real and stub tools (stubs.ts installTools). */
  readonly toolsBin: string;
  /** Scripted `aws` answers each action's stub gives, keyed `<service> <operation>`. */
  readonly awsResponses: (action: PipelineAction) => Record<string, Array<{ stdout?: string; stderr?: string; exit?: number }>>;
}

/**
 * Runs the pipeline's actions in stage order, and within a stage by RunOrder
 * (actions sharing a RunOrder run one after the other here: they have no
 * dependency on each other by construction, and the machine has 2 cores).
 * Stops at the first failed action, as the pipeline does.
 */
export function rehearse(stages: PipelineStage[], options: RehearsalOptions): ActionRun[] {
  const artifacts: Record<string, string> = {};
  // CodePipeline's own variables of the execution, e.g. #{codepipeline.PipelineExecutionId}.
  const variables: Record<string, Record<string, string>> = { codepipeline: { PipelineExecutionId: '00000000-0000-4000-8000-000000000001' } };
  const runs: ActionRun[] = [];
  let build = 0;
  for (const stage of stages) {
    const orders = [...new Set(stage.actions.map((a) => a.runOrder))].sort((a, b) => a - b);
    for (const order of orders) {
      for (const action of stage.actions.filter((a) => a.runOrder === order)) {
        build += 1;
        const run = rehearseAction(action, build, { options, artifacts, variables });
        runs.push(run);
        if (run.status === 'Failed') return runs;
        if (action.namespace) variables[action.namespace] = run.exported;
      }
    }
  }
  return runs;
}

interface State {
  readonly options: RehearsalOptions;
  readonly artifacts: Record<string, string>;
  readonly variables: Record<string, Record<string, string>>;
}

function rehearseAction(action: PipelineAction, build: number, state: State): ActionRun {
  const base = { stage: action.stage, action: action.name, runOrder: action.runOrder };
  switch (action.category) {
    case 'Source': return rehearseSource(action, state, base);
    case 'Approval': {
      // Recorded as approved: what the approver is shown is the CustomData, with the run's variables in it.
      const customData = substituteVariables(String(action.configuration.CustomData ?? ''), state.variables);
      const link = substituteVariables(String(action.configuration.ExternalEntityLink ?? ''), state.variables);
      return { ...base, status: 'Approved', exported: {}, customData, link };
    }
    case 'Build': return rehearseBuild(action, build, state, base);
    default: throw new Error(`The rehearsal has no ${String(action.category)} action`);
  }
}

/**
 * CodeStarSourceConnection with CODEBUILD_CLONE_REF: the artifact is a full
 * clone of the branch, and the action's namespace gets CommitId and friends.
 */
function rehearseSource(action: PipelineAction, state: State, base: Pick<ActionRun, 'stage' | 'action' | 'runOrder'>): ActionRun {
  const configuration = action.configuration;
  const out = artifactFolder(state, action.outputs[0]);
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', env: gitEnvironment(state.options.root) }).trim();
  git('clone', '--quiet', '--branch', configuration.BranchName, state.options.repository, out);
  const commit = git('-C', out, 'rev-parse', 'HEAD');
  return {
    ...base,
    status: 'Succeeded',
    exported: {
      CommitId: commit,
      BranchName: configuration.BranchName,
      FullRepositoryName: configuration.FullRepositoryId,
      ConnectionArn: String(configuration.ConnectionArn),
      AuthorDate: git('-C', out, 'log', '-1', '--format=%aI'),
      CommitMessage: git('-C', out, 'log', '-1', '--format=%s'),
    },
  };
}

function rehearseBuild(action: PipelineAction, build: number, state: State, base: Pick<ActionRun, 'stage' | 'action' | 'runOrder'>): ActionRun {
  const project = action.project!;
  const spec = project.buildspec;
  const folder = path.join(state.options.root, 'builds', `${String(build).padStart(2, '0')}-${action.name}`);
  const record = path.join(folder, 'record');
  const bin = path.join(folder, 'bin');
  installAwsStub(bin, record);
  for (const [call, responses] of Object.entries(state.options.awsResponses(action))) {
    const [service, operation] = call.split(' ');
    scriptAwsResponses(record, service, operation, responses);
  }

  // Every input artifact is a fresh copy, as CodeBuild downloads it: what one build writes into its
  // source folder never reaches another build except through an output artifact.
  const primary = action.primarySource ?? action.inputs[0];
  const inputs: Record<string, string> = {};
  for (const name of action.inputs) {
    if (!state.artifacts[name]) throw new Error(`${action.name} takes artifact ${name}, which no earlier action produced`);
    inputs[name] = path.join(folder, 'inputs', name);
    fs.cpSync(state.artifacts[name], inputs[name], { recursive: true, verbatimSymlinks: true });
  }
  const source = inputs[primary];

  const resolve = (v: { type: string; value: string; name: string }) =>
    // Secrets Manager and Parameter Store variables hold a reference; CodeBuild gives the build its value.
    v.type === 'PLAINTEXT' ? v.value : `value-of-${v.value}`;
  const projectEnvironment = Object.fromEntries(project.environment.map((v) => [v.name, resolve(v)]));
  const overrides = Object.fromEntries(action.overrides
    .map((v) => [v.name, resolve({ ...v, value: substituteVariables(v.value, state.variables) })]));
  // The commit of the primary source: the clone's HEAD (CODEBUILD_CLONE_REF artifacts are git clones).
  const sourceVersion = fs.existsSync(path.join(source, '.git'))
    ? execFileSync('git', ['-C', source, 'rev-parse', 'HEAD'], { encoding: 'utf8', env: gitEnvironment(state.options.root) }).trim()
    : 'unknown';
  const buildId = `${project.logicalId}:rehearsal-${build}`;
  const environment: Record<string, string> = { ...projectEnvironment, ...overrides };
  let env: Record<string, string> = {
    PATH: `${bin}:${state.options.toolsBin}:/usr/local/bin:/usr/bin:/bin`,
    HOME: path.join(state.options.root, 'home'),
    TMPDIR: fs.mkdtempSync(path.join(folder, 'tmp-')),
    REHEARSAL_RECORD: record,
    CODEBUILD_SRC_DIR: source,
    ...Object.fromEntries(Object.entries(inputs).filter(([name]) => name !== primary).map(([name, dir]) => [`CODEBUILD_SRC_DIR_${name}`, dir])),
    CODEBUILD_BUILD_ARN: `arn:aws:codebuild:${PLACEHOLDER_REGION}:${PLACEHOLDER_ACCOUNT}:build/${buildId}`,
    CODEBUILD_BUILD_ID: buildId,
    CODEBUILD_BUILD_NUMBER: String(build),
    CODEBUILD_RESOLVED_SOURCE_VERSION: sourceVersion,
    CODEBUILD_INITIATOR: 'codepipeline/factory',
    ...environment,
  };
  // The install phase is skipped: it downloads tool releases and the asff bundle; the tools are on PATH instead.
  // Its commands that write the factory's own scripts (gate-stage, post-feedback) run, into the build's bin/.
  installEmbeddedScripts(spec, bin);
  let output = '';
  for (const phase of ['pre_build', 'build', 'post_build']) {
    if (!spec.phases?.[phase]) continue;
    const run = runPhase(spec, phase, { cwd: source, env });
    output += run.output;
    env = run.env;
    if (run.status !== 0) return { ...base, status: 'Failed', exported: {}, record, environment, output };
  }

  const exported = Object.fromEntries((spec.env?.['exported-variables'] ?? []).map((name: string) => [name, env[name]]));
  for (const [name, value] of Object.entries(exported)) {
    if (value === undefined) throw new Error(`${action.name} declares ${name} as exported but its build never set it`);
  }
  collectArtifacts(action, spec, source, state);
  return { ...base, status: 'Succeeded', exported: exported as Record<string, string>, record, environment, output };
}

/**
 * Runs the install commands that write an embedded script to /usr/local/bin (src/private/buildspec.ts
 * installCommand in scan-stage-construct) with the build's own bin/ as the target, so that the rehearsal runs the
 * scripts exactly as the synthesized buildspec carries them.
 */
function installEmbeddedScripts(spec: any, bin: string): void {
  const writes = ((spec.phases?.install?.commands ?? []) as string[])
    .filter((command) => /^set -euo pipefail\ncat > \/usr\/local\/bin\/[a-z-]+ <<'[A-Z_]+'\n/.test(command));
  for (const command of writes) {
    execFileSync('bash', ['-c', command.replace(/\/usr\/local\/bin\//g, `${bin}/`)], { stdio: 'pipe' });
  }
}

/** The buildspec's `artifacts` files (paths relative to base-directory, kept) become the action's output artifact. */
function collectArtifacts(action: PipelineAction, spec: any, source: string, state: State): void {
  if (action.outputs.length === 0) return;
  if (action.outputs.length > 1 || !spec.artifacts) {
    throw new Error(`${action.name} declares ${action.outputs.join(', ')} but its buildspec has no (single) artifacts section`);
  }
  const baseDirectory = path.join(source, spec.artifacts['base-directory'] ?? '.');
  const out = artifactFolder(state, action.outputs[0]);
  for (const file of spec.artifacts.files as string[]) {
    if (/[*?[]/.test(file)) throw new Error(`The rehearsal collects literal artifact paths only, not ${file}`);
    const from = path.join(baseDirectory, file);
    if (!fs.existsSync(from)) throw new Error(`${action.name}'s build wrote no ${file} for artifact ${action.outputs[0]}`);
    fs.mkdirSync(path.dirname(path.join(out, file)), { recursive: true });
    fs.copyFileSync(from, path.join(out, file));
  }
}

function artifactFolder(state: State, name: string): string {
  const folder = path.join(state.options.root, 'artifacts', name);
  if (state.artifacts[name]) throw new Error(`Artifact ${name} is produced twice`);
  fs.mkdirSync(path.dirname(folder), { recursive: true });
  state.artifacts[name] = folder;
  return folder;
}

function gitEnvironment(root: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: path.join(root, 'home'), GIT_CONFIG_NOSYSTEM: '1' };
}
