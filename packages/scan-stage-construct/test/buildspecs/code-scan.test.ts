import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { expectedStageBuildspec } from '../support/buildspec-files';
import { ASFF_CLI, newStageWorkspace, recordedUploads, runPhase, StageWorkspace, stubTool } from '../support/buildspec-runner';

/**
 * Runs the canonical code-scan buildspec's build phase with bash, jq and the
 * real asff CLI; Semgrep, hadolint and `aws` are stubs writing small reports.
 */
const spec = expectedStageBuildspec('code-scan.yml');

/** Semgrep's one result: a note-level issue, below the stage's threshold. */
const SEMGREP_RESULT = JSON.stringify({
  ruleId: 'todo-comment',
  level: 'note',
  message: { text: 'A TODO comment' },
  locations: [{ physicalLocation: { artifactLocation: { uri: 'Dockerfile' }, region: { startLine: 1 } } }],
});

function newWorkspace(): StageWorkspace {
  const workspace = newStageWorkspace({
    stage: 'code',
    threshold: 'MEDIUM',
    build: { project: 'code-scan', id: '1a2b', number: 4, sourceVersion: 'aaaabbbbccccddddeeeeffff0000111122223333' },
  });
  fs.writeFileSync(path.join(workspace.source, 'Dockerfile'), 'FROM node:latest\n');
  // Semgrep finds one note-level issue, below the stage's threshold.
  stubTool(workspace.bin, 'semgrep', `printf '%s\\n' "$*" >> "$(dirname "$0")/../semgrep.args"
out=""; while [ $# -gt 0 ]; do [ "$1" = "--output" ] && out="$2"; shift; done
printf '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Semgrep OSS","rules":[]}},"results":[%s]}]}' \\
  '${SEMGREP_RESULT}' > "$out"`);
  // hadolint reports an error-level issue on the Dockerfile (its last argument).
  stubTool(workspace.bin, 'hadolint', `[ "$1" = "--no-fail" ] || exit 3
printf '%s\\n' "$*" >> "$(dirname "$0")/../hadolint.args"
message='Using latest is prone to errors if the image will ever update. Pin the version explicitly to a release tag'
printf '[{"line":1,"code":"DL3007","message":"%s","column":1,"file":"%s","level":"error"}]' "$message" "\${@: -1}"`);
  return workspace;
}

/** The arguments each call of a stub tool that records them was given, one string per call. */
function recordedArgs(workspace: StageWorkspace, tool: string): string[] {
  const file = path.join(workspace.root, `${tool}.args`);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n') : [];
}

/** A Bandit stand-in that records its arguments and writes an empty SARIF report where --output says. */
function stubBandit(workspace: StageWorkspace): void {
  stubTool(workspace.bin, 'bandit', `printf '%s\\n' "$*" >> "$(dirname "$0")/../bandit.args"
out=""; while [ $# -gt 0 ]; do [ "$1" = "--output" ] && out="$2"; shift; done
printf '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Bandit","rules":[]}},"results":[]}]}' > "$out"`);
}

const base64 = (text: string) => Buffer.from(text).toString('base64');
const HONOURING_FACTORY = 'version: 1\nstages:\n  code:\n    threshold: MEDIUM\ngate:\n  inSourceSuppressions: honour\n';

