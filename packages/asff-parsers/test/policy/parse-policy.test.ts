import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReportError } from '../../src/errors';
import { loadPolicy, parsePolicy } from '../../src/policy/parse-policy';
import { PolicyError } from '../../src/policy/policy-error';

const EXAMPLE = join(__dirname, '..', '..', '..', '..', 'docs', 'policy-example.yml');

function errorOf(text: string): PolicyError {
  try {
    parsePolicy(text, 'policy.yml');
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return error as PolicyError;
  }
  throw new Error('expected a PolicyError');
}

describe('parsePolicy', () => {
  test('reads the documented example policy', async () => {
    const policy = await loadPolicy(EXAMPLE);
    expect(policy.stages).toMatchObject({ build: 'HIGH', staging: 'MEDIUM', secrets: 'LOW' });
    expect(policy.defaultThreshold).toBe('CRITICAL');
    expect(policy.suppressions).toHaveLength(3);
    expect(policy.suppressions[0]).toMatchObject({ rule: 'CVE-2023-44487', path: 'services/legacy-gateway/**', expires: '2027-03-31' });
    expect(policy.suppressions[1].stages).toEqual(['build']);
    expect(policy.suppressions[2].id).toBeDefined();
    expect(policy.sla).toMatchObject({ CRITICAL: { text: '7d' }, HIGH: { text: '30d' } });
    expect(policy.licenses).toEqual({ deny: ['AGPL-3.0-only', 'AGPL-3.0-or-later', 'SSPL-1.0'], severity: 'HIGH', unlicensed: 'report' });
  });

  test('accepts thresholds in any case and as a plain value', () => {
    const policy = parsePolicy('version: 1\nstages:\n  build: high\n  deploy:\n    threshold: None\n', 'p.yml');
    expect(policy.stages).toEqual({ build: 'HIGH', deploy: 'NONE' });
    expect(policy.suppressions).toEqual([]);
  });

  test.each([
    [
      'invalid YAML',
      'version: 1\nstages:\n  build: HIGH: LOW\n',
      3,
      /invalid YAML at column 10: Nested mappings are not allowed in compact mappings$/,
    ],
    ['an unknown top-level key', 'version: 1\nstage:\n  build: HIGH\n', 2, /unknown key 'stage'/],
    ['a missing version', 'stages:\n  build: HIGH\n', 1, /version: 1/],
    ['an unknown threshold', 'version: 1\nstages:\n  build: SEVERE\n', 3, /stages.build: threshold must be one of/],
    ['no stages and no default', 'version: 1\n', 1, /stages or a default/],
    [
      'a suppression without reason',
      'version: 1\ndefault: HIGH\nsuppressions:\n  - rule: CVE-1\n    expires: 2027-01-01\n',
      4,
      /suppressions\[0\].reason is required/,
    ],
    [
      'a suppression with an impossible date',
      'version: 1\ndefault: HIGH\nsuppressions:\n  - rule: CVE-1\n    reason: r\n    expires: 2027-02-30\n',
      6,
      /expires must be a date YYYY-MM-DD/,
    ],
    [
      'a suppression with id and rule',
      'version: 1\ndefault: HIGH\nsuppressions:\n  - id: a\n    rule: b\n    reason: r\n    expires: 2027-01-01\n',
      4,
      /exactly one of id or rule/,
    ],
    [
      'a path without rule',
      'version: 1\ndefault: HIGH\nsuppressions:\n  - id: a\n    path: "x/**"\n    reason: r\n    expires: 2027-01-01\n',
      5,
      /path only applies with rule/,
    ],
    [
      'a misspelt suppression key',
      'version: 1\ndefault: HIGH\nsuppressions:\n  - rule: a\n    reasons: r\n    expires: 2027-01-01\n',
      5,
      /suppressions\[0\]: unknown key 'reasons'/,
    ],
    ['a duplicated key', 'version: 1\ndefault: HIGH\ndefault: LOW\n', 3, /invalid YAML/],
    ['an unknown gate mode', 'version: 1\ndefault: HIGH\ngate:\n  mode: changed\n', 4, /gate: mode must be one of all, new, sla$/],
    [
      'an unknown stage mode',
      'version: 1\nstages:\n  build:\n    threshold: HIGH\n    mode: fresh\n',
      5,
      /stages.build: mode must be one of all, new, sla$/,
    ],
    [
      'an SLA in weeks',
      'version: 1\ndefault: HIGH\ngate:\n  sla:\n    CRITICAL: 1w\n',
      5,
      /gate.sla.CRITICAL: the maximum age must be a whole number of days or hours such as 7d or 12h, got '1w'$/,
    ],
    ['an SLA of zero days', 'version: 1\ndefault: HIGH\ngate:\n  sla:\n    HIGH: 0d\n', 5, /gate.sla.HIGH: the maximum age must be/],
    [
      'an SLA for an unknown severity',
      'version: 1\ndefault: HIGH\ngate:\n  sla:\n    SEVERE: 7d\n',
      5,
      /gate.sla: unknown severity 'SEVERE' \(allowed: CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL\)$/,
    ],
    [
      'a misspelt gate key',
      'version: 1\ndefault: HIGH\ngate:\n  modes: new\n',
      4,
      /gate: unknown key 'modes' \(allowed: mode, sla, inSourceSuppressions\)$/,
    ],
    [
      'a gate that is not a mapping',
      'version: 1\ndefault: HIGH\ngate: new\n',
      3,
      /gate must be a mapping with mode, sla and inSourceSuppressions$/,
    ],
    [
      'a mode on the default threshold',
      'version: 1\ndefault:\n  threshold: HIGH\n  mode: new\n',
      4,
      /default: unknown key 'mode' \(allowed: threshold\)$/,
    ],
    ['suppressions that are not a list', 'version: 1\ndefault: HIGH\nsuppressions: none\n', 3, /suppressions must be a list$/],
    ['suppression stages that are not a list',
      'version: 1\ndefault: HIGH\nsuppressions:\n  - rule: a\n    reason: r\n    expires: 2027-01-01\n    stages: build\n',
      7, /suppressions\[0\].stages must be a list of stage names$/],
    ['a repository section that is not a mapping', 'version: 1\ndefault: HIGH\nrepository: open\n', 3, /repository must be a mapping/],
    ['repository suppressions that are not true or false', 'version: 1\ndefault: HIGH\nrepository:\n  suppressions: maybe\n', 4,
      /repository.suppressions must be true or false$/],
    [
      'a repository suppression limit of 0 days',
      'version: 1\ndefault: HIGH\nrepository:\n  maxSuppressionDays: 0\n',
      4,
      /maxSuppressionDays must be a whole number/,
    ],
    [
      'a repository suppression limit of 1.5 days',
      'version: 1\ndefault: HIGH\nrepository:\n  maxSuppressionDays: 1.5\n',
      4,
      /maxSuppressionDays must be a whole number/,
    ],
  ])('rejects %s with the file and line', (_, text, line, message) => {
    const error = errorOf(text);
    expect(error.line).toBe(line);
    expect(error.message).toMatch(new RegExp(`^policy\\.yml:${line}: `));
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('\n');
  });

  test('reads the gate mode, per-stage modes and SLAs in days or hours', () => {
    const policy = parsePolicy(
      'version: 1\nstages:\n  build:\n    threshold: HIGH\n    mode: ALL\n  image: HIGH\n'
        + 'gate:\n  mode: new\n  sla:\n    critical: 7d\n    HIGH: 36h\n',
      'p.yml',
    );
    expect(policy).toMatchObject({
      defaultMode: 'new',
      stageModes: { build: 'all' },
      sla: { CRITICAL: { text: '7d', ms: 7 * 86_400_000 }, HIGH: { text: '36h', ms: 36 * 3_600_000 } },
    });
    expect(policy.stages).toEqual({ build: 'HIGH', image: 'HIGH' });
    expect(parsePolicy('version: 1\ndefault: HIGH\n', 'p.yml').defaultMode).toBeUndefined();
  });

  test('reads the repository rules, filling in what the section leaves out, and suppression stages', () => {
    const text = 'version: 1\ndefault: HIGH\nrepository:\n  maxSuppressionDays: 30\n'
      + 'suppressions:\n  - rule: a\n    reason: r\n    expires: 2027-01-01\n    stages: [build, image]\n';
    const policy = parsePolicy(text, 'p.yml');
    expect(policy.repositoryRules).toEqual({ allowSuppressions: true, maxSuppressionDays: 30 });
    expect(policy.suppressions).toEqual([{ rule: 'a', reason: 'r', expires: '2027-01-01', stages: ['build', 'image'], line: 6 }]);
    expect(parsePolicy('version: 1\ndefault: HIGH\nrepository:\n  suppressions: false\n', 'p.yml').repositoryRules).toEqual({
      allowSuppressions: false,
      maxSuppressionDays: 90,
    });
    expect(parsePolicy('version: 1\ndefault: HIGH\nsuppressions:\n', 'p.yml').suppressions).toEqual([]);
  });

  test('never quotes the policy file\'s text in a YAML error', () => {
    const secret = 'AKIAQ3EGEXAMPLE7KEY1';
    const texts = [
      `version: 1\ndefault: HIGH\nsuppressions: [${secret}\n`,
      `version: 1\ndefault: "${secret}\n`,
      `version: 1\n${secret}: a\n${secret}: b\n`,
    ];
    for (const text of texts) {
      const error = errorOf(text);
      expect(error.message).toMatch(/^policy\.yml:\d+: invalid YAML/);
      expect(error.message).not.toContain(secret);
    }
  });

  test('an unreadable policy file is a one-line error naming it', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'policy-')), 'nope.yml');
    await expect(loadPolicy(missing)).rejects.toThrow(ReportError);
    await expect(loadPolicy(missing)).rejects.toThrow(`${missing}: cannot read the policy file (ENOENT)`);
  });

  test('loads a policy file from disk', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'policy-')), 'p.yml');
    writeFileSync(file, 'version: 1\ndefault:\n  threshold: MEDIUM\n');
    expect((await loadPolicy(file)).defaultThreshold).toBe('MEDIUM');
  });
});
