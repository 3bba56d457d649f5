import { parsePolicy } from '../../src/policy/parse-policy';
import { isExpired, thresholdFor } from '../../src/policy/security-policy';

describe('security policy', () => {
  const policy = parsePolicy('version: 1\nstages:\n  build: HIGH\nsuppressions:\n  - id: a\n    reason: r\n    expires: 2027-01-01\n', 'p.yml');

  test('a suppression stops applying at 00:00 UTC on its expiry date', () => {
    const [suppression] = policy.suppressions;
    expect(isExpired(suppression, new Date('2026-12-31T23:59:59.999Z'))).toBe(false);
    expect(isExpired(suppression, new Date('2027-01-01T00:00:00.000Z'))).toBe(true);
  });

  test('an unlisted stage without a default threshold is an error naming the stages', () => {
    expect(thresholdFor(policy, 'build')).toBe('HIGH');
    expect(() => thresholdFor(policy, 'deploy')).toThrow("p.yml: stage 'deploy' has no threshold (stages: build; add it or a default)");
  });
});