describe('code-scan buildspec and in-source suppression comments', () => {
  const workspaces: StageWorkspace[] = [];
  afterAll(() => workspaces.forEach((w) => fs.rmSync(w.root, { recursive: true, force: true })));
  const track = (w: StageWorkspace) => (workspaces.push(w), w);

  test('by default Semgrep and hadolint run with their flags that disregard suppression comments', () => {
    const workspace = track(newWorkspace());
    const run = runPhase(spec, 'build', { cwd: workspace.source, env: workspace.env });
    expect(run.output).toContain('In-source suppressions (gate.inSourceSuppressions): ignore');
    expect(recordedArgs(workspace, 'semgrep')).toEqual([expect.stringContaining(' --disable-nosem ')]);
    expect(recordedArgs(workspace, 'hadolint')).toEqual([expect.stringContaining(' --disable-ignore-pragma ')]);
  });

  test('by default Bandit runs with --ignore-nosec', () => {
    const workspace = track(newWorkspace());
    stubBandit(workspace);
    const run = runPhase(spec, 'build', { cwd: workspace.source, env: { ...workspace.env, SAST_TOOL: 'bandit', HADOLINT_ENABLED: 'false' } });
    expect(run.status).toBe(0);
    expect(recordedArgs(workspace, 'bandit')).toEqual(['--recursive . --ignore-nosec --format sarif --output reports/bandit.sarif --exit-zero']);
  });

  test('a factory policy that honours in-source suppressions runs the scanners without those flags', () => {
    const workspace = track(newWorkspace());
    const honouring = { FACTORY_POLICY_B64: base64(HONOURING_FACTORY) };
    const run = runPhase(spec, 'build', { cwd: workspace.source, env: { ...workspace.env, ...honouring } });
    expect(run.output).toContain('In-source suppressions (gate.inSourceSuppressions): honour');
    const withBandit = track(newWorkspace());
    stubBandit(withBandit);
    runPhase(spec, 'build', { cwd: withBandit.source, env: { ...withBandit.env, ...honouring, SAST_TOOL: 'bandit', HADOLINT_ENABLED: 'false' } });
    const calls = [...recordedArgs(workspace, 'semgrep'), ...recordedArgs(workspace, 'hadolint'), ...recordedArgs(withBandit, 'bandit')];
    expect(calls).toHaveLength(3);
    for (const call of calls) expect(call).not.toMatch(/--disable-nosem|--ignore-nosec|--disable-ignore-pragma/);
  });

  test('the repository\'s policy file cannot turn the flags off; it can turn them on where the factory honours comments', () => {
    const loosening = track(newWorkspace());
    fs.appendFileSync(path.join(loosening.source, 'security-policy.yml'), 'gate:\n  inSourceSuppressions: honour\n');
    runPhase(spec, 'build', { cwd: loosening.source, env: loosening.env });
    expect(recordedArgs(loosening, 'semgrep')).toEqual([expect.stringContaining(' --disable-nosem ')]);

    const tightening = track(newWorkspace());
    fs.appendFileSync(path.join(tightening.source, 'security-policy.yml'), 'gate:\n  inSourceSuppressions: ignore\n');
    runPhase(spec, 'build', { cwd: tightening.source, env: { ...tightening.env, FACTORY_POLICY_B64: base64(HONOURING_FACTORY) } });
    expect(recordedArgs(tightening, 'semgrep')).toEqual([expect.stringContaining(' --disable-nosem ')]);
  });

  test('a policy file that cannot be read leaves the flags on (the gate then fails on it)', () => {
    const workspace = track(newWorkspace());
    fs.writeFileSync(path.join(workspace.source, 'security-policy.yml'), 'version: 1\ngate: [\n');
    const run = runPhase(spec, 'build', { cwd: workspace.source, env: workspace.env });
    expect(recordedArgs(workspace, 'semgrep')).toEqual([expect.stringContaining(' --disable-nosem ')]);
    expect(run.status).toBe(2);
  });

  test('the real Bandit, given the arguments the stage passes, reports a # nosec\'d weakness and the default policy fails on it', () => {
    // Debian's Bandit (.ci/run installs it) predates its SARIF formatter: the stage's own arguments are taken from a
    // build run, then given to the real Bandit with JSON output, which `asff convert --tool bandit` reads.
    const workspace = track(newWorkspace());
    stubBandit(workspace);
    runPhase(spec, 'build', { cwd: workspace.source, env: { ...workspace.env, SAST_TOOL: 'bandit', HADOLINT_ENABLED: 'false' } });
    const [stageArgs] = recordedArgs(workspace, 'bandit');
    const args = stageArgs.split(' ').filter((a) => !['--exit-zero'].includes(a));
    args.splice(args.indexOf('--format'), 4, '--format', 'json', '--output', path.join(workspace.root, 'bandit.json'));

    const code = path.join(workspace.root, 'app');
    fs.mkdirSync(code);
    const source = ['import subprocess', '', '', 'def run(command):', '    return subprocess.call(command, shell=True)  # nosec', ''];
    fs.writeFileSync(path.join(code, 'runner.py'), source.join('\n'));
    const bandit = spawnSync('/usr/bin/bandit', args, { cwd: code, encoding: 'utf8' });
    if (bandit.error) throw new Error(`bandit could not run (.ci/run installs the Debian package): ${bandit.error.message}`);
    const report = JSON.parse(fs.readFileSync(path.join(workspace.root, 'bandit.json'), 'utf8'));
    expect(report.results.map((r: any) => `${r.test_id}:${r.line_number}`)).toContain('B602:5');

    const asff = (...a: string[]) => spawnSync(ASFF_CLI, a, { cwd: workspace.root, encoding: 'utf8' });
    const converted = asff('convert', '--tool', 'bandit', '--input', 'bandit.json', '--output', 'bandit.asff.json', '--account', '111111111111',
      '--region', 'eu-west-1', '--repository', 'app', '--branch', 'main');
    expect(converted.status).toBe(0);
    // The factory's default policy (the workspace's: threshold MEDIUM for stage code, nothing said about comments).
    fs.writeFileSync(path.join(workspace.root, 'factory.yml'), Buffer.from(workspace.env.FACTORY_POLICY_B64, 'base64'));
    const gate = asff('gate', '--input', 'bandit.asff.json', '--policy', 'factory.yml', '--stage', 'code');
    expect(gate.stdout).toMatch(/FAILED/);
    expect(gate.stdout).toMatch(/runner\.py:5/);
    expect(gate.status).toBe(1);
  });
});

