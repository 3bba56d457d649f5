import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { readInstallAsffCli } from '../support/buildspec-files';
import { awsCalls, newStageWorkspace, runPhase, scriptAwsResponses, StageWorkspace, storeS3Object, stubTool } from '../support/buildspec-runner';

/**
 * Runs the shared install script (first command of every scan stage's install phase) with the real shell,
 * sha256sum, openssl and tar; `aws` and `npm` are stubs. The bundle is the one this package ships.
 */
const script = readInstallAsffCli();
const BUNDLE = path.join(__dirname, '..', '..', 'assets', 'asff-cli', 'asff.js');
const VERSION = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'asff-parsers', 'package.json'), 'utf8')).version;
const OBJECT = 's3://cdk-hnb659fds-assets-111111111111-eu-west-1/0f1e2d3c.js';
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

interface InstallRun {
  readonly status: number;
  readonly output: string;
  /** The installed `asff`, when the script installed one. */
  readonly installed?: Buffer;
}

const workspaces: StageWorkspace[] = [];
afterAll(() => workspaces.forEach((w) => fs.rmSync(w.root, { recursive: true, force: true })));

function newWorkspace(): StageWorkspace & { readonly target: string } {
  const workspace = newStageWorkspace({ stage: 'secrets', threshold: 'LOW', build: { project: 'install', id: '1', number: 1 } });
  workspaces.push(workspace);
  const target = path.join(workspace.root, 'usr-local-bin');
  fs.mkdirSync(target);
  return { ...workspace, target };
}

function install(workspace: StageWorkspace & { readonly target: string }, env: Record<string, string>): InstallRun {
  const run = runPhase({ phases: { install: { commands: [script] } } }, 'install', {
    cwd: workspace.source,
    env: { ...workspace.env, ASFF_BIN_DIR: workspace.target, ...env },
  });
  const file = path.join(workspace.target, 'asff');
  return { status: run.status, output: run.output, installed: fs.existsSync(file) ? fs.readFileSync(file) : undefined };
}

describe('asff CLI from the CDK asset (default)', () => {
  test('installs the bundle whose sha256 was fixed at synth, and it runs', () => {
    const workspace = newWorkspace();
    const bundle = fs.readFileSync(BUNDLE);
    storeS3Object(workspace.record, OBJECT, bundle);

    const run = install(workspace, { ASFF_CLI_S3_URI: OBJECT, ASFF_CLI_SHA256: sha256(bundle) });

    expect(run.status).toBe(0);
    expect(run.output).toContain(`asff CLI ${VERSION} installed from asset`);
    expect(run.installed?.equals(bundle)).toBe(true);
    expect(() => fs.accessSync(path.join(workspace.target, 'asff'), fs.constants.X_OK)).not.toThrow();
    expect(execFileSync(path.join(workspace.target, 'asff'), ['tools'], { encoding: 'utf8' })).toMatch(/^git-secrets$/m);
    expect(awsCalls(workspace.record)).toEqual([['s3', 'cp', OBJECT, expect.any(String), '--only-show-errors']]);
  });

  test('refuses a bundle that differs by one byte from the one fixed at synth, and installs nothing', () => {
    const workspace = newWorkspace();
    const bundle = fs.readFileSync(BUNDLE);
    // The same file with one more byte at the end (a comment character: it would still run).
    const tampered = Buffer.concat([bundle, Buffer.from(' ')]);
    storeS3Object(workspace.record, OBJECT, tampered);

    const run = install(workspace, { ASFF_CLI_S3_URI: OBJECT, ASFF_CLI_SHA256: sha256(bundle) });

    expect(run.status).toBe(1);
    expect(run.output).toContain(`asff CLI: ${OBJECT} does not match the sha256 fixed at synth (${sha256(bundle)}); not running it`);
    expect(run.installed).toBeUndefined();
  });

  test('fails the install when the object is missing', () => {
    const workspace = newWorkspace();
    const run = install(workspace, { ASFF_CLI_S3_URI: OBJECT, ASFF_CLI_SHA256: sha256(fs.readFileSync(BUNDLE)) });
    expect(run.status).not.toBe(0);
    expect(run.installed).toBeUndefined();
  });
});

