import { acknowledgeWildcardResource } from '@devsecops-factory/construct-kit';
import { Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as YAML from 'yaml';
import { FeedbackProvider, PullRequestBuild } from '../pull-request';

/** The default API root of each provider. */
const DEFAULT_API_URLS: Record<FeedbackProvider, string> = {
  [FeedbackProvider.GITHUB]: 'https://api.github.com',
  [FeedbackProvider.GITLAB]: 'https://gitlab.com/api/v4',
  [FeedbackProvider.BITBUCKET]: 'https://api.bitbucket.org/2.0',
};

const BRANCH = /^[^\s~^:?*[\\]+$/;
const REPOSITORY = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/;

/**
 * The build variables of a pull-request build (none for a build of the pipeline's branch). The token is a
 * Secrets Manager / SSM reference CodeBuild resolves at run time, never its value.
 */
export function pullRequestVariables(build: PullRequestBuild | undefined): Record<string, codebuild.BuildEnvironmentVariable> {
  if (build === undefined) return {};
  if (!Token.isUnresolved(build.baselineBranch) && !BRANCH.test(build.baselineBranch)) {
    throw new Error(`pullRequest.baselineBranch: '${build.baselineBranch}' is not a git branch name`);
  }
  const variables: Record<string, codebuild.BuildEnvironmentVariable> = {
    REPORTS_UPLOAD: { value: 'false' },
    BASELINE_BRANCH: { value: build.baselineBranch },
  };
  const feedback = build.feedback;
  if (feedback === undefined) return variables;
  const apiUrl = feedback.apiUrl ?? DEFAULT_API_URLS[feedback.provider];
  if (!Token.isUnresolved(apiUrl) && !/^https:\/\/[^\s/?#@]+(\/[^\s?#@]*)?$/.test(apiUrl)) {
    throw new Error(`pullRequest.feedback.apiUrl: '${apiUrl}' must be an https:// URL without credentials, query or fragment`);
  }
  if (!Token.isUnresolved(feedback.repository) && !REPOSITORY.test(feedback.repository)) {
    throw new Error(`pullRequest.feedback.repository: '${feedback.repository}' must be owner/name`);
  }
  return {
    ...variables,
    FEEDBACK_PROVIDER: { value: feedback.provider },
    FEEDBACK_API_URL: { value: apiUrl },
    FEEDBACK_REPOSITORY: { value: feedback.repository },
    FEEDBACK_TOKEN: feedback.token.environmentVariable(),
  };
}

/**
 * The factory policy a pull-request build is gated with: the same thresholds, SLAs and suppressions, every
 * stage in mode `new` (the repository's policy may still ask for the stricter `all`).
 */
export function pullRequestPolicy(policy: string): string {
  const document = YAML.parseDocument(policy);
  if (document.errors.length > 0) throw new Error(`factoryPolicy is not valid YAML: ${document.errors[0].message.split('\n')[0]}`);
  document.setIn(['gate', 'mode'], 'new');
  const stages = document.get('stages');
  if (YAML.isMap(stages)) {
    for (const pair of stages.items) {
      if (YAML.isMap(pair.value) && pair.value.has('mode')) pair.value.set('mode', 'new');
    }
  }
  return document.toString();
}

/**
 * GetFindings for the baseline read. Security Hub's GetFindings has no resource-level permissions (the service
 * authorization reference lists no resource type for it), so `*` is the only resource IAM accepts; the action is
 * read-only and the build asks only for its own repository's default-branch scope.
 */
export function grantBaselineRead(project: codebuild.PipelineProject): void {
  project.addToRolePolicy(new iam.PolicyStatement({ actions: ['securityhub:GetFindings'], resources: ['*'] }));
  acknowledgeWildcardResource(project.role!, '*',
    'securityhub:GetFindings (read-only) has no resource-level permissions: '
      + 'the pull-request build reads the default branch\'s findings of its own scope as the gate\'s baseline.');
}
