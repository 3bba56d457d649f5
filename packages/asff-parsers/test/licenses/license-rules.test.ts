import { combineLicenseRules, evaluateLicenses, LicensePolicy, LicenseRules, licenseRulesFor } from '../../src/licenses/license-rules';
import { LicenseExpression, parseLicenseExpression } from '../../src/licenses/spdx-expression';

function expr(text: string): LicenseExpression {
  const parsed = parseLicenseExpression(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.expression;
}

/** `license:reason:severity` per violation. */
function verdicts(declared: string[], rules: LicenseRules): string[] {
  return evaluateLicenses(declared.map(expr), rules).map((v) => `${v.license}:${v.reason}:${v.severity}`);
}

const DENY: LicenseRules = { deny: ['GPL-3.0-only', 'AGPL-3.0-only'], severity: 'HIGH', unlicensed: 'report' };
const ALLOW: LicenseRules = {
  deny: [],
  allow: ['MIT', 'Apache-2.0', 'GPL-2.0-only WITH Classpath-exception-2.0'],
  severity: 'MEDIUM',
  unlicensed: 'fail',
};

describe('judging a package\'s licences', () => {
  test('a denied licence is a violation at the policy\'s severity; others pass', () => {
    expect(verdicts(['GPL-3.0-only'], DENY)).toEqual(['GPL-3.0-only:denied:HIGH']);
    expect(verdicts(['MIT'], DENY)).toEqual([]);
  });

  test('OR passes when one choice is acceptable, and reports every licence when none is', () => {
    expect(verdicts(['MIT OR AGPL-3.0-only'], DENY)).toEqual([]);
    expect(verdicts(['GPL-3.0-only OR AGPL-3.0-only'], DENY)).toEqual(['GPL-3.0-only:denied:HIGH', 'AGPL-3.0-only:denied:HIGH']);
  });

  test('AND reports each unacceptable part, and licences listed side by side all apply', () => {
    expect(verdicts(['AGPL-3.0-only AND MIT'], DENY)).toEqual(['AGPL-3.0-only:denied:HIGH']);
    expect(verdicts(['MIT', 'GPL-3.0-only'], DENY)).toEqual(['GPL-3.0-only:denied:HIGH']);
    expect(verdicts(['(MIT OR GPL-3.0-only) AND (AGPL-3.0-only OR Apache-2.0)'], DENY)).toEqual([]);
  });

  test('with no acceptable choice, OR reports the least severe ones (the choice the owner would make)', () => {
    // An unrecognised licence is only reported (INFORMATIONAL): choosing it beats a denied one.
    expect(verdicts(['GPL-3.0-only OR acme-custom'], DENY)).toEqual(['acme-custom:unrecognised:INFORMATIONAL']);
  });

  test('an allow list makes every other licence a violation, an exception only with its own entry or its licence\'s', () => {
    expect(verdicts(['MIT AND BSD-3-Clause'], ALLOW)).toEqual(['BSD-3-Clause:not-allowed:MEDIUM']);
    expect(verdicts(['Apache-2.0 WITH LLVM-exception'], ALLOW)).toEqual([]);
    expect(verdicts(['GPL-2.0-only WITH Classpath-exception-2.0'], ALLOW)).toEqual([]);
    expect(verdicts(['GPL-2.0-only'], ALLOW)).toEqual(['GPL-2.0-only:not-allowed:MEDIUM']);
  });

  test('deny wins over allow, and a denied licence also denies it with any exception', () => {
    const rules: LicenseRules = { ...ALLOW, deny: ['GPL-2.0-only'] };
    expect(verdicts(['GPL-2.0-only WITH Classpath-exception-2.0'], rules)).toEqual(['GPL-2.0-only WITH Classpath-exception-2.0:denied:MEDIUM']);
  });

  test('a package without a licence: passed, reported as INFORMATIONAL, or failed, as the rules say', () => {
    expect(verdicts([], { ...DENY, unlicensed: 'pass' })).toEqual([]);
    expect(verdicts([], DENY)).toEqual(['NOASSERTION:unlicensed:INFORMATIONAL']);
    expect(verdicts([], ALLOW)).toEqual(['NOASSERTION:unlicensed:MEDIUM']);
  });

  test('an unrecognised licence is never allowed by an allow list, and treated as unlicensed otherwise', () => {
    expect(verdicts(['GPL-2'], ALLOW)).toEqual(['GPL-2:unrecognised:MEDIUM']);
    expect(verdicts(['GPL-2'], { ...DENY, unlicensed: 'pass' })).toEqual([]);
    expect(verdicts(['GPL-2'], { ...DENY, unlicensed: 'fail' })).toEqual(['GPL-2:unrecognised:HIGH']);
  });

  test('a licence reported twice for one package is one violation', () => {
    expect(verdicts(['GPL-3.0-only', 'GPL-3.0-only AND MIT'], DENY)).toEqual(['GPL-3.0-only:denied:HIGH']);
  });
});

describe('the rules of a stage', () => {
  const policy: LicensePolicy = {
    deny: ['AGPL-3.0-only'],
    stages: { image: { allow: ['MIT'], severity: 'CRITICAL' }, docs: { deny: ['GPL-3.0-only'] } },
  };

  test('each key a stage entry sets replaces the section\'s; the others come from the section', () => {
    expect(licenseRulesFor(policy, 'image')).toEqual({ deny: ['AGPL-3.0-only'], allow: ['MIT'], severity: 'CRITICAL', unlicensed: 'fail' });
    expect(licenseRulesFor(policy, 'docs')).toEqual({ deny: ['GPL-3.0-only'], severity: 'HIGH', unlicensed: 'report' });
    expect(licenseRulesFor(policy, 'code')).toEqual({ deny: ['AGPL-3.0-only'], severity: 'HIGH', unlicensed: 'report' });
  });

  test('a policy without deny or allow list for the stage has no licence rules', () => {
    expect(licenseRulesFor({ severity: 'LOW' }, 'image')).toBeUndefined();
    expect(licenseRulesFor(undefined, 'image')).toBeUndefined();
  });
});

describe('combining the factory\'s licence rules with the repository\'s', () => {
  const factory: LicensePolicy = { deny: ['AGPL-3.0-only'], allow: ['MIT', 'Apache-2.0', 'GPL-2.0-only'], severity: 'HIGH', unlicensed: 'report' };

  test('the repository adds to the deny list and narrows the allow list', () => {
    const { rules, notes } = combineLicenseRules(
      factory,
      { deny: ['GPL-3.0-only'], allow: ['MIT', 'GPL-2.0-only WITH Classpath-exception-2.0'] },
      'image',
    );
    expect(rules).toEqual({
      deny: ['AGPL-3.0-only', 'GPL-3.0-only'],
      allow: ['MIT', 'GPL-2.0-only WITH Classpath-exception-2.0'],
      severity: 'HIGH',
      unlicensed: 'report',
    });
    expect(notes).toEqual([
      'the licence deny list of stage image with GPL-3.0-only',
      'the licence allow list of stage image to MIT, GPL-2.0-only WITH Classpath-exception-2.0',
    ]);
  });

  test('the repository cannot remove a denied licence, widen the allow list, lower the severity nor loosen unlicensed', () => {
    const { rules, notes } = combineLicenseRules(
      factory,
      { deny: [], allow: ['MIT', 'Apache-2.0', 'GPL-2.0-only', 'GPL-3.0-only', 'AGPL-3.0-only'], severity: 'LOW', unlicensed: 'pass' },
      'image',
    );
    expect(rules).toEqual({ deny: ['AGPL-3.0-only'], allow: ['MIT', 'Apache-2.0', 'GPL-2.0-only'], severity: 'HIGH', unlicensed: 'report' });
    expect(notes).toEqual([]);
    // What the factory denies stays denied even though the repository allows it.
    expect(evaluateLicenses([expr('AGPL-3.0-only')], rules!).map((v) => v.reason)).toEqual(['denied']);
  });

  test('the repository raises the severity and treats unlicensed packages more strictly', () => {
    const { rules, notes } = combineLicenseRules(factory, { deny: ['GPL-3.0-only'], severity: 'CRITICAL', unlicensed: 'fail' }, 'image');
    expect(rules).toMatchObject({ severity: 'CRITICAL', unlicensed: 'fail' });
    expect(notes).toEqual([
      'the licence deny list of stage image with GPL-3.0-only',
      'licence violations of stage image to CRITICAL',
      'unlicensed components of stage image to fail',
    ]);
  });

  test('the repository\'s rules apply as they are where the factory has none, and the factory\'s where the repository has none', () => {
    expect(combineLicenseRules(undefined, { deny: ['GPL-3.0-only'] }, 'image')).toEqual({
      rules: { deny: ['GPL-3.0-only'], severity: 'HIGH', unlicensed: 'report' },
      notes: ['licence rules for stage image'],
    });
    expect(combineLicenseRules(factory, undefined, 'image').rules).toEqual(licenseRulesFor(factory, 'image'));
  });

  test('a repository allow list where the factory has none applies as it is', () => {
    const { rules } = combineLicenseRules({ deny: ['AGPL-3.0-only'] }, { allow: ['MIT'] }, 'image');
    expect(rules).toEqual({ deny: ['AGPL-3.0-only'], allow: ['MIT'], severity: 'HIGH', unlicensed: 'report' });
  });
});
