import * as fs from 'fs';
import * as path from 'path';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as YAML from 'yaml';

/**
 * Loads one of the canonical buildspecs embedded into this package at build
 * time and points its `reports` section at the stage's report group, so that
 * the gate's JUnit output becomes a CodeBuild test report.
 */
export function loadBuildspec(
  name: string, reportGroup: codebuild.IReportGroup, options: { postFeedback?: boolean; installScripts?: string[] } = {},
): codebuild.BuildSpec {
  const spec = scanBuildspec(name);
  // Every stage judges its tools together with `gate-stage`; a pull-request build also installs the script that
  // posts the verdict back (gate-stage calls it).
  const commands = [installCommand(GATE_STAGE, 'gate-stage'), ...(options.postFeedback ? [installPostFeedback()] : [])];
  spec.phases.install.commands.splice(1, 0, ...commands);
  // The toolbox image's check and the database mirror run before anything is installed (src/private/offline-build.ts).
  spec.phases.install.commands.unshift(...(options.installScripts ?? []));
  spec.reports = {
    [reportGroup.reportGroupArn]: {
      'files': ['junit-*.xml'],
      'base-directory': 'reports',
      'file-format': 'JUNITXML',
    },
  };
  return codebuild.BuildSpec.fromObjectToYaml(spec);
}

const EMBEDDED = path.join(__dirname, '..', '..', 'assets', 'buildspecs');

/**
 * One canonical buildspec as a stage runs it: the shared scripts first in their phases (one copy of each for
 * all five stages), then the buildspec's own commands: `install-asff-cli.sh` in the install phase,
 * `prepare-scan.sh` (the factory's policy, the repository's scanner configuration removed) in the build phase.
 */
export function scanBuildspec(name: string): any {
  const spec = YAML.parse(fs.readFileSync(path.join(EMBEDDED, name), 'utf8'));
  spec.phases ??= {};
  for (const [phase, script] of [['install', INSTALL_ASFF_CLI], ['build', PREPARE_SCAN]]) {
    spec.phases[phase] ??= {};
    spec.phases[phase].commands = [fs.readFileSync(path.join(EMBEDDED, script), 'utf8'), ...(spec.phases[phase].commands ?? [])];
  }
  return spec;
}

/** The script that installs the asff CLI, embedded beside the buildspecs. */
export const INSTALL_ASFF_CLI = 'install-asff-cli.sh';

/** The script that writes the factory's policy and removes the repository's scanner configuration. */
export const PREPARE_SCAN = 'prepare-scan.sh';

/** The script that posts a pull-request build's gate summary to the source provider. */
export const POST_FEEDBACK = 'post-feedback.sh';

/** The script that judges a stage's tools together and posts a pull request's verdict (`gate-stage`). */
export const GATE_STAGE = 'gate-stage.sh';

/** An install command writing `post-feedback` to /usr/local/bin from the embedded script. */
export function installPostFeedback(): string {
  return installCommand(POST_FEEDBACK, 'post-feedback');
}

/** An install command writing an embedded script to /usr/local/bin/<command> (a quoted here-document: no expansion). */
export function installCommand(script: string, command: string): string {
  const text = fs.readFileSync(path.join(EMBEDDED, script), 'utf8');
  const marker = `${command.toUpperCase().replace(/-/g, '_')}_SCRIPT`;
  if (text.split('\n').includes(marker)) throw new Error(`${script} must not contain the line ${marker}`);
  const target = `/usr/local/bin/${command}`;
  return `set -euo pipefail\ncat > ${target} <<'${marker}'\n${text.replace(/\n$/, '')}\n${marker}\nchmod 0755 ${target}\n`;
}
