import * as fs from 'fs';
import * as path from 'path';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as YAML from 'yaml';

/**
 * Loads one of the canonical buildspecs embedded into this package at build
 * time and points its `reports` section at the stage's report group, so that
 * the gate's JUnit output becomes a CodeBuild test report.
 */
export function loadBuildspec(name: string, reportGroup: codebuild.IReportGroup): codebuild.BuildSpec {
  const spec = scanBuildspec(name);
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
 * One canonical buildspec as a stage runs it: the shared `install-asff-cli.sh` first in its install phase
 * (one copy of that script for all five stages), then the buildspec's own commands.
 */
export function scanBuildspec(name: string): any {
  const spec = YAML.parse(fs.readFileSync(path.join(EMBEDDED, name), 'utf8'));
  const install = fs.readFileSync(path.join(EMBEDDED, INSTALL_ASFF_CLI), 'utf8');
  spec.phases ??= {};
  spec.phases.install ??= {};
  spec.phases.install.commands = [install, ...(spec.phases.install.commands ?? [])];
  return spec;
}

/** The script that installs the asff CLI, embedded beside the buildspecs. */
export const INSTALL_ASFF_CLI = 'install-asff-cli.sh';
