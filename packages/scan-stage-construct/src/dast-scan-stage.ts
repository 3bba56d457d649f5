import { Duration } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { BuildSecret } from './build-secret';
import { ScanStageBase } from './private/scan-stage-base';
import { ScanStageProps } from './scan-stage-props';

/** How deep OWASP ZAP goes. */
export enum ZapScanType {
  /** Spider and passive scan only: safe against shared environments. */
  BASELINE = 'baseline',
  /** Spider, passive and active scan (sends attacks). */
  FULL = 'full',
  /** Imports an OpenAPI definition (`apiDefinition`), then passive and active scan. */
  API = 'api',
}

/** Properties of a {@link DastScanStage}. */
export interface DastScanStageProps extends ScanStageProps {
  /**
   * URL of the staging deployment to scan. May be a pipeline variable, e.g. `#{DeployStaging.URL}`.
   */
  readonly targetUrl: string;

  /**
   * The ZAP API key of the daemon the build runs on 127.0.0.1. Read from Secrets Manager at build time;
   * it never appears in a URL, a command line or a log line. Only the build and its own daemon use the
   * key, so by default each build draws a new one and keeps it nowhere: no secret to store, grant or rotate.
   *
   * @default - a random key for each build
   */
  readonly zapApiKey?: secretsmanager.ISecret;

  /**
   * The kind of scan.
   *
   * @default ZapScanType.BASELINE
   */
  readonly scanType?: ZapScanType;

  /**
   * OpenAPI definition (URL or path in the source); required with `ZapScanType.API`.
   *
   * @default - none
   */
  readonly apiDefinition?: string;

  /**
   * Upper bound of the ZAP run (start, spider, scans, report).
   *
   * @default Duration.minutes(30)
   */
  readonly scanTimeout?: Duration;
}

/**
 * OWASP ZAP (pinned, checksum-verified release) against the staging URL:
 * baseline, full or API scan driven by ZAP's Automation Framework, bounded by
 * a timeout, gated by the policy file.
 */
export class DastScanStage extends ScanStageBase {

  constructor(scope: Construct, id: string, props: DastScanStageProps) {
    const scanType = props.scanType ?? ZapScanType.BASELINE;
    if (scanType === ZapScanType.API && !props.apiDefinition) {
      throw new Error('DastScanStage: ZapScanType.API needs apiDefinition (URL or path of the OpenAPI definition)');
    }
    const scanTimeout = props.scanTimeout ?? Duration.minutes(30);
    super(scope, id, props, {
      buildspec: 'dast-scan.yml',
      description: 'OWASP ZAP scan of the staging URL gated by asff',
      defaultPolicyStage: 'dast',
      defaultActionName: 'DastScan',
      defaultTimeout: Duration.minutes(scanTimeout.toMinutes() + 20),
      computeType: codebuild.ComputeType.MEDIUM,
      environmentVariables: {
        ZAP_SCAN_TYPE: { value: scanType },
        ZAP_TIMEOUT_MINUTES: { value: String(scanTimeout.toMinutes()) },
        ...(props.apiDefinition ? { ZAP_API_DEFINITION: { value: props.apiDefinition } } : {}),
      },
      secrets: props.zapApiKey ? { ZAP_API_KEY: BuildSecret.fromSecretsManager(props.zapApiKey) } : undefined,
      // The URL may be a pipeline variable resolved per execution.
      actionEnvironmentVariables: { TARGET_URL: { value: props.targetUrl } },
    });
  }
}
