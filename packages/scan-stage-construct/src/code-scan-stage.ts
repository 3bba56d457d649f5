import { Duration } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { Construct } from 'constructs';
import { BuildSecret } from './build-secret';
import { ScanStageBase } from './private/scan-stage-base';
import { ScanStageProps } from './scan-stage-props';

/** The static analyser CodeScanStage runs on the source. */
export enum SastTool {
  /** Semgrep (pinned PyPI release), SARIF output. */
  SEMGREP = 'semgrep',
  /** Bandit for Python (pinned PyPI release), SARIF output. */
  BANDIT = 'bandit',
  /** Snyk Code (pinned npm release), SARIF output; needs `snykToken`. */
  SNYK_CODE = 'snyk-code',
}

/** Properties of a {@link CodeScanStage}. */
export interface CodeScanStageProps extends ScanStageProps {
  /**
   * The static analyser.
   *
   * @default SastTool.SEMGREP
   */
  readonly sastTool?: SastTool;

  /**
   * Semgrep rule set (`--config`), a registry name or a path in the source.
   *
   * @default 'p/default'
   */
  readonly semgrepConfig?: string;

  /**
   * Snyk API token; required with `SastTool.SNYK_CODE`.
   *
   * @default - none
   */
  readonly snykToken?: BuildSecret;

  /**
   * Lint the Dockerfile with hadolint (pinned, checksum-verified).
   *
   * @default true
   */
  readonly hadolint?: boolean;

  /**
   * Path of the Dockerfile in the source.
   *
   * @default 'Dockerfile'
   */
  readonly dockerfile?: string;
}

/**
 * Static analysis of the source (Semgrep, Bandit or Snyk Code, all to SARIF)
 * and of the Dockerfile (hadolint), gated by the policy file.
 */
export class CodeScanStage extends ScanStageBase {

  constructor(scope: Construct, id: string, props: CodeScanStageProps) {
    const tool = props.sastTool ?? SastTool.SEMGREP;
    if (tool === SastTool.SNYK_CODE && !props.snykToken) {
      throw new Error('CodeScanStage: SastTool.SNYK_CODE needs snykToken (Secrets Manager or SSM SecureString)');
    }
    super(scope, id, props, {
      buildspec: 'code-scan.yml',
      pullRequestCheck: true,
      description: 'Static analysis of the source and the Dockerfile gated by asff',
      defaultPolicyStage: 'code',
      defaultActionName: 'CodeScan',
      defaultTimeout: Duration.minutes(30),
      computeType: codebuild.ComputeType.MEDIUM,
      environmentVariables: {
        SAST_TOOL: { value: tool },
        SEMGREP_CONFIG: { value: props.semgrepConfig ?? 'p/default' },
        HADOLINT_ENABLED: { value: props.hadolint === false ? 'false' : 'true' },
        DOCKERFILE_PATH: { value: props.dockerfile ?? 'Dockerfile' },
      },
      secrets: tool === SastTool.SNYK_CODE && props.snykToken ? { SNYK_TOKEN: props.snykToken } : undefined,
    });
  }
}
