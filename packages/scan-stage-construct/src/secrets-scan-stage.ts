import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ScanStageBase } from './private/scan-stage-base';
import { ScanStageProps } from './scan-stage-props';

/** Properties of a {@link SecretsScanStage}. */
export interface SecretsScanStageProps extends ScanStageProps {
  /**
   * Also run gitleaks (pinned, checksum-verified) over the whole history, next to git-secrets. A `gitleaks:allow`
   * comment in the scanned code hides a line from it only where the factory policy honours in-source suppressions
   * (`gate.inSourceSuppressions: honour`); otherwise gitleaks runs with `--ignore-gitleaks-allow`.
   *
   * @default false
   */
  readonly gitleaks?: boolean;

  /**
   * Regular expressions (git-secrets `--allowed`, matched against `commit:path:line:text`) of values known to be
   * fake, e.g. the example keys and account ids of test fixtures. They belong to the factory, not to the
   * scanned repository: a committed `.gitallowed` is removed before the scan.
   *
   * @default - none besides git-secrets' own AWS examples
   */
  readonly allowedPatterns?: string[];
}

/**
 * Scans every commit of the source for secrets with git-secrets (AWS patterns),
 * optionally gitleaks too, and fails when the policy says so. Matched text is
 * redacted before the report leaves the build.
 *
 * The input must be a full clone: configure the CodeCommit or CodeConnections
 * source action with `codeBuildCloneOutput: true`. A zip or shallow source
 * fails the stage rather than scanning only the last commit.
 */
export class SecretsScanStage extends ScanStageBase {

  constructor(scope: Construct, id: string, props: SecretsScanStageProps) {
    super(scope, id, props, {
      buildspec: 'secrets-scan.yml',
      pullRequestCheck: true,
      description: 'Secrets scan (git-secrets over the full history) gated by asff',
      defaultPolicyStage: 'secrets',
      defaultActionName: 'SecretsScan',
      defaultTimeout: Duration.minutes(20),
      environmentVariables: {
        GITLEAKS_ENABLED: { value: props.gitleaks ? 'true' : 'false' },
        SCAN_ALLOWED_PATTERNS: { value: allowedPatterns(props.allowedPatterns ?? []) },
      },
    });
  }
}

/** One pattern per line, as the buildspec reads them; each must be a valid regular expression on one line. */
function allowedPatterns(patterns: string[]): string {
  for (const pattern of patterns) {
    if (pattern.trim() === '' || /[\r\n]/.test(pattern)) throw new Error(`allowedPatterns: '${pattern}' must be one non-empty line`);
    try {
      new RegExp(pattern);
    } catch {
      throw new Error(`allowedPatterns: '${pattern}' is not a regular expression`);
    }
  }
  return patterns.join('\n');
}
