import * as codebuild from 'aws-cdk-lib/aws-codebuild';

/** Turns plain (non-secret) settings into CodeBuild variables. */
export function plainVariables(values: Record<string, string>): Record<string, codebuild.BuildEnvironmentVariable> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, { value }]));
}
