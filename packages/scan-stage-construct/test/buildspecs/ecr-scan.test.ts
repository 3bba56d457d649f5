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

/**
 * oras stand-in: login reads the password from stdin; `attach` stores the file as a referrer of the subject
 * (its digest: sha256 of artifact type and content) and prints its descriptor; `discover` lists the stored
 * referrers of one artifact type, as oras 1.3 prints them.
 */
function installOrasStub(bin: string, record: string): void {
  fs.writeFileSync(path.join(bin, 'oras'), `#!/usr/bin/env node
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const args = process.argv.slice(2);
const record = ${JSON.stringify(record)};
fs.appendFileSync(path.join(record, 'oras.jsonl'), JSON.stringify(args) + '\\n');
const option = (name) => args[args.indexOf(name) + 1];
const positional = args.slice(1)
  .filter((a, i, all) => !a.startsWith('--') && !(i > 0 && all[i - 1].startsWith('--') && all[i - 1] !== '--password-stdin'));
if (args[0] === 'login') {
  const password = fs.readFileSync(0, 'utf8').trim();
  process.exit(password ? 0 : 1);
}
const referrers = (subject) => path.join(record, 'referrers', subject.slice(subject.indexOf('@') + 1));
if (args[0] === 'attach') {
  const [subject, file] = positional;
  const artifactType = option('--artifact-type');
  const content = fs.readFileSync(file.slice(0, file.lastIndexOf(':')), 'utf8');
  const digest = 'sha256:' + crypto.createHash('sha256').update(artifactType + content).digest('hex');
  fs.mkdirSync(referrers(subject), { recursive: true });
  fs.writeFileSync(path.join(referrers(subject), digest + '.json'), JSON.stringify({ artifactType, digest, content }));
  const reference = subject.slice(0, subject.indexOf('@')) + '@' + digest;
  console.log(JSON.stringify({ reference, mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 700, artifactType }));
  process.exit(0);
}
if (args[0] === 'discover') {
  const [subject] = positional;
  const dir = referrers(subject);
  const found = fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))) : [];
  const wanted = found.filter((r) => r.artifactType === option('--artifact-type'))
    .map(({ artifactType, digest }) => ({ artifactType, digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', referrers: [] }));
  console.log(JSON.stringify({ reference: subject, digest: subject.slice(subject.indexOf('@') + 1), referrers: wanted }));
  process.exit(0);
}
process.exit(2);
`, { mode: 0o755 });
}

/** notation stand-in: login reads the password from stdin; `sign` records the reference and the signing profile. */
function installNotationStub(bin: string, record: string): void {
  fs.writeFileSync(path.join(bin, 'notation'), `#!/usr/bin/env node
const fs = require('fs');
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(path.join(record, 'notation.jsonl'))}, JSON.stringify(args) + '\\n');
if (args[0] === 'login') process.exit(fs.readFileSync(0, 'utf8').trim() ? 0 : 1);
if (args[0] === 'sign' && args[args.indexOf('--plugin') + 1] === 'com.amazonaws.signer.notation.plugin') process.exit(0);
process.exit(2);
`, { mode: 0o755 });
}

const SBOM = JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', components: [] });
const IMAGE_GATES = [
  { stage: 'image', result: 'passed', build: 'image-scan:77aa', tools: ['grype', 'clamav'], policyDigest: { sha256: 'a'.repeat(64) } },
];

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
  // What ImageScanStage hands over beside the tarball once its gate passed.
  fs.writeFileSync(path.join(image, 'image-id.txt'), `sha256:${'c'.repeat(64)}\n`);
  fs.writeFileSync(path.join(image, 'sbom.json'), SBOM);
  fs.writeFileSync(path.join(image, 'sbom-format.txt'), 'cyclonedx\n');
  fs.writeFileSync(path.join(image, 'sbom-key.txt'), `sbom/factory/sha256-${'c'.repeat(64)}.cdx.json\n`);
  fs.writeFileSync(path.join(image, 'gates.json'), JSON.stringify(IMAGE_GATES));
  installCraneStub(bin, record);
  installOrasStub(bin, record);
  installNotationStub(bin, record);
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
      PIPELINE_EXECUTION_ID: '6b1d2c3e-0000-4000-8000-000000000042',
    },
  };
}

/** The calls a stub recorded, as argument lists. */
function calls(workspace: Workspace, tool: string): string[][] {
  const file = path.join(workspace.record, `${tool}.jsonl`);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : [];
}

