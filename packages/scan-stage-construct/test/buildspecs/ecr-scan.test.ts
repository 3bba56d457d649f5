import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { expectedStageBuildspec } from '../support/buildspec-files';
import { awsCalls, newStageWorkspace, recordedUploads, runPhase, scriptAwsResponses, StageWorkspace } from '../support/buildspec-runner';

/**
 * Runs the canonical ecr-scan buildspec's build phase with bash, jq and the real
 * asff CLI; `aws` (ECR) and `crane` (registry) are stubs that record their calls.
 */
const spec = expectedStageBuildspec('ecr-scan.yml');
const REPOSITORY_URI = '111111111111.dkr.ecr.eu-west-1.amazonaws.com/sample-app';

interface Workspace extends StageWorkspace {
  readonly digest: string;
}

/** crane stand-in: login reads the password from stdin; push reports `<repo>@sha256:<digest of the tarball>`. */
function installCraneStub(bin: string, record: string): void {
  fs.writeFileSync(path.join(bin, 'crane'), `#!/usr/bin/env node
const fs = require('fs');
const crypto = require('crypto');
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(path.join(record, 'crane.jsonl'))}, JSON.stringify(args) + '\\n');
if (args[0] === 'auth' && args[1] === 'login') {
  const password = fs.readFileSync(0, 'utf8').trim();
  fs.writeFileSync(${JSON.stringify(path.join(record, 'crane-password'))}, password);
  process.exit(password ? 0 : 1);
}
if (args[0] === 'push') {
  const [tarball, reference] = args.slice(1, 3);
  const refs = args[args.indexOf('--image-refs') + 1];
  const digest = crypto.createHash('sha256').update(fs.readFileSync(tarball)).digest('hex');
  fs.writeFileSync(refs, reference.slice(0, reference.lastIndexOf(':')) + '@sha256:' + digest + '\\n');
  process.exit(0);
}
process.exit(2);
`, { mode: 0o755 });
}

function newWorkspace(threshold: string): Workspace {
  const workspace = newStageWorkspace({
    stage: 'ecr',
    threshold,
    build: { project: 'ecr-scan', id: '5d1f', number: 12, sourceVersion: '0123456789abcdef0123456789abcdef01234567' },
  });
  const { root, bin, record } = workspace;
  const image = path.join(root, 'image-artifact', 'image');
  fs.mkdirSync(image, { recursive: true });
  const tarball = Buffer.from(`not really an image ${Date.now()}`);
  fs.writeFileSync(path.join(image, 'image.tar'), tarball);
  installCraneStub(bin, record);
  scriptAwsResponses(record, 'ecr', 'get-login-password', [{ stdout: 'registry-password-not-for-logs\n' }]);
  scriptAwsResponses(record, 'ecr', 'start-image-scan', [{ stdout: '{}' }]);
  scriptAwsResponses(record, 'ecr', 'get-registry-scanning-configuration', [{ stdout: registryScanning('BASIC') }]);
  return {
    ...workspace,
    digest: `sha256:${createHash('sha256').update(tarball).digest('hex')}`,
    env: {
      ...workspace.env,
      ECR_REPOSITORY_URI: REPOSITORY_URI,
      IMAGE_ARTIFACT_NAME: 'ScannedImage',
      CODEBUILD_SRC_DIR_ScannedImage: path.join(root, 'image-artifact'),
      ECR_SCAN_POLL_SECONDS: '0',
    },
  };
}

/** The registry scanning configuration, as get-registry-scanning-configuration returns it. */
function registryScanning(scanType: 'BASIC' | 'ENHANCED'): string {
  return JSON.stringify({ registryId: '111111111111', scanningConfiguration: { scanType, rules: [] } });
}

const SCAN_NOT_FOUND = { stderr: 'An error occurred (ScanNotFoundException) when calling the DescribeImageScanFindings operation', exit: 254 };

/** A small describe-image-scan-findings answer, written from the documented shape. */
function scanResult(digest: string, status: string, findings: object[]): string {
  return JSON.stringify({
    imageScanFindings: {
      findings,
      imageScanCompletedAt: '2026-11-23T08:00:00+00:00',
      vulnerabilitySourceUpdatedAt: '2026-11-22T00:00:00+00:00',
      findingSeverityCounts: findings.length ? { CRITICAL: findings.length } : {},
    },
    registryId: '111111111111',
    repositoryName: 'sample-app',
    imageId: { imageDigest: digest },
    imageScanStatus: { status, description: status },
  });
}

const CRITICAL_OPENSSL = {
  name: 'CVE-2099-0001',
  description: 'A made-up critical flaw in a made-up OpenSSL build.',
  uri: 'https://security-tracker.debian.org/tracker/CVE-2099-0001',
  severity: 'CRITICAL',
  attributes: [{ key: 'package_name', value: 'openssl' }, { key: 'package_version', value: '3.0.1-1' }, { key: 'CVSS2_SCORE', value: '10' }],
};

