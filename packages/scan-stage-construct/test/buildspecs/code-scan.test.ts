import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readBuildspec } from '../support/buildspec-files';
import { installAwsStub, linkTool, recordedUploads, runPhase } from '../support/buildspec-runner';

/**
 * Runs the canonical code-scan buildspec's build phase with bash, jq and the
 * real asff CLI; Semgrep, hadolint and `aws` are stubs writing small reports.
 */
const ASFF_CLI = path.join(__dirname, '..', '..', '..', 'asff-parsers', 'bin', 'asff');
const spec = readBuildspec('code-scan.yml');

function stub(bin: string, name: string, body: string): void {
  fs.writeFileSync(path.join(bin, name), `#!/usr/bin/env bash\nset -euo pipefail\n${body}\n`, { mode: 0o755 });
}

function newWorkspace(root: string) {
  const source = path.join(root, 'src');
  const bin = path.join(root, 'bin');
  const record = path.join(root, 'calls');
  fs.mkdirSync(source, { recursive: true });
  fs.writeFileSync(path.join(source, 'Dockerfile'), 'FROM node:latest\n');
  fs.writeFileSync(path.join(source, 'security-policy.yml'), 'version: 1\nstages:\n  code:\n    threshold: MEDIUM\n');
  installAwsStub(bin, record);
  linkTool(bin, 'asff', ASFF_CLI);
  // Semgrep finds nothing: an empty SARIF run.
  stub(bin, 'semgrep', `out=""; while [ $# -gt 0 ]; do [ "$1" = "--output" ] && out="$2"; shift; done
printf '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Semgrep OSS","rules":[]}},"results":[]}]}' > "$out"`);
  // hadolint reports an error-level issue on the Dockerfile.
  stub(bin, 'hadolint', `[ "$1" = "--no-fail" ] || exit 3
printf '[{"line":1,"code":"DL3007","message":"Using latest is prone to errors if the image will ever update. Pin the version explicitly to a release tag","column":1,"file":"%s","level":"error"}]' "$4"`);
  const env = {
    PATH: `${bin}:${process.env.PATH}`,
    HOME: root,
    REPORTS_BUCKET: 'factory-reports',
    STAGE_NAME: 'code',
    POLICY_FILE: 'security-policy.yml',
    CODEBUILD_BUILD_ARN: 'arn:aws:codebuild:eu-west-1:111111111111:build/code-scan:1a2b',
    CODEBUILD_BUILD_ID: 'code-scan:1a2b',
    CODEBUILD_BUILD_NUMBER: '4',
    CODEBUILD_RESOLVED_SOURCE_VERSION: 'aaaabbbbccccddddeeeeffff0000111122223333',
    CODEBUILD_INITIATOR: 'codepipeline/factory',
  };
  return { source, record, env };
}

describe('code-scan buildspec, run with stubbed scanners', () => {
  let root: string;
  beforeEach(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'code-scan-')); });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  test('gates every tool before failing, so that each one publishes its JUnit report', () => {
    const { source, record, env } = newWorkspace(root);

    const run = runPhase(spec, 'build', { cwd: source, env });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: spec.phases.build.commands.length - 1, status: 1 });
    expect(recordedUploads(record).filter((u) => u.destination.includes('/raw/')).map((u) => u.metadata?.tool)).toEqual(['sarif', 'hadolint']);
    const junit = (tool: string) => fs.readFileSync(path.join(source, 'reports', `junit-${tool}.xml`), 'utf8');
    expect(junit('sarif')).not.toContain('<failure');
    expect(junit('hadolint')).toContain('<failure');
  });

  test('passes with hadolint turned off when the SAST report is clean', () => {
    const { source, record, env } = newWorkspace(root);

    const run = runPhase(spec, 'build', { cwd: source, env: { ...env, HADOLINT_ENABLED: 'false' } });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: undefined, status: 0 });
    expect(recordedUploads(record).filter((u) => u.destination.includes('/raw/')).map((u) => u.destination))
      .toEqual(['s3://factory-reports/raw/factory/code/4/semgrep.sarif']);
  });

  test('stops on an unsupported SAST tool before uploading anything', () => {
    const { source, record, env } = newWorkspace(root);

    const run = runPhase(spec, 'build', { cwd: source, env: { ...env, SAST_TOOL: 'lint-everything' } });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: 0, status: 2 });
    expect(recordedUploads(record)).toEqual([]);
  });
});
