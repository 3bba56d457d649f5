import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';

/** The canonical buildspec folder at the repository root. */
export const BUILDSPEC_DIR = path.join(__dirname, '..', '..', '..', '..', 'buildspecs');

/** The buildspecs this package embeds and owns. */
export const SCAN_BUILDSPECS = ['secrets-scan.yml', 'code-scan.yml', 'image-scan.yml', 'ecr-scan.yml', 'dast-scan.yml'];

export function allBuildspecFiles(): string[] {
  return fs.readdirSync(BUILDSPEC_DIR).filter((name) => /\.ya?ml$/.test(name)).sort();
}

export function readBuildspec(name: string): any {
  return YAML.parse(fs.readFileSync(path.join(BUILDSPEC_DIR, name), 'utf8'));
}

/** The canonical script every scan stage runs first in its install phase. */
export function readInstallAsffCli(): string {
  return fs.readFileSync(path.join(BUILDSPEC_DIR, 'install-asff-cli.sh'), 'utf8');
}

/** The canonical script every scan stage runs first in its build phase. */
export function readPrepareScan(): string {
  return fs.readFileSync(path.join(BUILDSPEC_DIR, 'prepare-scan.sh'), 'utf8');
}

/**
 * The install command that writes the canonical gate script to /usr/local/bin/gate-stage: a quoted here-document
 * (no expansion) followed by chmod, the form src/private/buildspec.ts installCommand writes.
 */
export function installGateStage(): string {
  const script = fs.readFileSync(path.join(BUILDSPEC_DIR, 'gate-stage.sh'), 'utf8').replace(/\n$/, '');
  return `set -euo pipefail\ncat > /usr/local/bin/gate-stage <<'GATE_STAGE_SCRIPT'\n${script}\n`
    + 'GATE_STAGE_SCRIPT\nchmod 0755 /usr/local/bin/gate-stage\n';
}

/** A canonical scan buildspec as its stage must synthesize it: the shared scripts first in their phases. */
export function expectedStageBuildspec(name: string): any {
  const spec = readBuildspec(name);
  spec.phases.install.commands = [readInstallAsffCli(), installGateStage(), ...spec.phases.install.commands];
  spec.phases.build.commands = [readPrepareScan(), ...spec.phases.build.commands];
  return spec;
}

/** Every shell block CodeBuild runs: phases.<phase>.commands and phases.<phase>.finally. */
export function commandBlocks(spec: any): Array<{ label: string; script: string }> {
  const blocks: Array<{ label: string; script: string }> = [];
  for (const [phase, body] of Object.entries<any>(spec.phases ?? {})) {
    for (const kind of ['commands', 'finally']) {
      (body?.[kind] ?? []).forEach((script: string, index: number) => blocks.push({ label: `${phase}.${kind}[${index}]`, script }));
    }
  }
  return blocks;
}

export interface CheckResult {
  readonly ok: boolean;
  readonly output: string;
}

/** `bash -n`: the block is valid bash syntax. */
export function bashSyntax(script: string): CheckResult {
  const result = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

/** `shellcheck -s bash -S error`: no error-level finding. */
export function shellcheckErrors(script: string): CheckResult {
  const result = spawnSync('shellcheck', ['-s', 'bash', '-S', 'error', '-'], { input: script, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}
