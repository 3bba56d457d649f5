import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { attachComplianceGate } from '../../src/compliance/gate';
import { summarizeCompliance } from '../../src/compliance/summary';
import { ArtifactStore } from '../../src/constructs/artifact-store';

function gatedApp(): { app: App; stack: Stack } {
  const app = new App();
  attachComplianceGate(app);
  return { app, stack: new Stack(app, 'Probe') };
}

describe('compliance gate', () => {
  test('synthesis fails on a bucket without encryption, logging or TLS enforcement', () => {
    const { app, stack } = gatedApp();
    new s3.Bucket(stack, 'Loose');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1|AwsSolutions-S10|NIST\.800\.53\.R5-S3/);
  });

  test('synthesis succeeds for the compliant artifact store', () => {
    const { app, stack } = gatedApp();
    new ArtifactStore(stack, 'Store');
    expect(() => app.synth()).not.toThrow();
  });

  test('an acknowledgement with a reason lets a known violation through and is reported', () => {
    const { app, stack } = gatedApp();
    const bucket = new s3.Bucket(stack, 'NoLogs', { enforceSSL: true, versioned: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
    Validations.of(bucket).acknowledge(
      { id: 'AwsSolutions-S1', reason: 'probe bucket: access logging deliberately off in this test' },
      { id: 'NIST.800.53.R5-S3BucketLoggingEnabled', reason: 'probe bucket: access logging deliberately off in this test' },
      { id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: 'probe bucket: single-region test' },
      { id: 'NIST.800.53.R5-S3DefaultEncryptionKMS', reason: 'probe bucket: SSE-S3 in this test' },
    );
    expect(() => app.synth()).not.toThrow();
    const summary = summarizeCompliance(app);
    expect(summary.packs.every((p) => p.violations === 0)).toBe(true);
    expect(summary.acknowledgements.map((a) => a.ruleId)).toEqual(expect.arrayContaining(['AwsSolutions-S1']));
  });

  test('the summary counts unacknowledged violations per pack', () => {
    const app = new App();
    const stack = new Stack(app, 'Probe');
    new s3.Bucket(stack, 'Loose');
    const summary = summarizeCompliance(app);
    const awsSolutions = summary.packs.find((p) => p.pack === 'AwsSolutions');
    expect(awsSolutions?.violations).toBeGreaterThan(0);
    expect(awsSolutions?.rules).toContain('AwsSolutions-S1');
  });
});
