import { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { CORRELATION_PRODUCT_FIELD } from '../../src/asff/correlation';
import { evaluateGate } from '../../src/gate/evaluate-gate';
import { parsePolicy } from '../../src/policy/parse-policy';
import { crossToolFindings } from '../support/cross-tool';

const POLICY = parsePolicy('version: 1\nstages:\n  image: HIGH\n', 'policy.yml');
const IMAGE = 'registry.example.com/shop/api@sha256:3333333333333333333333333333333333333333333333333333333333333333';

describe('evaluateGate across tools', () => {
  let grype: AwsSecurityFinding[];
  let trivy: AwsSecurityFinding[];
  beforeAll(async () => {
    grype = await crossToolFindings('grype', { image: IMAGE });
    trivy = await crossToolFindings('trivy', { image: IMAGE });
  });

  test('Grype (a GHSA aliasing the CVE) and Trivy (the CVE) about one package share a correlation key', () => {
    const keyOf = (f: AwsSecurityFinding) => f.ProductFields?.[CORRELATION_PRODUCT_FIELD];
    const grypeLibfoo = grype.find((f) => f.Vulnerabilities?.[0]?.VulnerablePackages?.[0]?.Name === 'libfoo')!;
    expect(keyOf(grypeLibfoo)).toMatch(/^[0-9a-f]{40}$/);
    expect(keyOf(trivy[0])).toBe(keyOf(grypeLibfoo));
    expect(grypeLibfoo.Id).not.toBe(trivy[0].Id);
    const grypeLibbar = grype.find((f) => f !== grypeLibfoo)!;
    expect(keyOf(grypeLibbar)).not.toBe(keyOf(grypeLibfoo));
  });

  test('the report pair gates the shared vulnerability once, at the highest severity either tool gives it', async () => {
    const result = await evaluateGate([...grype, ...trivy], { policy: POLICY, stage: 'image' });
    expect(result).toMatchObject({ passed: false, blocking: 1, correlated: 1 });
    expect(result.counts).toEqual({ CRITICAL: 1, HIGH: 0, MEDIUM: 1, LOW: 0, INFORMATIONAL: 0 });
    const blocking = result.findings.find((f) => f.status === 'blocking')!;
    expect(blocking).toMatchObject({ id: trivy[0].Id, severity: 'CRITICAL' });
    expect(result.findings.find((f) => f.status === 'correlated')).toMatchObject({ severity: 'HIGH', correlatedWith: trivy[0].Id });
  });

  test('the same vulnerability in different images is not merged', async () => {
    const otherImage = await crossToolFindings('trivy', { image: 'registry.example.com/shop/worker:2.0' });
    const result = await evaluateGate([...grype, ...otherImage], { policy: POLICY, stage: 'image' });
    expect(result).toMatchObject({ blocking: 2, correlated: 0 });
  });

  test('a suppressed finding of one tool does not hide the other tool\'s finding', async () => {
    const suppressedTrivy = trivy.map((f) => ({ ...f, Workflow: { Status: 'SUPPRESSED' as const } }));
    const result = await evaluateGate([...grype, ...suppressedTrivy], { policy: POLICY, stage: 'image' });
    expect(result).toMatchObject({ blocking: 1, correlated: 0, suppressed: 1 });
    expect(result.findings[0]).toMatchObject({ severity: 'HIGH', status: 'blocking' });
  });
});