describe('ecr-scan buildspec, run with stubbed ECR and registry', () => {
  const workspaces: Workspace[] = [];
  afterAll(() => workspaces.forEach((w) => fs.rmSync(w.root, { recursive: true, force: true })));
  const track = (w: Workspace) => (workspaces.push(w), w);

  test('pushes by digest, starts the missing basic scan once, waits for it and fails the gate on a critical CVE', () => {
    const workspace = track(newWorkspace('HIGH'));
    scriptAwsResponses(workspace.record, 'ecr', 'describe-image-scan-findings', [
      SCAN_NOT_FOUND, SCAN_NOT_FOUND, SCAN_NOT_FOUND, SCAN_NOT_FOUND,
      { stdout: scanResult(workspace.digest, 'IN_PROGRESS', []) },
      { stdout: scanResult(workspace.digest, 'COMPLETE', [CRITICAL_OPENSSL]) },
    ]);

    const run = runPhase(spec, 'build', { cwd: workspace.source, env: workspace.env });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: spec.phases.build.commands.length - 1, status: 1 });
    const pushes = fs.readFileSync(path.join(workspace.record, 'crane.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(pushes.map((args) => args[0])).toEqual(['auth', 'push']);
    expect(pushes[1][2]).toBe(`${REPOSITORY_URI}:build-12-0123456789abcdef0123456789abcdef01234567`);
    expect(JSON.stringify(pushes)).not.toContain('registry-password-not-for-logs');
    expect(fs.readFileSync(path.join(workspace.record, 'crane-password'), 'utf8')).toBe('registry-password-not-for-logs');
    expect(run.output).not.toContain('registry-password-not-for-logs');

    const ecrCalls = awsCalls(workspace.record).filter((args) => args[0] === 'ecr').map((args) => args[1]);
    expect(ecrCalls).toEqual([
      'get-login-password', 'get-registry-scanning-configuration',
      // A scan on push may register late: three more asks before starting one.
      'describe-image-scan-findings', 'describe-image-scan-findings', 'describe-image-scan-findings', 'describe-image-scan-findings',
      'start-image-scan', 'describe-image-scan-findings', 'describe-image-scan-findings',
    ]);
    expect(awsCalls(workspace.record).find((args) => args[1] === 'start-image-scan')).toContain(`imageDigest=${workspace.digest}`);

    const report = recordedUploads(workspace.record).find((u) => u.destination.startsWith('s3://factory-reports/raw/'))!;
    expect(report.destination).toBe('s3://factory-reports/raw/factory/ecr/12/ecr-scan.json');
    expect(report.metadata).toEqual(expect.objectContaining({
      'tool': 'ecr', 'image-digest': workspace.digest, 'image': `${REPOSITORY_URI}@${workspace.digest}`,
    }));
    const findings = JSON.parse(fs.readFileSync(path.join(workspace.source, 'reports', 'ecr.asff.json'), 'utf8')).Findings;
    expect(findings).toHaveLength(1);
    expect(findings[0].Severity.Label).toBe('CRITICAL');
  });

  test('exports the pushed digest for deploys when the gate passes', () => {
    const workspace = track(newWorkspace('CRITICAL'));
    scriptAwsResponses(workspace.record, 'ecr', 'describe-image-scan-findings', [{ stdout: scanResult(workspace.digest, 'COMPLETE', []) }]);

    const run = runPhase(spec, 'build', { cwd: workspace.source, env: workspace.env });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: undefined, status: 0 });
    expect(run.env.IMAGE_DIGEST).toBe(workspace.digest);
    expect(run.env.IMAGE_URI).toBe(`${REPOSITORY_URI}@${workspace.digest}`);
    expect(awsCalls(workspace.record).some((args) => args[1] === 'start-image-scan')).toBe(false);
  });

  test('waits out a scan on push that registers late instead of starting another', () => {
    const workspace = track(newWorkspace('CRITICAL'));
    scriptAwsResponses(workspace.record, 'ecr', 'describe-image-scan-findings', [
      SCAN_NOT_FOUND, SCAN_NOT_FOUND, { stdout: scanResult(workspace.digest, 'IN_PROGRESS', []) }, { stdout: scanResult(workspace.digest, 'COMPLETE', []) },
    ]);

    const run = runPhase(spec, 'build', { cwd: workspace.source, env: workspace.env });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: undefined, status: 0 });
    expect(awsCalls(workspace.record).filter((args) => args[1] === 'start-image-scan')).toEqual([]);
  });

  test('waits for the existing scan when start-image-scan is refused with LimitExceededException', () => {
    const workspace = track(newWorkspace('CRITICAL'));
    scriptAwsResponses(workspace.record, 'ecr', 'describe-image-scan-findings', [
      SCAN_NOT_FOUND, SCAN_NOT_FOUND, SCAN_NOT_FOUND, SCAN_NOT_FOUND, SCAN_NOT_FOUND, { stdout: scanResult(workspace.digest, 'COMPLETE', []) },
    ]);
    scriptAwsResponses(workspace.record, 'ecr', 'start-image-scan', [
      { stderr: 'An error occurred (LimitExceededException) when calling the StartImageScan operation: The scan quota per image has been exceeded. Wait and try again.', exit: 254 },
    ]);

    const run = runPhase(spec, 'build', { cwd: workspace.source, env: workspace.env });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: undefined, status: 0 });
    expect(run.output).toContain('LimitExceededException');
    expect(awsCalls(workspace.record).filter((args) => args[1] === 'start-image-scan')).toHaveLength(1);
  });

  test('fails on any other start-image-scan error', () => {
    const workspace = track(newWorkspace('CRITICAL'));
    scriptAwsResponses(workspace.record, 'ecr', 'describe-image-scan-findings', [SCAN_NOT_FOUND]);
    scriptAwsResponses(workspace.record, 'ecr', 'start-image-scan', [
      { stderr: 'An error occurred (AccessDeniedException) when calling the StartImageScan operation', exit: 254 },
    ]);

    const run = runPhase(spec, 'build', { cwd: workspace.source, env: workspace.env });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: 2, status: 2 });
    expect(run.output).toContain('AccessDeniedException');
  });

  test.each(['LIMIT_EXCEEDED', 'IMAGE_ARCHIVED', 'FAILED', 'UNSUPPORTED_IMAGE', 'FINDINGS_UNAVAILABLE', 'SCAN_ELIGIBILITY_EXPIRED'])(
    'stops at the final status %s at once instead of waiting for the timeout', (status) => {
      const workspace = track(newWorkspace('CRITICAL'));
      scriptAwsResponses(workspace.record, 'ecr', 'describe-image-scan-findings', [{ stdout: scanResult(workspace.digest, status, []) }]);

      const run = runPhase(spec, 'build', { cwd: workspace.source, env: { ...workspace.env, ECR_SCAN_TIMEOUT_SECONDS: '900', ECR_SCAN_POLL_SECONDS: '30' } });

      expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: 2, status: 2 });
      expect(run.output).toContain(`ECR scan ended with status ${status}`);
      expect(awsCalls(workspace.record).filter((args) => args[1] === 'describe-image-scan-findings')).toHaveLength(1);
      expect(recordedUploads(workspace.record)).toEqual([]);
    });

  test('in an enhanced registry, waits for Inspector (ACTIVE) without starting a basic scan, whatever enhancedScanning says', () => {
    const workspace = track(newWorkspace('CRITICAL'));
    scriptAwsResponses(workspace.record, 'ecr', 'get-registry-scanning-configuration', [{ stdout: registryScanning('ENHANCED') }]);
    scriptAwsResponses(workspace.record, 'ecr', 'describe-image-scan-findings', [
      SCAN_NOT_FOUND, SCAN_NOT_FOUND, SCAN_NOT_FOUND, SCAN_NOT_FOUND, SCAN_NOT_FOUND, SCAN_NOT_FOUND,
      { stdout: scanResult(workspace.digest, 'PENDING', []) }, { stdout: scanResult(workspace.digest, 'ACTIVE', []) },
    ]);

    const run = runPhase(spec, 'build', { cwd: workspace.source, env: workspace.env });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: undefined, status: 0 });
    expect(run.output).toContain('ECR registry scan type: ENHANCED');
    expect(awsCalls(workspace.record).filter((args) => args[1] === 'start-image-scan')).toEqual([]);
  });

  test('fails when the registry scanning configuration cannot be read', () => {
    const workspace = track(newWorkspace('CRITICAL'));
    scriptAwsResponses(workspace.record, 'ecr', 'get-registry-scanning-configuration', [
      { stderr: 'An error occurred (AccessDeniedException) when calling the GetRegistryScanningConfiguration operation', exit: 254 },
    ]);

    const run = runPhase(spec, 'build', { cwd: workspace.source, env: workspace.env });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: 2, status: 2 });
    expect(run.output).toContain('GetRegistryScanningConfiguration');
    expect(awsCalls(workspace.record).filter((args) => args[1] === 'describe-image-scan-findings')).toEqual([]);
  });

  test('gives up when the scan outlasts its timeout, before uploading or gating anything', () => {
    const workspace = track(newWorkspace('HIGH'));
    scriptAwsResponses(workspace.record, 'ecr', 'describe-image-scan-findings', [{ stdout: scanResult(workspace.digest, 'IN_PROGRESS', []) }]);

    const run = runPhase(spec, 'build', { cwd: workspace.source, env: { ...workspace.env, ECR_SCAN_TIMEOUT_SECONDS: '1', ECR_SCAN_POLL_SECONDS: '1' } });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: 2, status: 2 });
    expect(run.output).toContain('did not complete within 1s');
    expect(recordedUploads(workspace.record)).toEqual([]);
  });

  test('fails without pushing when the image artifact is missing', () => {
    const workspace = track(newWorkspace('HIGH'));
    const run = runPhase(spec, 'build', { cwd: workspace.source, env: { ...workspace.env, IMAGE_ARTIFACT_NAME: 'Other' } });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: 1, status: 2 });
    expect(fs.existsSync(path.join(workspace.record, 'crane.jsonl'))).toBe(false);
  });
});
