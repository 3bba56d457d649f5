import { parsePolicy } from '../../src/policy/parse-policy';
import { PolicyError } from '../../src/policy/policy-error';

const HEAD = 'version: 1\ndefault: HIGH\n';

function messageOf(text: string): string {
  try {
    parsePolicy(HEAD + text, 'security-policy.yml');
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as Error).message;
  }
  throw new Error('expected a PolicyError');
}

describe('the licenses: section of a policy file', () => {
  test('reads deny and allow lists as canonical SPDX ids, the severity, the unlicensed treatment and stage entries', () => {
    const policy = parsePolicy(`${HEAD}licenses:
  deny: [gpl-3.0-only, AGPL-3.0+, GPL-2.0 WITH Classpath-exception-2.0]
  severity: critical
  unlicensed: Fail
  stages:
    image:
      allow: [MIT, Apache-2.0, LicenseRef-acme-eula]
      severity: medium
`, 'security-policy.yml');
    expect(policy.licenses).toEqual({
      deny: ['GPL-3.0-only', 'AGPL-3.0-or-later', 'GPL-2.0-only WITH Classpath-exception-2.0'],
      severity: 'CRITICAL',
      unlicensed: 'fail',
      stages: { image: { allow: ['MIT', 'Apache-2.0', 'LicenseRef-acme-eula'], severity: 'MEDIUM' } },
    });
  });

  test('a policy without the section has no licence rules', () => {
    expect(parsePolicy(HEAD, 'p.yml').licenses).toBeUndefined();
  });

  test.each([
    ['a misspelt licence id, which would deny nothing', 'licenses:\n  deny: [GLP-3.0-only]\n', "security-policy.yml:4: licenses.deny[0]: unknown SPDX licence id 'GLP-3.0-only' (see https://spdx.org/licenses/, or a LicenseRef-)"],
    [
      'an expression instead of one licence',
      'licenses:\n  allow:\n    - MIT\n    - MIT OR GPL-3.0-only\n',
      "security-policy.yml:6: licenses.allow[1] 'MIT OR GPL-3.0-only' is an expression: list each licence on its own",
    ],
    [
      'text that is no licence id',
      'licenses:\n  deny: ["GPL v3"]\n',
      "security-policy.yml:4: licenses.deny[0] 'GPL v3' is not an SPDX licence id (two licences without AND or OR between them)",
    ],
    [
      'an unknown key',
      'licenses:\n  denied: [MIT]\n',
      "security-policy.yml:4: licenses: unknown key 'denied' (allowed: deny, allow, severity, unlicensed, stages)",
    ],
    [
      'an unknown key in a stage entry',
      'licenses:\n  stages:\n    image:\n      stages: {}\n',
      "security-policy.yml:6: licenses.stages.image: unknown key 'stages' (allowed: deny, allow, severity, unlicensed)",
    ],
    ['a list that is no list', 'licenses:\n  deny: MIT\n', 'security-policy.yml:4: licenses.deny must be a list of SPDX licence ids'],
    [
      'a severity that is no label',
      'licenses:\n  deny: [MIT]\n  severity: NONE\n',
      'security-policy.yml:5: licenses.severity must be one of INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL',
    ],
    [
      'an unknown unlicensed treatment',
      'licenses:\n  unlicensed: ignore\n',
      'security-policy.yml:4: licenses.unlicensed must be one of pass, report, fail',
    ],
    [
      'a section that is no mapping',
      'licenses: [MIT]\n',
      'security-policy.yml:3: licenses must be a mapping with deny, allow, severity, unlicensed and stages',
    ],
  ])('refuses %s with one line naming the file and line', (_, text, expected) => {
    expect(messageOf(text)).toBe(expected);
  });

  test('never echoes an entry that is not licence-shaped', () => {
    const message = messageOf(`licenses:\n  deny: ["AKIA${'X'.repeat(16)} secret/text"]\n`);
    expect(message).not.toContain('AKIA');
    expect(message).toMatch(/^security-policy\.yml:4: licenses\.deny\[0\] is not an SPDX licence id/);
  });
});
