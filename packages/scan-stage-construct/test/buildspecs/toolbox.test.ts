import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { scanBuildspec } from '../../src/private/buildspec';
import { installScripts } from '../../src/private/offline-build';
import { BUILDSPEC_DIR, bashSyntax, readBuildspec, shellcheckErrors } from '../support/buildspec-files';
import { newStageWorkspace, runPhase, StageWorkspace, stubTool } from '../support/buildspec-runner';

/**
 * Runs the install phase of the scan stages as they synthesize with `toolbox` (toolbox.sh first, then the
 * shared asff install script, then the stage's own install commands) with the real shell, sha256sum, tar and
 * cmp. The tools of the image are stubs that print their version the way each tool does; `curl`, `npm`,
 * `apt-get` and `pip` are stubs that record their call and fail, so a build that installs anything fails.
 */
const toolboxScript = fs.readFileSync(path.join(BUILDSPEC_DIR, 'toolbox.sh'), 'utf8');
const BUNDLE = path.join(__dirname, '..', '..', 'assets', 'asff-cli', 'asff.js');
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** The stage's buildspec with the toolbox check first, as a stage with `toolbox` synthesizes it. */
function toolboxSpec(name: string): any {
  const spec = scanBuildspec(name);
  spec.phases.install.commands.unshift(...installScripts({ toolbox: true, databaseMirror: false }));
  return spec;
}

/** What each tool prints when asked for its version (their real formats). */
const VERSION_OUTPUT: Record<string, (version: string) => string> = {
  grype: (v) => `Application:         grype\nVersion:             ${v}\nBuildDate:           2025-10-01T00:00:00Z\nGoVersion:           go1.24.4\n`,
  trivy: (v) => `Version: ${v}\n`,
  gitleaks: (v) => `${v}\n`,
  hadolint: (v) => `Haskell Dockerfile Linter ${v}\n`,
  semgrep: (v) => `${v}\n`,
  bandit: (v) => `bandit ${v}\n  python version = 3.11.2\n`,
  snyk: (v) => `${v}\n`,
  crane: (v) => `${v}\n`,
  oras: (v) => `Version:        ${v}+Release\nGo version:     go1.24.4\n`,
  notation: (v) => `Notation - a tool to sign and verify artifacts.\n\nVersion:     ${v}\nGo version:  go1.24.4\n`,
};

interface ToolboxWorkspace extends StageWorkspace {
  readonly downloads: string;
  readonly asffDir: string;
}

const workspaces: StageWorkspace[] = [];
afterAll(() => workspaces.forEach((w) => fs.rmSync(w.root, { recursive: true, force: true })));

/** A build in the toolbox image: every tool of `versions` on PATH at that version, the asff bundle installed. */
function toolboxWorkspace(stage: string, versions: Record<string, string>): ToolboxWorkspace {
  const workspace = newStageWorkspace({ stage, threshold: 'HIGH', build: { project: `${stage}-toolbox`, id: '1', number: 1 } });
  workspaces.push(workspace);
  for (const [tool, version] of Object.entries(versions)) {
    stubTool(workspace.bin, tool, `printf '%s' ${JSON.stringify(VERSION_OUTPUT[tool](version))}`);
  }
  for (const installer of ['curl', 'npm', 'apt-get', 'pip', 'python3']) {
    stubTool(workspace.bin, installer,
      `printf '%s %s\\n' ${installer} "$*" >> ${JSON.stringify(path.join(workspace.record, 'installs.log'))}\nexit 1`);
  }
  const downloads = path.join(workspace.root, 'downloads');
  fs.mkdirSync(downloads);
  const asffDir = path.join(workspace.root, 'usr-local-bin');
  fs.mkdirSync(asffDir);
  fs.copyFileSync(BUNDLE, path.join(asffDir, 'asff'));
  fs.chmodSync(path.join(asffDir, 'asff'), 0o755);
  const bundle = fs.readFileSync(BUNDLE);
  return {
    ...workspace,
    downloads,
    asffDir,
    env: {
      ...workspace.env,
      TOOLBOX: 'true',
      TOOLBOX_IMAGE: '111111111111.dkr.ecr.eu-west-1.amazonaws.com/toolbox@sha256:' + 'a'.repeat(64),
      TOOLBOX_DOWNLOADS: downloads,
      ASFF_BIN_DIR: asffDir,
      ASFF_CLI_S3_URI: 's3://cdk-assets/asff.js',
      ASFF_CLI_SHA256: sha256(bundle),
    },
  };
}

