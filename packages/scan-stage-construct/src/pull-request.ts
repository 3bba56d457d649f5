import { BuildSecret } from './build-secret';

/** A source provider whose API takes a pull-request build's verdict back. */
export enum FeedbackProvider {
  /** GitHub (api.github.com, or a GitHub Enterprise Server's `https://<host>/api/v3`): commit status and PR comment. */
  GITHUB = 'github',
  /** GitLab (gitlab.com or self-managed `https://<host>/api/v4`): commit status and merge-request note. */
  GITLAB = 'gitlab',
  /** Bitbucket Cloud (api.bitbucket.org/2.0): commit build status only. */
  BITBUCKET = 'bitbucket',
}

/** Where and how a pull-request build posts its gate summary. */
export interface PullRequestFeedback {
  /** The provider whose API is called. */
  readonly provider: FeedbackProvider;

  /** The repository on the provider: `owner/name` (GitLab: the project's full path, `group/subgroup/name`). */
  readonly repository: string;

  /**
   * The API token (GitHub: a fine-grained token or an app token with commit statuses and pull requests write;
   * GitLab: `api` scope; Bitbucket: a repository access token with pull requests write). Read at run time by
   * CodeBuild; it only reaches a 0600 header file in the build, never an argument, a URL or a log line.
   */
  readonly token: BuildSecret;

  /**
   * The provider's API root.
   *
   * @default - https://api.github.com, https://gitlab.com/api/v4 or https://api.bitbucket.org/2.0
   */
  readonly apiUrl?: string;
}

/**
 * Runs a scan stage as a pull-request check: judged against the default branch's findings, nothing imported,
 * the verdict posted back to the pull request.
 */
export interface PullRequestBuild {
  /**
   * The branch whose findings are the baseline: the ACTIVE findings in Security Hub of the same repository
   * (`sourceRepository`), this branch, the same `policyStage` and tool: give the pull-request stage the policy
   * stage of the default branch's. The factory policy's gate modes become `new` for this build, so only findings
   * absent from that baseline (and existing ones past their SLA) fail it; a repository policy may still ask for
   * `all`. The build role gets `securityhub:GetFindings`.
   */
  readonly baselineBranch: string;

  /**
   * Post each stage's verdict and Markdown summary to the pull request.
   *
   * @default - no feedback: the verdict is in the pipeline and the CodeBuild test report
   */
  readonly feedback?: PullRequestFeedback;
}
