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
  const file = path.join(__dirname, '..', '..', 'assets', 'buildspecs', name);
  const spec = YAML.parse(fs.readFileSync(file, 'utf8'));
  spec.reports = {
    [reportGroup.reportGroupArn]: {
      'files': ['junit-*.xml'],
      'base-directory': 'reports',
      'file-format': 'JUNITXML',
    },
  };
  return codebuild.BuildSpec.fromObjectToYaml(spec);
}
