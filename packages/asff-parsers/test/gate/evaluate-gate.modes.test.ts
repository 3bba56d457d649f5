import { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { FINGERPRINT_PRODUCT_FIELD } from '../../src/asff/correlation';
import { ReportError } from '../../src/errors';
import { Baseline } from '../../src/gate/baseline';
import { evaluateGate } from '../../src/gate/evaluate-gate';
import { parsePolicy } from '../../src/policy/parse-policy';
import { sampleFinding } from '../support/fake-security-hub/sample-findings';

const policy = (mode: string) =>
  parsePolicy(`version: 1\nstages:\n  build: HIGH\ngate:\n  mode: ${mode}\n  sla:\n    CRITICAL: 7d\n    HIGH: 30d\n`, 'policy.yml');

/** The same issue on the default branch and on a feature branch: different Ids, one fingerprint. */
function onBranch(
  branch: string, name: string, severity: 'CRITICAL' | 'HIGH' | 'MEDIUM', extra: Partial<AwsSecurityFinding> = {},
): AwsSecurityFinding {
  return sampleFinding(`${branch}-${name}`, {
    Severity: { Label: severity },
    ProductFields: { [FINGERPRINT_PRODUCT_FIELD]: `fp-${name}` },
    ...extra,
  });
}

describe('evaluateGate modes', () => {
  const firstSeen = '2026-05-01T00:00:00.000Z';
  let baseline: Baseline;
  beforeAll(async () => {
    baseline = await Baseline.from([
      onBranch('main', 'old-critical', 'CRITICAL', { FirstObservedAt: firstSeen }),
      onBranch('main', 'old-high', 'HIGH', { FirstObservedAt: firstSeen }),
      onBranch('main', 'fixed', 'CRITICAL', { FirstObservedAt: firstSeen, RecordState: 'ARCHIVED' }),
    ]);
  });
  const existingOnly = [onBranch('feature', 'old-critical', 'CRITICAL'), onBranch('feature', 'old-high', 'HIGH')];
  const withinSla = new Date('2026-05-05T00:00:00Z');
  const criticalOverdue = new Date('2026-05-09T00:00:00Z');

  test('new: a build with only pre-existing findings passes, and fails once one of them passes its SLA', async () => {
    const passing = await evaluateGate(existingOnly, { policy: policy('new'), stage: 'build', now: withinSla, baseline });
    expect(passing).toMatchObject({ passed: true, mode: 'new', ages: { new: 0, existing: 2, overdue: 0 }, baselineSize: 2 });
    expect(passing.findings.map((f) => f.status)).toEqual(['within-sla', 'within-sla']);

    const failing = await evaluateGate(existingOnly, { policy: policy('new'), stage: 'build', now: criticalOverdue, baseline });
    expect(failing).toMatchObject({ passed: false, blocking: 1, ages: { new: 0, existing: 1, overdue: 1 } });
    expect(failing.findings[0]).toMatchObject({
      id: 'feature-old-critical',
      status: 'blocking',
      age: 'overdue',
      firstObservedAt: firstSeen,
      sla: '7d',
    });
  });

  test('a baseline finding read twice (overlapping scopes or files) counts once', async () => {
    const twice = await Baseline.from([
      onBranch('main', 'old-high', 'HIGH'),
      onBranch('main', 'old-high', 'HIGH'),
      onBranch('main', 'other', 'HIGH'),
    ]);
    expect(twice.size).toBe(2);
  });

  test('new: a finding absent from the baseline fails at once, one below the threshold does not', async () => {
    const findings = [...existingOnly, onBranch('feature', 'introduced', 'HIGH'), onBranch('feature', 'minor', 'MEDIUM')];
    const result = await evaluateGate(findings, { policy: policy('new'), stage: 'build', now: withinSla, baseline });
    expect(result.findings.filter((f) => f.status === 'blocking').map((f) => f.id)).toEqual(['feature-introduced']);
    expect(result.ages).toEqual({ new: 2, existing: 2, overdue: 0 });
  });

  test('new: a finding fixed on the default branch (ARCHIVED there) that comes back is new', async () => {
    const result = await evaluateGate([onBranch('feature', 'fixed', 'CRITICAL')], {
      policy: policy('new'),
      stage: 'build',
      now: withinSla,
      baseline,
    });
    expect(result.findings[0]).toMatchObject({ age: 'new', status: 'blocking' });
  });

  test('sla: new findings pass, only findings past their SLA fail', async () => {
    const findings = [...existingOnly, onBranch('feature', 'introduced', 'CRITICAL')];
    expect((await evaluateGate(findings, { policy: policy('sla'), stage: 'build', now: withinSla, baseline })).passed).toBe(true);
    const late = await evaluateGate(findings, { policy: policy('sla'), stage: 'build', now: new Date('2026-06-05T00:00:00Z'), baseline });
    expect(late.findings.filter((f) => f.status === 'blocking').map((f) => f.id).sort()).toEqual(['feature-old-critical', 'feature-old-high']);
  });

  test('all: every finding at the threshold fails; a baseline only adds the split', async () => {
    const result = await evaluateGate(existingOnly, { policy: policy('all'), stage: 'build', now: withinSla, baseline });
    expect(result).toMatchObject({ passed: false, blocking: 2, ages: { new: 0, existing: 2, overdue: 0 } });
    const without = await evaluateGate(existingOnly, { policy: policy('all'), stage: 'build', now: withinSla });
    expect(without.ages).toBeUndefined();
    expect(without.findings[0].age).toBeUndefined();
  });

  test('an existing finding whose severity has no SLA stays within it; one whose age is unknown is overdue', async () => {
    const noSla = parsePolicy('version: 1\ndefault: MEDIUM\ngate:\n  mode: new\n  sla:\n    CRITICAL: 1d\n', 'policy.yml');
    const undated = await Baseline.from([
      { ...onBranch('main', 'undated', 'CRITICAL'), CreatedAt: undefined },
      onBranch('main', 'old-high', 'HIGH', { FirstObservedAt: firstSeen }),
    ]);
    const result = await evaluateGate([onBranch('f', 'undated', 'CRITICAL'), onBranch('f', 'old-high', 'HIGH')], {
      policy: noSla,
      stage: 'build',
      now: withinSla,
      baseline: undated,
    });
    expect(Object.fromEntries(result.findings.map((f) => [f.id, f.age]))).toEqual({ 'f-undated': 'overdue', 'f-old-high': 'existing' });
  });

  test('new and sla refuse to judge without a baseline, in one line naming the policy file', async () => {
    await expect(evaluateGate(existingOnly, { policy: policy('new'), stage: 'build' })).rejects.toThrow(ReportError);
    await expect(evaluateGate(existingOnly, { policy: policy('sla'), stage: 'build' }))
      .rejects.toThrow(/^policy.yml: stage 'build' gates in mode sla, which needs a baseline/);
  });

  test('a stage\'s own mode wins over the policy\'s', async () => {
    const perStage = parsePolicy('version: 1\nstages:\n  build:\n    threshold: HIGH\n    mode: all\ngate:\n  mode: new\n', 'policy.yml');
    const result = await evaluateGate(existingOnly, { policy: perStage, stage: 'build', now: withinSla, baseline });
    expect(result).toMatchObject({ mode: 'all', passed: false });
  });
});
