import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { scanBuildspec } from '../../src/private/buildspec';
import { installScripts } from '../../src/private/offline-build';
import { BUILDSPEC_DIR, bashSyntax, shellcheckErrors } from '../support/buildspec-files';
import { awsCalls, newStageWorkspace, runPhase, scriptAwsResponses, StageWorkspace, storeS3Object, stubTool } from '../support/buildspec-runner';

/**
 * Runs the image stage's install phase as it synthesizes with `databaseMirror` (mirror-db.sh first) with the
 * real shell, jq, date, sha256sum and tar; `aws` is the recording stub serving the mirror's objects, and the
 * installers the stage would otherwise run (`curl`, `apt-get`, `freshclam`) are stubs that record their call.
 */
const mirrorScript = fs.readFileSync(path.join(BUILDSPEC_DIR, 'mirror-db.sh'), 'utf8');
const MIRROR = 's3://factory-reports/mirror/';
const HOUR = 3600 * 1000;
const BUNDLE = path.join(__dirname, '..', '..', 'assets', 'asff-cli', 'asff.js');
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function mirrorSpec(): any {
  const spec = scanBuildspec('image-scan.yml');
  spec.phases.install.commands.unshift(...installScripts({ toolbox: false, databaseMirror: true }));
  return spec;
}

const workspaces: StageWorkspace[] = [];
afterAll(() => workspaces.forEach((w) => fs.rmSync(w.root, { recursive: true, force: true })));

interface MirrorWorkspace extends StageWorkspace {
  readonly mirrorDir: string;
}

function newWorkspace(): MirrorWorkspace {
  const workspace = newStageWorkspace({ stage: 'image', threshold: 'HIGH', build: { project: 'image-mirror', id: '1', number: 1 } });
  workspaces.push(workspace);
  for (const installer of ['curl', 'apt-get', 'freshclam']) {
    stubTool(workspace.bin, installer,
      `printf '%s %s\\n' ${installer} "$*" >> ${JSON.stringify(path.join(workspace.record, 'installs.log'))}\nexit 1`);
  }
  scriptAwsResponses(workspace.record, 'cloudwatch', 'put-metric-data', [{ stdout: '' }]);
  // The asff CLI is in the image (the shared install script then keeps it).
  const asffDir = path.join(workspace.root, 'usr-local-bin');
  fs.mkdirSync(asffDir);
  fs.copyFileSync(BUNDLE, path.join(asffDir, 'asff'));
  fs.chmodSync(path.join(asffDir, 'asff'), 0o755);
  const env = { ...workspace.env, ASFF_BIN_DIR: asffDir, ASFF_CLI_S3_URI: 's3://cdk-assets/asff.js', ASFF_CLI_SHA256: sha256(fs.readFileSync(BUNDLE)) };
  return { ...workspace, env, mirrorDir: path.join(workspace.root, 'db-mirror') };
}

/** Publishes one database to the stub's bucket as the mirror job does: an archive of `files` and its manifest. */
function publish(
  workspace: StageWorkspace, database: string, files: Record<string, string>, builtHoursAgo: number, options: { tamper?: boolean } = {},
): void {
  const staging = path.join(workspace.root, `staging-${database}`);
  for (const [name, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(staging, name)), { recursive: true });
    fs.writeFileSync(path.join(staging, name), body);
  }
  const archive = path.join(workspace.root, `${database}.tar.gz`);
  execFileSync('tar', ['-czf', archive, '-C', staging, '.']);
  const body = fs.readFileSync(archive);
  const object = `${database}/${database}-20261130T000000Z-${sha256(body).slice(0, 12)}.tar.gz`;
  storeS3Object(workspace.record, `${MIRROR}${object}`, options.tamper ? Buffer.concat([body, Buffer.from('x')]) : body);
  const built = new Date(Date.now() - builtHoursAgo * HOUR).toISOString().replace(/\.\d+Z$/, 'Z');
  storeS3Object(workspace.record, `${MIRROR}${database}/manifest.json`, JSON.stringify({ database, built, object, sha256: sha256(body) }));
}