describe('asff CLI from CodeArtifact', () => {
  /** A package tarball as npm publishes it, with the CLI bundle at package/dist/cli/asff.js. */
  function publishedTarball(dir: string, bundle: Buffer): { file: string; integrity: string } {
    const staging = path.join(dir, 'staging');
    fs.mkdirSync(path.join(staging, 'package', 'dist', 'cli'), { recursive: true });
    fs.writeFileSync(path.join(staging, 'package', 'package.json'), JSON.stringify({ name: '@devsecops-factory/asff-parsers', version: '1.4.2' }));
    fs.writeFileSync(path.join(staging, 'package', 'dist', 'cli', 'asff.js'), bundle);
    const file = path.join(dir, 'devsecops-factory-asff-parsers-1.4.2.tgz');
    execFileSync('tar', ['-czf', file, '-C', staging, 'package']);
    return { file, integrity: `sha512-${createHash('sha512').update(fs.readFileSync(file)).digest('base64')}` };
  }

  function codeArtifactWorkspace() {
    const workspace = newWorkspace();
    const tarball = publishedTarball(workspace.root, fs.readFileSync(BUNDLE));
    scriptAwsResponses(workspace.record, 'codeartifact', 'login', [{ stdout: 'Successfully configured npm to use AWS CodeArtifact repository\n' }]);
    // npm pack <spec> writes the tarball into the working directory and prints its name.
    stubTool(workspace.bin, 'npm', `printf '%s\\n' "$*" >> ${JSON.stringify(path.join(workspace.record, 'npm-calls'))}\n`
      + `cp ${JSON.stringify(tarball.file)} .\nbasename ${JSON.stringify(tarball.file)}`);
    const env = {
      ASFF_CLI_SOURCE: 'codeartifact',
      ASFF_CLI_CODEARTIFACT_DOMAIN: 'factory',
      ASFF_CLI_CODEARTIFACT_OWNER: '111111111111',
      ASFF_CLI_CODEARTIFACT_REPOSITORY: 'npm-internal',
      ASFF_CLI_VERSION: '1.4.2',
      ASFF_CLI_INTEGRITY: tarball.integrity,
    };
    return { workspace, env };
  }

  test('installs the bundle from the exact version whose integrity was fixed at synth, resolving no dependency', () => {
    const { workspace, env } = codeArtifactWorkspace();

    const run = install(workspace, env);

    expect(run.status).toBe(0);
    expect(run.installed?.equals(fs.readFileSync(BUNDLE))).toBe(true);
    expect(awsCalls(workspace.record)).toEqual([[
      'codeartifact', 'login', '--tool', 'npm', '--domain', 'factory', '--domain-owner', '111111111111', '--repository', 'npm-internal',
    ]]);
    // One `npm pack` of the exact version; never `npm install`, so no dependency comes from the registry.
    expect(fs.readFileSync(path.join(workspace.record, 'npm-calls'), 'utf8')).toBe(
      'pack --silent --ignore-scripts @devsecops-factory/asff-parsers@1.4.2\n',
    );
  });

  test('refuses a tarball whose integrity differs from the one fixed at synth, and installs nothing', () => {
    const { workspace, env } = codeArtifactWorkspace();
    const other = `sha512-${Buffer.alloc(64, 1).toString('base64')}`;

    const run = install(workspace, { ...env, ASFF_CLI_INTEGRITY: other });

    expect(run.status).toBe(1);
    expect(run.output).toContain(`not the ${other} fixed at synth; not running it`);
    expect(run.installed).toBeUndefined();
  });
});

test('refuses an unknown source', () => {
  const run = install(newWorkspace(), { ASFF_CLI_SOURCE: 'npmjs' });
  expect(run.status).toBe(2);
  expect(run.output).toContain("asff CLI: unknown ASFF_CLI_SOURCE 'npmjs' (asset or codeartifact)");
});
