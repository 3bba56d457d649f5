import { acceptRepositorySuppressions, combinationNotes, combinePolicies } from '../../src/policy/combine-policies';
import { parsePolicy } from '../../src/policy/parse-policy';
import { modeFor } from '../../src/policy/security-policy';

const NOW = new Date('2026-06-01T12:00:00Z');
const factory = parsePolicy(
  'version: 1\nstages:\n  build: HIGH\n  deploy: CRITICAL\ndefault: MEDIUM\n'
    + 'suppressions:\n  - rule: CVE-1\n    reason: factory accepted\n    expires: 2026-12-01\n',
  'factory.yml',
);
const repo = (text: string) => parsePolicy(`version: 1\n${text}`, 'security-policy.yml');

describe('combinePolicies', () => {
  test('without a repository policy the factory policy is used as it is', () => {
    expect(combinePolicies(factory, undefined, NOW).policy).toBe(factory);
  });

  test('keeps the stricter threshold of each stage: the repository may tighten, never loosen', () => {
    const combined = combinePolicies(factory, repo('stages:\n  build: NONE\n  deploy: LOW\n  extra: CRITICAL\ndefault: LOW\n'), NOW);
    expect(combined.policy.stages).toEqual({ build: 'HIGH', deploy: 'LOW', extra: 'MEDIUM' });
    expect(combined.policy.defaultThreshold).toBe('LOW');
    expect(combined.tightened).toEqual({ deploy: 'LOW', default: 'LOW' });
  });

  test('adds the repository suppressions that end within 90 days by default, after the factory\'s own', () => {
    const combined = combinePolicies(
      factory,
      repo('default: LOW\nsuppressions:\n'
        + '  - rule: CVE-2\n    reason: r\n    expires: 2026-08-30\n'
        + '  - rule: CVE-3\n    reason: r\n    expires: 2026-08-31\n'),
      NOW,
    );
    expect(combined.policy.suppressions.map((s) => s.rule)).toEqual(['CVE-1', 'CVE-2']);
    expect(combined.rejected.map((r) => [r.suppression.rule, r.reason])).toEqual([
      ['CVE-3', "expires 2026-08-31, later than the factory's maximum of 90 days (2026-08-30)"],
    ]);
  });

  test('applies the maximum and the permission of the factory\'s repository section', () => {
    const short = parsePolicy('version: 1\ndefault: HIGH\nrepository:\n  maxSuppressionDays: 7\n', 'factory.yml');
    const asked = repo('default: HIGH\nsuppressions:\n  - rule: CVE-2\n    reason: r\n    expires: 2026-06-09\n');
    expect(combinePolicies(short, asked, NOW).rejected).toHaveLength(1);
    const closed = parsePolicy('version: 1\ndefault: HIGH\nrepository:\n  suppressions: false\n', 'factory.yml');
    expect(acceptRepositorySuppressions(asked.suppressions, closed.repositoryRules!, NOW).accepted).toEqual([]);
  });
});

describe('combinePolicies with gate modes (strictest first: all, new, sla)', () => {
  const factoryIn = (mode: string, sla = '') =>
    parsePolicy(`version: 1\nstages:\n  build: HIGH\ndefault: HIGH\ngate:\n  mode: ${mode}\n${sla}`, 'factory.yml');

  test.each([
    ['all', 'new', 'all'],
    ['all', 'sla', 'all'],
    ['new', 'sla', 'new'],
    ['new', 'all', 'all'],
    ['sla', 'new', 'new'],
    ['sla', 'all', 'all'],
  ])('factory %s + repository %s gates in %s: a repository may tighten the mode, never weaken it', (factoryMode, repositoryMode, expected) => {
    const combined = combinePolicies(factoryIn(factoryMode), repo(`default: HIGH\ngate:\n  mode: ${repositoryMode}\n`), NOW).policy;
    expect(modeFor(combined, 'build')).toBe(expected);
    expect(modeFor(combined, 'unlisted')).toBe(expected);
  });

  test('a repository stage entry cannot weaken the factory\'s mode for that stage, nor its default', () => {
    const combined = combinePolicies(factoryIn('new'), repo('stages:\n  build:\n    threshold: HIGH\n    mode: sla\n'), NOW);
    expect(modeFor(combined.policy, 'build')).toBe('new');
    expect(combined.tightenedGate).toEqual([]);
    const stricter = combinePolicies(factoryIn('sla'), repo('stages:\n  build:\n    threshold: HIGH\n    mode: all\n'), NOW);
    expect(modeFor(stricter.policy, 'build')).toBe('all');
    expect(modeFor(stricter.policy, 'other')).toBe('sla');
    expect(stricter.tightenedGate).toEqual(['stage build to gate mode all']);
  });

  test('a factory without a gate section stays at all whatever the repository asks', () => {
    const combined = combinePolicies(factory, repo('default: LOW\ngate:\n  mode: sla\n'), NOW).policy;
    expect(modeFor(combined, 'build')).toBe('all');
    expect(modeFor(combined, 'anything')).toBe('all');
  });

  test('SLAs: the shorter one counts, and a repository may add one the factory lacks, never lengthen one', () => {
    const combined = combinePolicies(
      factoryIn('new', '  sla:\n    CRITICAL: 7d\n    HIGH: 30d\n'),
      repo('default: HIGH\ngate:\n  sla:\n    CRITICAL: 30d\n    HIGH: 14d\n    MEDIUM: 90d\n'),
      NOW,
    );
    expect(Object.fromEntries(Object.entries(combined.policy.sla!).map(([k, v]) => [k, v!.text]))).toEqual({
      CRITICAL: '7d',
      HIGH: '14d',
      MEDIUM: '90d',
    });
    expect(combinationNotes(combined, 'security-policy.yml')).toEqual([
      '  note: security-policy.yml tightens the HIGH SLA to 14d',
      '  note: security-policy.yml tightens the MEDIUM SLA to 90d',
    ]);
  });
});

describe('the repository section of a policy file', () => {
  test.each([
    ['repository: []\n', 'security-policy.yml:3: repository must be a mapping with suppressions and maxSuppressionDays'],
    ['repository:\n  suppressions: maybe\n', 'security-policy.yml:4: repository.suppressions must be true or false'],
    ['repository:\n  maxSuppressionDays: 0\n', 'security-policy.yml:4: repository.maxSuppressionDays must be a whole number of days from 1 to 3650'],
    ['repository:\n  maxDays: 5\n', "security-policy.yml:4: repository: unknown key 'maxDays' (allowed: suppressions, maxSuppressionDays)"],
  ])('refuses %j', (text, message) => {
    expect(() => repo(`default: HIGH\n${text}`)).toThrow(message);
  });
});
