import * as fs from 'fs';
import * as path from 'path';
import { expectedStageBuildspec } from '../support/buildspec-files';
import { newStageWorkspace, recordedUploads, runPhase, StageWorkspace, stubTool } from '../support/buildspec-runner';

/**
 * Runs the canonical code-scan buildspec's build phase with bash, jq and the
 * real asff CLI; Semgrep, hadolint and `aws` are stubs writing small reports.
 */
const spec = expectedStageBuildspec('code-scan.yml');

function newWorkspace(): StageWorkspace {
  const workspace = newStageWorkspace({
    stage: 'code',
    threshold: 'MEDIUM',
    build: { project: 'code-scan', id: '1a2b', number: 4, sourceVersion: 'aaaabbbbccccddddeeeeffff0000111122223333' },
  });
  fs.writeFileSync(path.join(workspace.source, 'Dockerfile'), 'FROM node:latest\n');
  // Semgrep finds one note-level issue, below the stage's threshold.
  stubTool(workspace.bin, 'semgrep', `out=""; while [ $# -gt 0 ]; do [ "$1" = "--output" ] && out="$2"; shift; done
printf '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Semgrep OSS","rules":[]}},"results":[%s]}]}' \\
  '{"ruleId":"todo-comment","level":"note","message":{"text":"A TODO comment"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"Dockerfile"},"region":{"startLine":1}}}]}' > "$out"`);
  // hadolint reports an error-level issue on the Dockerfile.
  stubTool(workspace.bin, 'hadolint', `[ "$1" = "--no-fail" ] || exit 3
printf '[{"line":1,"code":"DL3007","message":"Using latest is prone to errors if the image will ever update. Pin the version explicitly to a release tag","column":1,"file":"%s","level":"error"}]' "$4"`);
  return workspace;
}

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
