import { gateFindings, NOW, POLICY } from './gate-fixtures';
import { ReportError } from '../../src/errors';
import { evaluateGate } from '../../src/gate/evaluate-gate';
import { sampleFinding } from '../support/fake-security-hub/sample-findings';

describe('evaluateGate', () => {
  test('fails on unsuppressed ACTIVE findings at or above the threshold', async () => {
    const result = await evaluateGate(gateFindings(), { policy: POLICY, stage: 'build', now: NOW });
    expect(result.passed).toBe(false);
    expect(result.blocking).toBe(2);
    expect(result.findings.filter((f) => f.status === 'blocking').map((f) => f.id)).toEqual(['critical', 'expired-one']);
    expect(result.counts).toEqual({ CRITICAL: 1, HIGH: 1, MEDIUM: 1, LOW: 0, INFORMATIONAL: 0 });
    expect(result).toMatchObject({ suppressed: 3, archived: 1, expiredSuppressions: 1 });
  });

  test('counts policy, Security Hub and tool suppressions, with their reasons', async () => {
    const result = await evaluateGate(gateFindings(), { policy: POLICY, stage: 'build', now: NOW });
    const reasons = Object.fromEntries(result.findings.filter((f) => f.status === 'suppressed').map((f) => [f.id, f.suppressedBecause]));
    expect(reasons).toEqual({
      'suppressed': 'policy: not reachable (until 2027-01-01)',
      'triaged': 'Workflow SUPPRESSED in Security Hub',
      'tool-ignored': 'tool: snyk ignore: no fix',
    });
  });

  test('passes when nothing meets the threshold, and with threshold NONE', async () => {
    expect((await evaluateGate([sampleFinding('m', { Severity: { Label: 'MEDIUM' } })], { policy: POLICY, stage: 'build', now: NOW })).passed)
      .toBe(true);
    expect((await evaluateGate(gateFindings(), { policy: POLICY, stage: 'audit', now: NOW })).passed).toBe(true);
  });

  test('passes on an empty report', async () => {
    const result = await evaluateGate([], { policy: POLICY, stage: 'build', now: NOW });
    expect(result).toMatchObject({ passed: true, blocking: 0, findings: [] });
  });

  test('lists the worst findings first', async () => {
    const result = await evaluateGate(gateFindings(), { policy: POLICY, stage: 'build', now: NOW });
    expect(result.findings.map((f) => f.status)).toEqual(['blocking', 'blocking', 'below-threshold', 'suppressed', 'suppressed', 'suppressed']);
    expect(result.findings[0].severity).toBe('CRITICAL');
  });

  test('an unknown stage without a default is a one-line error naming the policy file', async () => {
    await expect(evaluateGate([], { policy: POLICY, stage: 'deploy' })).rejects.toThrow(ReportError);
    await expect(evaluateGate([], { policy: POLICY, stage: 'deploy' })).rejects.toThrow(/^policy.yml: stage 'deploy' has no threshold/);
  });
});