/** A signature ECR managed signing left on the image (as a referrer of type notary signature). */
function managedSignature(workspace: Workspace): void {
  const dir = path.join(workspace.record, 'referrers', workspace.digest);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'signature.json'),
    JSON.stringify({ artifactType: 'application/vnd.cncf.notary.signature', digest: `sha256:${'e'.repeat(64)}` }),
  );
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

    // The gate, the command before the supply-chain one, fails.
    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: spec.phases.build.commands.length - 2, status: 1 });
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
    // A digest that failed its gate gets no SBOM, provenance or signature.
    expect(calls(workspace, 'oras')).toEqual([]);
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
      SCAN_NOT_FOUND,
      SCAN_NOT_FOUND,
      { stdout: scanResult(workspace.digest, 'IN_PROGRESS', []) },
      { stdout: scanResult(workspace.digest, 'COMPLETE', []) },
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
      {
        stderr: 'An error occurred (LimitExceededException) when calling the StartImageScan operation: '
          + 'The scan quota per image has been exceeded. Wait and try again.',
        exit: 254,
      },
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

      const run = runPhase(spec, 'build', {
        cwd: workspace.source,
        env: { ...workspace.env, ECR_SCAN_TIMEOUT_SECONDS: '900', ECR_SCAN_POLL_SECONDS: '30' },
      });

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

    const run = runPhase(spec, 'build', {
      cwd: workspace.source,
      env: { ...workspace.env, ECR_SCAN_TIMEOUT_SECONDS: '1', ECR_SCAN_POLL_SECONDS: '1' },
    });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: 2, status: 2 });
    expect(run.output).toContain('did not complete within 1s');
    expect(recordedUploads(workspace.record)).toEqual([]);
  });

  test('attaches the SBOM and an in-toto provenance statement to the pushed digest and keeps the statement under the digest', () => {
    const workspace = track(newWorkspace('CRITICAL'));
    scriptAwsResponses(workspace.record, 'ecr', 'describe-image-scan-findings', [{ stdout: scanResult(workspace.digest, 'COMPLETE', []) }]);

    const run = runPhase(spec, 'build', { cwd: workspace.source, env: workspace.env });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: undefined, status: 0 });
    const oras = calls(workspace, 'oras');
    expect(oras.map((args) => args[0])).toEqual(['login', 'attach', 'attach']);
    expect(oras[1]).toEqual(['attach', '--artifact-type', 'application/vnd.cyclonedx+json', '--format', 'json',
      `${REPOSITORY_URI}@${workspace.digest}`, 'sbom.cdx.json:application/vnd.cyclonedx+json']);
    expect(oras[2]).toEqual(['attach', '--artifact-type', 'application/vnd.in-toto+json', '--format', 'json',
      `${REPOSITORY_URI}@${workspace.digest}`, 'provenance.intoto.json:application/vnd.in-toto+json']);
    expect(JSON.stringify(oras)).not.toContain('registry-password-not-for-logs');

    const upload = recordedUploads(workspace.record).find((u) => u.destination.includes('/provenance/'))!;
    expect(upload.destination).toBe(`s3://factory-reports/provenance/factory/${workspace.digest.replace(':', '-')}.intoto.json`);
    expect(upload.metadata).toEqual(
      expect.objectContaining({ 'image-digest': workspace.digest, 'commit': '0123456789abcdef0123456789abcdef01234567' }),
    );
    const statement = JSON.parse(upload.body);
    expect(statement._type).toBe('https://in-toto.io/Statement/v1');
    expect(statement.predicateType).toBe('https://slsa.dev/provenance/v1');
    expect(statement.subject).toEqual([{ name: REPOSITORY_URI, digest: { sha256: workspace.digest.slice('sha256:'.length) } }]);
    const { buildDefinition, runDetails } = statement.predicate;
    expect(buildDefinition.externalParameters.source).toEqual({
      repository: 'factory',
      branch: 'default',
      commit: '0123456789abcdef0123456789abcdef01234567',
    });
    expect(buildDefinition.internalParameters).toEqual(expect.objectContaining({
      pipeline: 'factory', pipelineExecutionId: '6b1d2c3e-0000-4000-8000-000000000042', buildProject: 'image-scan',
    }));
    expect(runDetails.builder.id).toBe('arn:aws:codepipeline:eu-west-1:111111111111:factory');
    expect(runDetails.metadata.invocationId).toBe('6b1d2c3e-0000-4000-8000-000000000042');
    const policy = Buffer.from(workspace.env.FACTORY_POLICY_B64, 'base64');
    const repositoryPolicy = fs.readFileSync(path.join(workspace.source, 'security-policy.yml'));
    expect(buildDefinition.internalParameters.gates).toEqual([
      ...IMAGE_GATES,
      {
        stage: 'ecr',
        result: 'passed',
        build: 'ecr-scan:5d1f',
        tools: ['ecr'],
        policyDigest: { sha256: createHash('sha256').update(policy).digest('hex') },
        repositoryPolicyDigest: { sha256: createHash('sha256').update(repositoryPolicy).digest('hex') },
      },
    ]);
    expect(runDetails.byproducts[0]).toEqual(expect.objectContaining({
      name: 'sbom',
      mediaType: 'application/vnd.cyclonedx+json',
      uri: `s3://factory-reports/sbom/factory/sha256-${'c'.repeat(64)}.cdx.json`,
      digest: { sha256: createHash('sha256').update(SBOM).digest('hex') },
    }));
    // The referrer stored in the registry is the statement kept in the bucket.
    const stored = fs.readdirSync(path.join(workspace.record, 'referrers', workspace.digest))
      .map((f) => JSON.parse(fs.readFileSync(path.join(workspace.record, 'referrers', workspace.digest, f), 'utf8')));
    expect(stored.find((r) => r.artifactType === 'application/vnd.in-toto+json').content).toBe(upload.body);
    expect(stored.find((r) => r.artifactType === 'application/vnd.cyclonedx+json').content).toBe(SBOM);
    expect(calls(workspace, 'notation')).toEqual([]);
  });

  test('with a signing profile, signs both referrers with it and waits for the signature ECR managed signing leaves on the image', () => {
    const workspace = track(newWorkspace('CRITICAL'));
    const profile = 'arn:aws:signer:eu-west-1:111111111111:/signing-profiles/factory_images';
    scriptAwsResponses(workspace.record, 'ecr', 'describe-image-scan-findings', [{ stdout: scanResult(workspace.digest, 'COMPLETE', []) }]);
    managedSignature(workspace);

    const run = runPhase(spec, 'build', { cwd: workspace.source, env: { ...workspace.env, SIGNING_PROFILE_ARN: profile } });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: undefined, status: 0 });
    expect(calls(workspace, 'oras').filter((args) => args[0] === 'attach')).toHaveLength(2);
    const notation = calls(workspace, 'notation');
    expect(notation.map((args) => args[0])).toEqual(['login', 'sign', 'sign']);
    const signed = notation.filter((args) => args[0] === 'sign');
    for (const args of signed) expect(args.slice(0, 5)).toEqual(['sign', '--plugin', 'com.amazonaws.signer.notation.plugin', '--id', profile]);
    const attached = fs.readdirSync(path.join(workspace.record, 'referrers', workspace.digest))
      .filter((f) => f !== 'signature.json').map((f) => f.replace(/\.json$/, ''));
    expect(signed.map((args) => args[5]).sort()).toEqual(attached.map((digest) => `${REPOSITORY_URI}@${digest}`).sort());
    expect(calls(workspace, 'oras').some((args) => args[0] === 'discover' && args.includes('application/vnd.cncf.notary.signature'))).toBe(true);
    expect(run.output).toContain(`are signed with ${profile}`);
  });

  test('signs the image itself when the registry has no managed signing for it', () => {
    const workspace = track(newWorkspace('CRITICAL'));
    const profile = 'arn:aws:signer:eu-west-1:111111111111:/signing-profiles/factory_images';
    scriptAwsResponses(workspace.record, 'ecr', 'describe-image-scan-findings', [{ stdout: scanResult(workspace.digest, 'COMPLETE', []) }]);

    const run = runPhase(spec, 'build', {
      cwd: workspace.source,
      env: { ...workspace.env, SIGNING_PROFILE_ARN: profile, IMAGE_SIGNATURE: 'notation' },
    });

    expect(run.status).toBe(0);
    const signed = calls(workspace, 'notation').filter((args) => args[0] === 'sign').map((args) => args[5]);
    expect(signed).toContain(`${REPOSITORY_URI}@${workspace.digest}`);
  });

  test('fails naming the profile when managed signing leaves no signature within its timeout', () => {
    const workspace = track(newWorkspace('CRITICAL'));
    const profile = 'arn:aws:signer:eu-west-1:111111111111:/signing-profiles/factory_images';
    scriptAwsResponses(workspace.record, 'ecr', 'describe-image-scan-findings', [{ stdout: scanResult(workspace.digest, 'COMPLETE', []) }]);

    const run = runPhase(spec, 'build', {
      cwd: workspace.source,
      env: { ...workspace.env, SIGNING_PROFILE_ARN: profile, SIGNATURE_TIMEOUT_SECONDS: '0' },
    });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: spec.phases.build.commands.length - 1, status: 2 });
    expect(run.output).toContain(`ECR managed signing left no signature on ${REPOSITORY_URI}@${workspace.digest} within 0s`);
    expect(run.output).toContain(profile);
  });

  test('attaches nothing when the image artifact carries no SBOM', () => {
    const workspace = track(newWorkspace('CRITICAL'));
    scriptAwsResponses(workspace.record, 'ecr', 'describe-image-scan-findings', [{ stdout: scanResult(workspace.digest, 'COMPLETE', []) }]);
    fs.rmSync(path.join(workspace.env.CODEBUILD_SRC_DIR_ScannedImage, 'image', 'sbom.json'));

    const run = runPhase(spec, 'build', { cwd: workspace.source, env: workspace.env });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: spec.phases.build.commands.length - 1, status: 2 });
    expect(run.output).toContain('supply chain: no image/sbom.json in artifact ScannedImage');
    expect(calls(workspace, 'oras')).toEqual([]);
  });

  test('fails without pushing when the image artifact is missing', () => {
    const workspace = track(newWorkspace('HIGH'));
    const run = runPhase(spec, 'build', { cwd: workspace.source, env: { ...workspace.env, IMAGE_ARTIFACT_NAME: 'Other' } });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: 1, status: 2 });
    expect(fs.existsSync(path.join(workspace.record, 'crane.jsonl'))).toBe(false);
  });
});
