import {
  BuildSecret, CodeScanStage, ImageScanner, ImageScanStage, ScanStageProps, SecretsScanStage,
} from '@devsecops-factory/scan-stage-construct';
import { Construct } from 'constructs';
import { FactoryConfig } from '../config/schema';

/** The three scans of an application's source and image, before anything is published. */
export interface SourceScanStages {
  readonly secrets: SecretsScanStage;
  readonly code: CodeScanStage;
  readonly image: ImageScanStage;
}

/**
 * The secret, code and image scans as the configuration describes them: the application's pipeline and its
 * pull-request pipeline run the same three, with their own `scanProps` (scope, gating, network).
 */
export function sourceScanStages(
  scope: Construct, config: FactoryConfig, scanProps: ScanStageProps, snykToken: BuildSecret | undefined, scanner: ImageScanner,
): SourceScanStages {
  const dockerfile = `${config.image.context}/Dockerfile`;
  const secrets = new SecretsScanStage(scope, 'SecretsScan', {
    ...scanProps,
    gitleaks: config.scanners.secrets.gitleaks,
    allowedPatterns: config.scanners.secrets.allowedPatterns,
  });
  const code = new CodeScanStage(scope, 'CodeScan', {
    ...scanProps,
    sastTool: config.scanners.code.sast,
    snykToken,
    hadolint: config.scanners.code.hadolint,
    dockerfile,
  });
  const image = new ImageScanStage(scope, 'ImageScan', { ...scanProps, scanner, buildContext: config.image.context, dockerfile });
  return { secrets, code, image };
}
