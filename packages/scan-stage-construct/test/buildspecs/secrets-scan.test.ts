import { execFileSync } from 'child_process';
import { randomInt } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { expectedStageBuildspec } from '../support/buildspec-files';
import { newStageWorkspace, recordedUploads, runPhase, StageWorkspace, stubTool } from '../support/buildspec-runner';

/**
 * Runs the canonical secrets-scan buildspec for real (bash, git, git-secrets,
 * the asff CLI) against throwaway repositories; only `aws` is a stub. The
 * install phase is not run: it installs the same tools from the registries.
 */
const spec = expectedStageBuildspec('secrets-scan.yml');

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const BASE64ISH = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+';
const randomText = (alphabet: string, length: number): string =>
  Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');

/** Fake credentials, new on every run, matching git-secrets' AWS patterns. */
function plantedCredentials(): { accessKeyId: string; secretKey: string } {
  return { accessKeyId: `AKIA${randomText(UPPER_ALNUM, 16)}`, secretKey: randomText(BASE64ISH, 40) };
}

interface Workspace extends StageWorkspace {
  /** The source folder, a git repository. */
  readonly repo: string;
}

function git(repo: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: path.dirname(repo) } });
}

function newWorkspace(): Workspace {
  const workspace = newStageWorkspace({ stage: 'secrets', threshold: 'LOW', build: { project: 'secrets-scan', id: '0b7a5c3e', number: 7 } });
  const repo = workspace.source;
  git(repo, 'init', '--quiet', '--initial-branch', 'main');
  git(repo, 'config', 'user.email', 'dev@example.com');
  git(repo, 'config', 'user.name', 'Developer');
  fs.writeFileSync(path.join(repo, 'README.md'), '# service\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '--quiet', '-m', 'initial');
  return { ...workspace, repo, env: { ...workspace.env, GIT_CONFIG_NOSYSTEM: '1' } };
}

/** Every file the build left under reports/, concatenated. */
function everythingInReports(workspace: Workspace): string {
  const dir = path.join(workspace.repo, 'reports');
  return fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n');
}

describe('secrets-scan buildspec, run for real', () => {
  const workspaces: Workspace[] = [];
  afterAll(() => workspaces.forEach((w) => fs.rmSync(w.root, { recursive: true, force: true })));

  test('fails the gate on AWS keys hidden in history and leaks none of them', () => {
    const workspace = newWorkspace();
    workspaces.push(workspace);
    const { accessKeyId, secretKey } = plantedCredentials();
    fs.writeFileSync(path.join(workspace.repo, 'settings.ini'),
      `[default]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretKey}\n`);
    git(workspace.repo, 'add', 'settings.ini');
    git(workspace.repo, 'commit', '--quiet', '-m', 'add settings');
    const leakCommit = git(workspace.repo, 'rev-parse', 'HEAD').trim();
    // Removed again: only a scan of the whole history finds it.
    git(workspace.repo, 'rm', '--quiet', 'settings.ini');
    git(workspace.repo, 'commit', '--quiet', '-m', 'remove settings');
    const head = git(workspace.repo, 'rev-parse', 'HEAD').trim();

    const run = runPhase(spec, 'build', { cwd: workspace.repo, env: { ...workspace.env, CODEBUILD_RESOLVED_SOURCE_VERSION: head } });

    const gateCommand = spec.phases.build.commands.length - 1;
    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: gateCommand, status: 1 });

    const [policyUpload, upload, ...more] = recordedUploads(workspace.record);
    expect(more).toEqual([]);
    expect(policyUpload.destination).toBe('s3://factory-reports/policies/factory/secrets/7/security-policy.yml');
    expect(policyUpload.body).toContain('threshold: LOW');
    expect(upload.destination).toBe('s3://factory-reports/raw/factory/secrets/7/git-secrets.txt');
    expect(upload.metadata).toEqual({
      'tool': 'git-secrets',
      'scope': 'factory/default/secrets/git-secrets',
      'stage': 'secrets',
      'repository': 'factory',
      'branch': 'default',
      'build-id': 'secrets-scan:0b7a5c3e',
      'commit': head,
      'policy-key': 'policies/factory/secrets/7/security-policy.yml',
    });
    expect(upload.body).toContain(`${leakCommit}:settings.ini:2:[REDACTED]`);

    const findings = JSON.parse(fs.readFileSync(path.join(workspace.repo, 'reports', 'git-secrets.asff.json'), 'utf8')).Findings;
    expect(findings.length).toBeGreaterThanOrEqual(2);
    expect(findings.every((f: any) => f.AwsAccountId === '111111111111')).toBe(true);
    expect(fs.readFileSync(path.join(workspace.repo, 'reports', 'junit-gate.xml'), 'utf8')).toContain('<failure');

    for (const leaked of [accessKeyId, secretKey]) {
      expect(upload.body).not.toContain(leaked);
      expect(everythingInReports(workspace)).not.toContain(leaked);
      expect(run.output).not.toContain(leaked);
    }
  });

  // The redaction once cut `commit:path:line` with `[^:]+` fields, so a path
  // holding `:` kept its matched text and the secret went to S3 for 365 days.
  test('redacts a secret in a path that contains colons', () => {
    const workspace = newWorkspace();
    workspaces.push(workspace);
    const { secretKey } = plantedCredentials();
    fs.writeFileSync(path.join(workspace.repo, 'deploy:prod.env'), `aws_secret_access_key = "${secretKey}"\n`);
    git(workspace.repo, 'add', '.');
    git(workspace.repo, 'commit', '--quiet', '-m', 'add env');
    const head = git(workspace.repo, 'rev-parse', 'HEAD').trim();

    const run = runPhase(spec, 'build', { cwd: workspace.repo, env: { ...workspace.env, CODEBUILD_RESOLVED_SOURCE_VERSION: head } });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: spec.phases.build.commands.length - 1, status: 1 });
    const upload = recordedUploads(workspace.record).find((u) => u.destination.endsWith('/git-secrets.txt'))!;
    expect(upload.body).toContain(`${head}:deploy:prod.env:1:[REDACTED]`);
    expect(upload.body).not.toContain(secretKey);
    expect(everythingInReports(workspace)).not.toContain(secretKey);
    expect(run.output).not.toContain(secretKey);
  });

  // Fail closed: a line the redaction does not understand may hold a secret,
  // so it stops the build before anything is uploaded (and is not echoed).
  test('stops before any upload when git-secrets prints a line that is neither a match nor known noise', () => {
    const workspace = newWorkspace();
    workspaces.push(workspace);
    const { secretKey } = plantedCredentials();
    const realGitSecrets = execFileSync('bash', ['-c', 'command -v git-secrets'], { encoding: 'utf8' }).trim();
    stubTool(workspace.bin, 'git-secrets', [
      'status=0',
      `"${realGitSecrets}" "$@" || status=$?`,
      `if [ "$1" = --scan-history ]; then echo "unexpected output ${secretKey}" >&2; fi`,
      'exit "${status}"',
    ].join('\n'));
    const head = git(workspace.repo, 'rev-parse', 'HEAD').trim();

    const run = runPhase(spec, 'build', { cwd: workspace.repo, env: { ...workspace.env, CODEBUILD_RESOLVED_SOURCE_VERSION: head } });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: 1, status: 1 });
    expect(run.output).toContain('git-secrets printed a line that is neither a redactable match nor known noise (line 1)');
    expect(run.output).not.toContain(secretKey);
    expect(recordedUploads(workspace.record)).toEqual([]);
    expect(fs.existsSync(path.join(workspace.repo, 'reports', 'git-secrets.txt'))).toBe(false);
    expect(fs.existsSync(path.join(workspace.repo, 'reports', 'git-secrets.raw'))).toBe(false);
  });

  test('passes a clean history', () => {
    const workspace = newWorkspace();
    workspaces.push(workspace);
    const head = git(workspace.repo, 'rev-parse', 'HEAD').trim();

    const run = runPhase(spec, 'build', { cwd: workspace.repo, env: { ...workspace.env, CODEBUILD_RESOLVED_SOURCE_VERSION: head } });

    expect({
      failedCommand: run.failedCommand,
      status: run.status,
      output: run.output,
    }).toEqual({ failedCommand: undefined, status: 0, output: expect.any(String) });
    expect(recordedUploads(workspace.record).map((u) => u.destination)).toEqual([
      's3://factory-reports/policies/factory/secrets/7/security-policy.yml',
      's3://factory-reports/raw/factory/secrets/7/git-secrets.txt',
    ]);
    expect(JSON.parse(fs.readFileSync(path.join(workspace.repo, 'reports', 'git-secrets.asff.json'), 'utf8')).Findings).toEqual([]);
  });

  test('refuses a shallow clone instead of scanning one commit', () => {
    const origin = newWorkspace();
    workspaces.push(origin);
    fs.writeFileSync(path.join(origin.repo, 'a.txt'), 'a\n');
    git(origin.repo, 'add', 'a.txt');
    git(origin.repo, 'commit', '--quiet', '-m', 'second');
    const shallow = path.join(origin.root, 'shallow');
    execFileSync('git', ['clone', '--quiet', '--depth', '1', `file://${origin.repo}`, shallow]);

    const run = runPhase(spec, 'build', { cwd: shallow, env: origin.env });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: 1, status: 1 });
    expect(run.output).toContain('codeBuildCloneOutput: true');
    expect(fs.readdirSync(origin.record).filter((f) => f.startsWith('upload-'))).toEqual([]);
  });

  describe('a commit cannot weaken its own gate', () => {
    /** A repository whose history holds a planted AWS key, plus the files the commit adds to get away with it. */
    function plantedWith(
      files: Record<string, string>, symlinks: Record<string, string> = {},
    ): { workspace: Workspace; head: string; accessKeyId: string } {
      const workspace = newWorkspace();
      workspaces.push(workspace);
      const { accessKeyId, secretKey } = plantedCredentials();
      fs.writeFileSync(path.join(workspace.repo, 'settings.ini'), `aws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretKey}\n`);
      for (const [name, body] of Object.entries(files)) fs.writeFileSync(path.join(workspace.repo, name), body);
      for (const [name, target] of Object.entries(symlinks)) {
        fs.mkdirSync(path.dirname(path.join(workspace.repo, name)), { recursive: true });
        fs.rmSync(path.join(workspace.repo, name), { force: true });
        fs.symlinkSync(target, path.join(workspace.repo, name));
      }
      git(workspace.repo, 'add', '.');
      git(workspace.repo, 'commit', '--quiet', '-m', 'loosen the gate');
      return { workspace, head: git(workspace.repo, 'rev-parse', 'HEAD').trim(), accessKeyId };
    }
    const gateFails = (run: ReturnType<typeof runPhase>) =>
      expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: spec.phases.build.commands.length - 1, status: 1 });

    test('a repository policy with `secrets: NONE` does not pass the planted keys', () => {
      const { workspace, head } = plantedWith({ 'security-policy.yml': 'version: 1\nstages:\n  secrets: NONE\n' });
      const run = runPhase(spec, 'build', { cwd: workspace.repo, env: { ...workspace.env, CODEBUILD_RESOLVED_SOURCE_VERSION: head } });
      gateFails(run);
      expect(run.output).toMatch(/asff gate: stage secrets, threshold LOW: FAILED \(\d+ blocking\)/);
    });

    test('a repository suppression that never expires does not count', () => {
      const { workspace, head } = plantedWith({
        'security-policy.yml':
          'version: 1\nstages:\n  secrets: LOW\nsuppressions:\n  - rule: git-secrets\n    reason: test keys\n    expires: 9999-12-31\n',
      });
      const run = runPhase(spec, 'build', { cwd: workspace.repo, env: { ...workspace.env, CODEBUILD_RESOLVED_SOURCE_VERSION: head } });
      gateFails(run);
      expect(run.output).toContain("rejected: expires 9999-12-31, later than the factory's maximum");
    });

    test('a committed .gitallowed allowing everything is removed before git-secrets runs', () => {
      const { workspace, head, accessKeyId } = plantedWith({ '.gitallowed': '.*\n' });
      const run = runPhase(spec, 'build', { cwd: workspace.repo, env: { ...workspace.env, CODEBUILD_RESOLVED_SOURCE_VERSION: head } });
      gateFails(run);
      expect(run.output).toContain("Removed the repository's .gitallowed: scanner configuration comes from the factory (allowedScannerConfigs)");
      expect(run.output).not.toContain(accessKeyId);
    });

    describe('a `gitleaks:allow` comment beside the key', () => {
      /** A gitleaks stand-in that records its arguments and reports nothing, as the comment would make it. */
      const withGitleaks = (workspace: Workspace) => {
        stubTool(workspace.bin, 'gitleaks', `printf '%s\\n' "$*" >> "$(dirname "$0")/../gitleaks.args"
out=""; while [ $# -gt 0 ]; do [ "$1" = "--report-path" ] && out="$2"; shift; done
printf '[]' > "$out"`);
        return { ...workspace.env, GITLEAKS_ENABLED: 'true' };
      };
      const gitleaksArgs = (workspace: Workspace) => fs.readFileSync(path.join(workspace.root, 'gitleaks.args'), 'utf8').trim().split('\n');
      /** A repository whose only commit of a key marks it `gitleaks:allow`, with gitleaks enabled in the stage. */
      const allowedInSource = () => {
        const workspace = newWorkspace();
        workspaces.push(workspace);
        const { accessKeyId, secretKey } = plantedCredentials();
        fs.writeFileSync(path.join(workspace.repo, 'settings.ini'),
          `aws_access_key_id = ${accessKeyId}  # gitleaks:allow\naws_secret_access_key = ${secretKey}  # gitleaks:allow\n`);
        git(workspace.repo, 'add', '.');
        git(workspace.repo, 'commit', '--quiet', '-m', 'add a test key');
        const env = { ...withGitleaks(workspace), CODEBUILD_RESOLVED_SOURCE_VERSION: git(workspace.repo, 'rev-parse', 'HEAD').trim() };
        return { workspace, env };
      };

      test('is disregarded by gitleaks (--ignore-gitleaks-allow), and git-secrets, which reads no comment, fails the gate', () => {
        const { workspace, env } = allowedInSource();
        const run = runPhase(spec, 'build', { cwd: workspace.repo, env });
        expect(gitleaksArgs(workspace)).toEqual([expect.stringContaining(' --ignore-gitleaks-allow ')]);
        gateFails(run);
      });

      test('counts for gitleaks only where the factory policy honours in-source suppressions; git-secrets fails the gate still', () => {
        const { workspace, env } = allowedInSource();
        const honouring = 'version: 1\nstages:\n  secrets: LOW\ngate:\n  inSourceSuppressions: honour\n';
        const run = runPhase(spec, 'build', { cwd: workspace.repo, env: { ...env, FACTORY_POLICY_B64: Buffer.from(honouring).toString('base64') } });
        expect(run.output).toContain('In-source suppressions (gate.inSourceSuppressions): honour');
        const [call, ...others] = gitleaksArgs(workspace);
        expect(others).toEqual([]);
        expect(call).not.toContain('--ignore-gitleaks-allow');
        gateFails(run);
      });
    });

    const refused = (run: ReturnType<typeof runPhase>, workspace: Workspace, why: RegExp) => {
      // prepare-scan.sh is the build phase's first command: nothing has been scanned or uploaded.
      expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: 0, status: 2 });
      expect(run.output).toMatch(why);
      expect(recordedUploads(workspace.record)).toEqual([]);
    };

    test('a committed reports/ whose symlink would empty the git-secrets report stops the stage before it scans', () => {
      const { workspace, head, accessKeyId } = plantedWith({}, { 'reports/git-secrets.raw': '/dev/null' });
      const run = runPhase(spec, 'build', { cwd: workspace.repo, env: { ...workspace.env, CODEBUILD_RESOLVED_SOURCE_VERSION: head } });
      refused(run, workspace, /The repository is not scanned: it contains 'reports', where the scan stage writes its reports/);
      expect(run.output).not.toContain(accessKeyId);
    });

    test('a policy file that is a symlink (to the build\'s environment) is refused, and nothing is uploaded', () => {
      const { workspace, head } = plantedWith({}, { 'security-policy.yml': '/proc/self/environ' });
      const run = runPhase(spec, 'build', { cwd: workspace.repo, env: { ...workspace.env, CODEBUILD_RESOLVED_SOURCE_VERSION: head } });
      refused(run, workspace, /its policy file security-policy\.yml is a symlink or not a regular file/);
    });

    test('a scanner configuration the factory allows must be the repository\'s own file, not a symlink', () => {
      const { workspace, head } = plantedWith({ 'allow-all': '.*\n' }, { '.gitallowed': 'allow-all' });
      const env = { ...workspace.env, CODEBUILD_RESOLVED_SOURCE_VERSION: head, ALLOWED_SCANNER_CONFIGS: '.gitallowed' };
      refused(runPhase(spec, 'build', { cwd: workspace.repo, env }), workspace, /its \.gitallowed is a symlink/);
    });

    test('a .gitallowed the factory allows stays, and then it is the factory\'s choice', () => {
      const { workspace, head } = plantedWith({ '.gitallowed': '.*\n' });
      const run = runPhase(spec, 'build', {
        cwd: workspace.repo,
        env: { ...workspace.env, CODEBUILD_RESOLVED_SOURCE_VERSION: head, ALLOWED_SCANNER_CONFIGS: '.gitallowed' },
      });
      expect(run.output).toContain("Keeping the repository's .gitallowed: the factory allows it");
      expect(run.status).toBe(0);
    });
  });

  test('allows the values of the factory\'s allow list and still fails on a key outside it', () => {
    const workspace = newWorkspace();
    workspaces.push(workspace);
    const fake = 'AKIAFIXTUREDONOTUSE7';
    fs.writeFileSync(path.join(workspace.repo, 'fixture.json'), `{"AccessKeyId": "${fake}0000"}\n`);
    git(workspace.repo, 'add', '.');
    git(workspace.repo, 'commit', '--quiet', '-m', 'fixture');
    const head = git(workspace.repo, 'rev-parse', 'HEAD').trim();
    const env = {
      ...workspace.env,
      CODEBUILD_RESOLVED_SOURCE_VERSION: head,
      SCAN_ALLOWED_PATTERNS: 'AKIAFIXTUREDONOTUSE[0-9]\nAKIAFAKEFAKEFAKEFAKE',
    };
    expect(runPhase(spec, 'build', { cwd: workspace.repo, env }).status).toBe(0);
    // The next build starts from a fresh checkout, without this one's reports.
    fs.rmSync(path.join(workspace.repo, 'reports'), { recursive: true });

    const { accessKeyId } = plantedCredentials();
    fs.writeFileSync(path.join(workspace.repo, 'real.ini'), `aws_access_key_id = ${accessKeyId}\n`);
    git(workspace.repo, 'add', '.');
    git(workspace.repo, 'commit', '--quiet', '-m', 'real');
    const run = runPhase(spec, 'build', {
      cwd: workspace.repo,
      env: { ...env, CODEBUILD_RESOLVED_SOURCE_VERSION: git(workspace.repo, 'rev-parse', 'HEAD').trim() },
    });
    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: spec.phases.build.commands.length - 1, status: 1 });
  });
});