describe('code-scan buildspec, run with stubbed scanners', () => {
  const workspaces: StageWorkspace[] = [];
  afterAll(() => workspaces.forEach((w) => fs.rmSync(w.root, { recursive: true, force: true })));
  const track = (w: StageWorkspace) => (workspaces.push(w), w);

  test('judges every tool in one gate: one JUnit report naming each tool, failed by the one that blocks', () => {
    const { source, record, env } = track(newWorkspace());

    const run = runPhase(spec, 'build', { cwd: source, env });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: spec.phases.build.commands.length - 1, status: 1 });
    expect(recordedUploads(record).filter((u) => u.destination.includes('/raw/')).map((u) => u.metadata?.tool)).toEqual(['sarif', 'hadolint']);
    expect(fs.readdirSync(path.join(source, 'reports')).filter((f) => f.startsWith('junit-'))).toEqual(['junit-gate.xml']);
    const junit = fs.readFileSync(path.join(source, 'reports', 'junit-gate.xml'), 'utf8');
    const failed = [...junit.matchAll(/<testcase classname="([^"]*)"[^>]*><failure/g)].map((m) => m[1]);
    expect(failed.length).toBeGreaterThan(1);
    expect(failed.slice(1).every((c) => c.startsWith('code.hadolint.'))).toBe(true);
    expect(junit).toMatch(/<testcase classname="code\.sarif\.todo-comment" name="LOW A TODO comment \[sarif\/[0-9a-f]+\]"><\/testcase>/);
  });

  test('tells the findings processor the build directory, so its Ids match the build\'s own conversion', () => {
    const { source, record, env } = track(newWorkspace());
    runPhase(spec, 'build', { cwd: source, env: { ...env, CODEBUILD_SRC_DIR: source } });
    const raw = recordedUploads(record).filter((u) => u.destination.includes('/raw/'));
    expect(raw.length).toBeGreaterThan(0);
    for (const upload of raw) expect(upload.metadata?.['source-root']).toBe(source);
  });

  test('passes with hadolint turned off when the SAST report is clean', () => {
    const { source, record, env } = track(newWorkspace());

    const run = runPhase(spec, 'build', { cwd: source, env: { ...env, HADOLINT_ENABLED: 'false' } });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: undefined, status: 0 });
    expect(recordedUploads(record).filter((u) => u.destination.includes('/raw/')).map((u) => u.destination))
      .toEqual(['s3://factory-reports/raw/factory/code/4/semgrep.sarif']);
  });

  test('stops on an unsupported SAST tool before uploading anything', () => {
    const { source, record, env } = track(newWorkspace());

    const run = runPhase(spec, 'build', { cwd: source, env: { ...env, SAST_TOOL: 'lint-everything' } });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: 1, status: 2 });
    expect(recordedUploads(record)).toEqual([]);
  });
});
