import { findSuppression, MAX_MATCHED_PATH_CHARS } from '../../src/policy/match-suppression';
import { parsePolicy } from '../../src/policy/parse-policy';
import { sampleFinding } from '../support/fake-security-hub/sample-findings';
import { LINEAR_RATIO_LIMIT, measureGrowth } from '../support/growth';

// The policy and the report both come from the commit being gated, so an
// attacker picks the glob and the path. A backtracking regex takes time
// exponential in the number of stars; the matcher must not.
const policy = (path: string) => parsePolicy(
  ['version: 1', 'default: HIGH', 'suppressions:', '  - rule: R1', `    path: "${path}"`, '    reason: r', '    expires: 2099-01-01'].join('\n'),
  'p.yml',
);
const findingAt = (path: string) =>
  sampleFinding('f', { GeneratorId: 'tool/R1', Resources: [{ Type: 'Other', Id: 'x', Details: { Other: { file: path } } }] });
const now = new Date('2026-01-01T00:00:00Z');

describe('suppression path globs on adversarial input', () => {
  test('a glob of many stars against a long path that almost matches grows linearly with the path', async () => {
    const stars = policy('*a*a*a*b');
    const growth = await measureGrowth((n) => findSuppression(stars, findingAt('a'.repeat(n)), 'build', now), 50);
    expect(growth.ratio).toBeLessThan(LINEAR_RATIO_LIMIT);
  });

  test('a glob of many stars and globstars answers paths of 1 MiB within linear growth', async () => {
    const stars = policy('**/*a*a*a*a*a*a*a*a*b/**');
    const growth = await measureGrowth((n) => findSuppression(stars, findingAt(`${'a/'.repeat(n / 2)}`), 'build', now), 100 * 1024);
    expect(growth.ratio).toBeLessThan(LINEAR_RATIO_LIMIT);
  });

  test('the result on such input is still exact', () => {
    expect(findSuppression(policy('*a*a*a*b'), findingAt(`${'a'.repeat(3000)}b`), 'build', now)?.active).toBe(true);
    expect(findSuppression(policy('*a*a*a*b'), findingAt('a'.repeat(3000)), 'build', now)).toBeUndefined();
  });

  test('a path longer than any file system allows is never suppressed, so its finding counts', () => {
    expect(findSuppression(policy('a**'), findingAt('a'.repeat(MAX_MATCHED_PATH_CHARS)), 'build', now)?.active).toBe(true);
    expect(findSuppression(policy('a**'), findingAt('a'.repeat(MAX_MATCHED_PATH_CHARS + 1)), 'build', now)).toBeUndefined();
  });
});
