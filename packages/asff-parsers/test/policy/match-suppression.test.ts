import { findSuppression, pathsOf, ruleIdsOf } from '../../src/policy/match-suppression';
import { parsePolicy } from '../../src/policy/parse-policy';
import { sampleFinding } from '../support/fake-security-hub/sample-findings';

const policy = parsePolicy(
  [
    'version: 1',
    'default: HIGH',
    'suppressions:',
    '  - rule: CVE-2024-0001',
    '    path: "services/legacy/**"',
    '    reason: legacy',
    '    expires: 2027-01-01',
    '  - id: exact-id',
    '    reason: one finding',
    '    expires: 2026-01-01',
    '  - rule: js/sqli',
    '    reason: build only',
    '    expires: 2027-01-01',
    '    stages: [build]',
    '  - id: renewed',
    '    reason: old',
    '    expires: 2026-01-01',
    '  - id: renewed',
    '    reason: new',
    '    expires: 2027-01-01',
  ].join('\n'),
  'p.yml',
);
const now = new Date('2026-06-01T00:00:00Z');

const vulnerable = (path: string) =>
  sampleFinding('v', {
    GeneratorId: 'grype/CVE-2024-0001',
    Vulnerabilities: [{ Id: 'CVE-2024-0001', VulnerablePackages: [{ Name: 'x', FilePath: path }] }],
    Resources: [{ Type: 'Other', Id: 'pkg:npm/x@1' }],
  });

describe('findSuppression', () => {
  test('matches a rule under the path glob, through the package path', () => {
    expect(findSuppression(policy, vulnerable('services/legacy/package-lock.json'), 'build', now)).toMatchObject({
      active: true,
      suppression: { reason: 'legacy' },
    });
    expect(findSuppression(policy, vulnerable('services/api/package-lock.json'), 'build', now)).toBeUndefined();
  });

  test('matches a code finding by the file of its resource, ignoring the line', () => {
    const finding = sampleFinding('c', {
      GeneratorId: 'sarif/js/sqli',
      Resources: [{ Type: 'Other', Id: 'shop/src/db.ts:12', Details: { Other: { file: 'src/db.ts', line: '12' } } }],
    });
    expect(findSuppression(policy, finding, 'build', now)?.active).toBe(true);
    expect(findSuppression(policy, finding, 'staging', now)).toBeUndefined();
  });

  test('an expired suppression is reported as inactive', () => {
    expect(findSuppression(policy, sampleFinding('exact-id'), 'build', now)).toMatchObject({ active: false });
    expect(findSuppression(policy, sampleFinding('exact-id'), 'build', new Date('2025-12-31T23:59:59Z'))).toMatchObject({ active: true });
  });

  test('a renewed suppression wins over the expired one it replaces', () => {
    expect(findSuppression(policy, sampleFinding('renewed'), 'build', now)).toMatchObject({ active: true, suppression: { reason: 'new' } });
  });

  test('rule ids come from RuleId, GeneratorId and vulnerability aliases, case-insensitively', () => {
    const finding = sampleFinding('a', {
      GeneratorId: 'grype/GHSA-xxxx',
      ProductFields: { RuleId: 'GHSA-xxxx' },
      Vulnerabilities: [{ Id: 'GHSA-xxxx', RelatedVulnerabilities: ['cve-2024-9'] }],
    });
    expect(ruleIdsOf(finding)).toEqual(expect.arrayContaining(['GHSA-XXXX', 'CVE-2024-9']));
  });

  test('paths come from resource ids, file details and package locations', () => {
    const finding = sampleFinding('a', {
      Resources: [{ Type: 'Other', Id: 'r/a.ts:3:4', Details: { Other: { locations: 'x/lock.json, y/lock.json' } } }],
    });
    expect(pathsOf(finding)).toEqual(expect.arrayContaining(['r/a.ts', 'x/lock.json', 'y/lock.json']));
  });
});
