import { createFactoryKey } from '@devsecops-factory/construct-kit';
import { Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as sns from 'aws-cdk-lib/aws-sns';
import { importedRepository, importedSecret, newStack } from './factory';
import {
  BuildSecret, CodeScanStage, DastScanStage, EcrScanStage, FindingsProcessor, ImageScanner, ImageScanStage,
  SastTool, SecretsScanStage, ZapScanType,
} from '../../src';

export interface WholeFactoryOptions {
  /** Give the processor an alarm topic. */
  readonly alarmTopic?: boolean;
  /** Have the processor write to Security Lake too. */
  readonly securityLake?: boolean;
}

/** Two custom sources as `aws securitylake create-custom-log-source` returns them, in a lake account. */
export const SECURITY_LAKE = {
  vulnerabilityFindings: {
    location: 's3://aws-security-data-lake-eu-west-1-abc123/ext/factory-vulns/1.0/',
    providerRoleArn: 'arn:aws:iam::999999999999:role/AmazonSecurityLake-Provider-factory-vulns-eu-west-1',
  },
  detectionFindings: {
    location: 's3://aws-security-data-lake-eu-west-1-abc123/ext/factory-detections/1.0/',
    providerRoleArn: 'arn:aws:iam::999999999999:role/AmazonSecurityLake-Provider-factory-detect-eu-west-1',
  },
  externalId: 'devsecops-factory-111111111111',
};

/** Every construct of the package wired together as the reference pipeline would. */
export function buildWholeFactory(options: WholeFactoryOptions = {}): Stack {
  const stack = newStack();
  const processor = new FindingsProcessor(stack, 'Findings', {
    alarmTopic: options.alarmTopic
      ? new sns.Topic(stack, 'Alarms', { enforceSSL: true, masterKey: createFactoryKey(stack, 'AlarmsKey', { description: 'alarm topic' }) })
      : undefined,
    securityLake: options.securityLake ? SECURITY_LAKE : undefined,
  });
  const common = {
    input: new codepipeline.Artifact('Source'),
    reportsBucket: processor.reportsBucket,
    encryptionKey: processor.encryptionKey,
    sourceRepository: 'example-org/shop',
    sourceBranch: '#{SourceVariables.BranchName}',
  };
  new SecretsScanStage(stack, 'SecretsScan', { ...common, gitleaks: true });
  new CodeScanStage(stack, 'CodeScan', {
    ...common,
    sastTool: SastTool.SNYK_CODE,
    snykToken: BuildSecret.fromSsmSecureString('/factory/snyk-token'),
  });
  const image = new ImageScanStage(stack, 'ImageScan', {
    ...common,
    scanner: ImageScanner.snyk({ token: BuildSecret.fromSecretsManager(importedSecret(stack, 'SnykToken', 'snyk-token')) }),
  });
  new EcrScanStage(stack, 'EcrScan', {
    ...common,
    imageArtifact: image.imageArtifact,
    ecrRepository: importedRepository(stack),
    enhancedScanning: true,
    // The supply chain's resources and grants are judged by the nag packs too.
    signing: {},
  });
  new DastScanStage(stack, 'DastScan', {
    ...common,
    targetUrl: '#{DeployStaging.URL}',
    scanType: ZapScanType.API,
    apiDefinition: 'openapi.yaml',
    zapApiKey: importedSecret(stack, 'ZapKey', 'zap-api-key'),
  });
  return stack;
}