function run(workspace: MirrorWorkspace, databases: string, env: Record<string, string> = {}) {
  return runPhase(mirrorSpec(), 'install', {
    cwd: workspace.source,
    env: {
      ...workspace.env,
      DB_MIRROR_URI: MIRROR,
      DB_MIRROR_DATABASES: databases,
      DB_MIRROR_DIR: workspace.mirrorDir,
      DB_MIRROR_METRIC_NAMESPACE: 'Factory/Mirror',
      // The tools are in the image here: this test is about the databases.
      GRYPE_INSTALLED: '0.119.0',
      TRIVY_INSTALLED: '0.69.3',
      CLAMAV_INSTALLED: '1.4.6',
      ...env,
    },
  });
}

function installs(workspace: StageWorkspace): string {
  const file = path.join(workspace.record, 'installs.log');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

const metricCalls = (workspace: StageWorkspace) => awsCalls(workspace.record).filter((call) => call[0] === 'cloudwatch');

describe('mirror-db.sh', () => {
  test('passes bash -n and shellcheck -S error, and fails fast', () => {
    expect(bashSyntax(mirrorScript)).toEqual({ ok: true, output: '' });
    expect(shellcheckErrors(mirrorScript)).toEqual({ ok: true, output: '' });
    expect(mirrorScript).toMatch(/^set -euo pipefail$/m);
  });

  test('a fresh mirror: the databases are restored where the scanners read them, with their updates off, and nothing is downloaded', () => {
    const workspace = newWorkspace();
    publish(workspace, 'grype', { '6/vulnerability.db': 'grype db', '6/import.json': '{}' }, 5);
    publish(workspace, 'clamav', { 'main.cvd': 'main', 'daily.cvd': 'daily', 'bytecode.cvd': 'bytecode' }, 20);

    const result = run(workspace, 'grype:48 clamav:48', { GRYPE_VERSION: '0.119.0', GRYPE_SHA256: 'a'.repeat(64) });

    expect(result.output).not.toContain('database mirror: no');
    expect(result.status).toBe(0);
    expect(fs.readFileSync(path.join(result.env.GRYPE_DB_CACHE_DIR, '6', 'vulnerability.db'), 'utf8')).toBe('grype db');
    expect(fs.readFileSync(path.join(result.env.CLAMAV_DATABASE_DIR, 'daily.cvd'), 'utf8')).toBe('daily');
    expect(result.env).toEqual(expect.objectContaining({
      GRYPE_DB_AUTO_UPDATE: 'false', TRIVY_SKIP_DB_UPDATE: 'true', TRIVY_SKIP_JAVA_DB_UPDATE: 'true', TRIVY_OFFLINE_SCAN: 'true',
    }));
    // freshclam is not run: the signatures came from the mirror.
    expect(installs(workspace)).toBe('');
    expect(result.output).toMatch(/database mirror: grype built \S+ \(5 h old, limit 48 h\)/);
    const putAge = (database: string, hours: string) => [
      'cloudwatch', 'put-metric-data', '--namespace', 'Factory/Mirror', '--metric-name', 'DatabaseAgeHours',
      '--dimensions', `Database=${database}`, '--value', hours, '--unit', 'None', '--cli-connect-timeout', '10', '--cli-read-timeout', '20',
    ];
    expect(metricCalls(workspace)).toEqual([putAge('grype', '5'), putAge('clamav', '20')]);
  });

  test('Trivy\'s database and Java index share the cache folder Trivy reads', () => {
    const workspace = newWorkspace();
    publish(workspace, 'trivy', { 'db/trivy.db': 'trivy db', 'db/metadata.json': '{}' }, 2);
    publish(workspace, 'trivy-java', { 'java-db/trivy-java.db': 'java db', 'java-db/metadata.json': '{}' }, 30);

    const result = run(workspace, 'trivy:48 trivy-java:168', { SCANNER: 'trivy', MALWARE_SCAN: 'false' });

    expect(result.status).toBe(0);
    expect(fs.readFileSync(path.join(result.env.TRIVY_CACHE_DIR, 'db', 'trivy.db'), 'utf8')).toBe('trivy db');
    expect(fs.readFileSync(path.join(result.env.TRIVY_CACHE_DIR, 'java-db', 'trivy-java.db'), 'utf8')).toBe('java db');
  });

  test('a stale database fails the stage with one line naming it and its age, after reporting the age', () => {
    const workspace = newWorkspace();
    publish(workspace, 'grype', { '6/vulnerability.db': 'old' }, 73);

    const result = run(workspace, 'grype:48');

    expect(result.status).toBe(1);
    expect(result.failedCommand).toBe(0);
    const errors = result.output.split('\n').filter((line) => line.startsWith('database mirror: the'));
    expect(errors).toEqual([expect.stringMatching(
      /^database mirror: the grype database is 73 h old \(built \S+\), older than its 48 h limit: the mirror job has not refreshed it$/,
    )]);
    expect(metricCalls(workspace)).toHaveLength(1);
    expect(metricCalls(workspace)[0]).toContain('73');
    // The archive was not even downloaded.
    expect(awsCalls(workspace.record).filter((call) => call[1] === 'cp' && call[2].endsWith('.tar.gz'))).toEqual([]);
  });

  test('an age CloudWatch does not take is reported in the log and does not stop the build', () => {
    const workspace = newWorkspace();
    scriptAwsResponses(workspace.record, 'cloudwatch', 'put-metric-data', [{ stderr: 'Connect timeout on endpoint URL', exit: 255 }]);
    publish(workspace, 'grype', { '6/vulnerability.db': 'grype db' }, 1);

    const result = run(workspace, 'grype:48', { MALWARE_SCAN: 'false' });

    expect(result.status).toBe(0);
    expect(result.output).toContain('database mirror: the age of grype could not be sent to CloudWatch');
  });

  test('a database missing from the mirror fails the stage', () => {
    const workspace = newWorkspace();
    publish(workspace, 'grype', { '6/vulnerability.db': 'grype db' }, 1);

    const result = run(workspace, 'grype:48 clamav:48');

    expect(result.status).toBe(1);
    expect(result.output).toContain(`database mirror: no clamav database in the mirror (${MIRROR}clamav/manifest.json): run the mirror job first`);
  });

  test('an archive whose sha256 is not its manifest\'s is refused', () => {
    const workspace = newWorkspace();
    publish(workspace, 'clamav', { 'daily.cvd': 'daily' }, 1, { tamper: true });

    const result = run(workspace, 'clamav:48');

    expect(result.status).toBe(1);
    expect(result.output).toMatch(new RegExp(/database mirror: s3:\/\/factory-reports\/mirror\/clamav\/\S+\.tar\.gz /.source
      + /does not match the sha256 of its manifest \([0-9a-f]{64}\); not using it/.source));
    expect(result.env.CLAMAV_DATABASE_DIR).toBeUndefined();
  });

  test('a manifest naming an object outside its database\'s folder is refused', () => {
    const workspace = newWorkspace();
    storeS3Object(workspace.record, `${MIRROR}grype/manifest.json`,
      JSON.stringify({ database: 'grype', built: new Date().toISOString(), object: 'clamav/../grype.tar.gz', sha256: 'a'.repeat(64) }));

    const result = run(workspace, 'grype:48');

    expect(result.status).toBe(1);
    expect(result.output).toContain("database mirror: the grype manifest names an object outside grype/: 'clamav/../grype.tar.gz'");
  });

  test('without the mirror the stage updates its databases itself, as before', () => {
    const workspace = newWorkspace();
    const result = runPhase(mirrorSpec(), 'install', {
      cwd: workspace.source,
      env: {
        ...workspace.env,
        GRYPE_INSTALLED: '0.119.0',
        TRIVY_INSTALLED: '0.69.3',
        CLAMAV_INSTALLED: '1.4.6',
        GRYPE_VERSION: '0.119.0',
        TRIVY_VERSION: '0.69.3',
      },
    });
    expect(result.env.GRYPE_DB_AUTO_UPDATE).toBeUndefined();
    // freshclam (a stub that fails here) is what a build without the mirror runs.
    expect(installs(workspace)).toContain('freshclam --config-file=/tmp/freshclam.conf --stdout');
    expect(result.status).not.toBe(0);
  });
});