function installs(workspace: StageWorkspace): string {
  const file = path.join(workspace.record, 'installs.log');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

/** The pins of a buildspec, by variable name. */
const pins = (name: string): Record<string, string> => readBuildspec(name).env.variables;

describe('toolbox.sh', () => {
  test('passes bash -n and shellcheck -S error, and fails fast', () => {
    expect(bashSyntax(toolboxScript)).toEqual({ ok: true, output: '' });
    expect(shellcheckErrors(toolboxScript)).toEqual({ ok: true, output: '' });
    expect(toolboxScript).toMatch(/^set -euo pipefail$/m);
  });

  test('an image stage with every tool at its pinned version installs nothing, not even the asff CLI', () => {
    const p = pins('image-scan.yml');
    const workspace = toolboxWorkspace('image', { grype: p.GRYPE_VERSION, trivy: p.TRIVY_VERSION, snyk: p.SNYK_VERSION });

    const run = runPhase(toolboxSpec('image-scan.yml'), 'install', { cwd: workspace.source, env: { ...workspace.env, MALWARE_SCAN: 'false' } });

    expect(run.output).not.toContain('toolbox: the image');
    expect(run.status).toBe(0);
    expect(installs(workspace)).toBe('');
    expect([run.env.GRYPE_INSTALLED, run.env.TRIVY_INSTALLED, run.env.SNYK_INSTALLED]).toEqual([p.GRYPE_VERSION, p.TRIVY_VERSION, p.SNYK_VERSION]);
    expect([run.env.GRYPE_CHECK_FOR_APP_UPDATE, run.env.SEMGREP_ENABLE_VERSION_CHECK]).toEqual(['false', '0']);
    expect(run.output).toContain(`toolbox: grype ${p.GRYPE_VERSION}`);
    expect(run.output).toMatch(/asff CLI \S+ is in the image with the sha256 fixed at synth: nothing downloaded/);
  });

  test('in the image stage it starts the Docker daemon a custom image does not start by itself, and waits for it', () => {
    const p = pins('image-scan.yml');
    const workspace = toolboxWorkspace('image', { grype: p.GRYPE_VERSION, trivy: p.TRIVY_VERSION, snyk: p.SNYK_VERSION });
    const ready = path.join(workspace.root, 'dockerd-ready');
    stubTool(workspace.bin, 'docker', `[ "$1" = info ] && [ -f ${JSON.stringify(ready)} ]`);
    stubTool(workspace.bin, 'dockerd',
      `printf '%s\\n' "$*" > ${JSON.stringify(path.join(workspace.record, 'dockerd.args'))}\nsleep 1\ntouch ${JSON.stringify(ready)}\nsleep 5`);

    const run = runPhase({ phases: { install: { commands: [toolboxScript] } } }, 'install', {
      cwd: workspace.source,
      env: { ...workspace.env, MALWARE_SCAN: 'false', TOOLBOX_DOCKERD: 'true', GRYPE_VERSION: p.GRYPE_VERSION, TRIVY_VERSION: p.TRIVY_VERSION },
    });

    expect(run.status).toBe(0);
    expect(fs.readFileSync(path.join(workspace.record, 'dockerd.args'), 'utf8').trim()).toBe('--host=unix:///var/run/docker.sock');
    expect(fs.existsSync(ready)).toBe(true);
  });

  test('a tool at another version fails the build, naming the tool, what the image holds and the pin', () => {
    const p = pins('image-scan.yml');
    const workspace = toolboxWorkspace('image', { grype: '0.118.2', trivy: p.TRIVY_VERSION, snyk: p.SNYK_VERSION });

    const run = runPhase(toolboxSpec('image-scan.yml'), 'install', { cwd: workspace.source, env: { ...workspace.env, MALWARE_SCAN: 'false' } });

    expect(run.failedCommand).toBe(0);
    expect(run.status).toBe(1);
    expect(run.output).toContain(`toolbox: grype 0.118.2 is in the image, the stage pins ${p.GRYPE_VERSION}`);
    expect(run.output).toContain('rebuild it from toolbox/Dockerfile');
    expect(installs(workspace)).toBe('');
  });

  test('a tool missing from the image fails the build', () => {
    const p = pins('image-scan.yml');
    const workspace = toolboxWorkspace('image', { grype: p.GRYPE_VERSION, snyk: p.SNYK_VERSION });

    const run = runPhase(toolboxSpec('image-scan.yml'), 'install', { cwd: workspace.source, env: { ...workspace.env, MALWARE_SCAN: 'false' } });

    expect(run.status).toBe(1);
    expect(run.output).toContain(`toolbox: trivy is not in the image (the stage pins ${p.TRIVY_VERSION})`);
  });

  test('ClamAV of the image is used as it is: no apt-get, and no freshclam once the signatures come from the mirror', () => {
    const p = pins('image-scan.yml');
    const workspace = toolboxWorkspace('image', { grype: p.GRYPE_VERSION, trivy: p.TRIVY_VERSION, snyk: p.SNYK_VERSION });
    stubTool(workspace.bin, 'clamscan', "echo 'ClamAV 1.4.6/27837/Sun Nov 29 09:24:01 2026'");
    stubTool(workspace.bin, 'freshclam', `echo freshclam >> ${JSON.stringify(path.join(workspace.record, 'installs.log'))}; exit 1`);

    const run = runPhase(toolboxSpec('image-scan.yml'), 'install', {
      cwd: workspace.source,
      env: { ...workspace.env, MALWARE_SCAN: 'true', CLAMAV_DATABASE_DIR: path.join(workspace.root, 'clamav') },
    });

    expect(run.status).toBe(0);
    expect(run.env.CLAMAV_INSTALLED).toBe('1.4.6');
    expect(installs(workspace)).toBe('');
  });

  test('without TOOLBOX the check does nothing and the stage downloads its tools as before', () => {
    const p = pins('image-scan.yml');
    const workspace = toolboxWorkspace('image', { grype: p.GRYPE_VERSION, trivy: p.TRIVY_VERSION, snyk: p.SNYK_VERSION });

    const run = runPhase(toolboxSpec('image-scan.yml'), 'install', {
      cwd: workspace.source,
      env: { ...workspace.env, TOOLBOX: 'false', MALWARE_SCAN: 'false' },
    });

    expect(run.env.GRYPE_INSTALLED).toBeUndefined();
    expect(run.status).not.toBe(0);
    expect(installs(workspace)).toContain(
      `curl --fail --silent --show-error --location --max-time 300 --output /tmp/grype_${p.GRYPE_VERSION}_linux_amd64.tar.gz`,
    );
  });

  describe('git-secrets (no version of its own): the installed script must be the one of the pinned release archive', () => {
    function secretsWorkspace(installed: string): { workspace: ToolboxWorkspace; env: Record<string, string> } {
      const p = pins('secrets-scan.yml');
      const workspace = toolboxWorkspace('secrets', { gitleaks: p.GITLEAKS_VERSION });
      const staging = path.join(workspace.root, 'release', `git-secrets-${p.GIT_SECRETS_VERSION}`);
      fs.mkdirSync(staging, { recursive: true });
      fs.writeFileSync(path.join(staging, 'git-secrets'), '#!/usr/bin/env bash\necho "git-secrets of the release"\n');
      const archive = path.join(workspace.downloads, `git-secrets-${p.GIT_SECRETS_VERSION}.tar.gz`);
      execFileSync('tar', ['-czf', archive, '-C', path.dirname(staging), path.basename(staging)]);
      fs.writeFileSync(path.join(workspace.bin, 'git-secrets'), installed, { mode: 0o755 });
      // The archive stands in for the release: the stage's pin is its sha256 here.
      return { workspace, env: { ...workspace.env, GIT_SECRETS_SHA256: sha256(fs.readFileSync(archive)) } };
    }

    test('the file of the archive is accepted and nothing is downloaded', () => {
      const { workspace, env } = secretsWorkspace('#!/usr/bin/env bash\necho "git-secrets of the release"\n');
      const run = runPhase(toolboxSpec('secrets-scan.yml'), 'install', { cwd: workspace.source, env });
      expect(run.output).toContain('toolbox: git-secrets (sha256');
      expect(run.status).toBe(0);
      expect(installs(workspace)).toBe('');
    });

    test('a changed script is refused', () => {
      const { workspace, env } = secretsWorkspace('#!/usr/bin/env bash\nexit 0 # scans nothing\n');
      const run = runPhase(toolboxSpec('secrets-scan.yml'), 'install', { cwd: workspace.source, env });
      expect(run.status).toBe(1);
      expect(run.output).toMatch(/toolbox: git-secrets: \S+\/git-secrets is not the file of the pinned release archive/);
    });

    test('an archive that is not the pinned one is refused', () => {
      const { workspace, env } = secretsWorkspace('#!/usr/bin/env bash\necho "git-secrets of the release"\n');
      const run = runPhase(toolboxSpec('secrets-scan.yml'), 'install', {
        cwd: workspace.source,
        env: { ...env, GIT_SECRETS_SHA256: 'f'.repeat(64) },
      });
      expect(run.status).toBe(1);
      expect(run.output).toContain(`toolbox: git-secrets: the image has no release archive ${workspace.downloads}/git-secrets-`);
    });
  });

  test('the code stage checks its SAST tools and hadolint and installs none of them', () => {
    const p = pins('code-scan.yml');
    const workspace = toolboxWorkspace('code', {
      semgrep: p.SEMGREP_VERSION,
      bandit: p.BANDIT_VERSION,
      snyk: p.SNYK_VERSION,
      hadolint: p.HADOLINT_VERSION,
    });
    const run = runPhase(toolboxSpec('code-scan.yml'), 'install', { cwd: workspace.source, env: workspace.env });
    expect(run.status).toBe(0);
    expect(installs(workspace)).toBe('');
    expect([run.env.SEMGREP_INSTALLED, run.env.HADOLINT_INSTALLED]).toEqual([p.SEMGREP_VERSION, p.HADOLINT_VERSION]);
  });

  test('the ECR stage checks crane and oras (and notation and the signer plugin when it signs)', () => {
    const p = pins('ecr-scan.yml');
    const workspace = toolboxWorkspace('ecr', { crane: p.CRANE_VERSION, oras: p.ORAS_VERSION, notation: '1.2.0' });
    const run = runPhase(toolboxSpec('ecr-scan.yml'), 'install', { cwd: workspace.source, env: workspace.env });
    expect(run.status).toBe(1);
    expect(run.output).toContain(`toolbox: notation 1.2.0 is in the image, the stage pins ${p.NOTATION_VERSION}`);
    expect(run.output).toMatch(/toolbox: AWS Signer plugin: the image has no release archive \S+notation-aws-signer-plugin\.zip/);
  });

  test('the DAST stage finds ZAP by its versioned jar', () => {
    const p = pins('dast-scan.yml');
    const workspace = toolboxWorkspace('dast', {});
    const run = runPhase(toolboxSpec('dast-scan.yml'), 'install', { cwd: workspace.source, env: workspace.env });
    // No /opt/zap on this machine: the image would hold /opt/zap/zap-<version>.jar.
    expect(run.status).toBe(1);
    expect(run.output).toContain(`toolbox: ZAP ${p.ZAP_VERSION} is not in the image (/opt/zap/zap-${p.ZAP_VERSION}.jar)`);
  });
});
