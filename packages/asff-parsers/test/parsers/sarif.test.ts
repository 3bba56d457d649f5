import { validateFinding } from '../../src/asff/validate';
import { convertFixture } from '../support/convert-helpers';

describe('sarif parser', () => {
  test('security-severity overrides the level', async () => {
    const findings = await convertFixture('sarif', 'security-severity.sarif');
    expect(findings.map((f) => f.Severity)).toEqual([
      { Label: 'HIGH', Original: 'security-severity 7.5' },
      { Label: 'CRITICAL', Original: 'security-severity 9.8' },
    ]);
    expect(findings[0].Types).toEqual(['Software and Configuration Checks/Vulnerabilities/CVE']);
    expect(findings[0].Description).toContain('A buffer overflow in libfoo.');
  });

  test('level mapping, one finding per location, suppressions kept and passes skipped', async () => {
    const findings = await convertFixture('sarif', 'levels.sarif');
    expect(findings.map((f) => [f.GeneratorId, f.Severity?.Label, f.Resources![0].Id])).toEqual([
      ['sarif/EL001', 'HIGH', 'example-repo/src/io.c:10'],
      ['sarif/EL001', 'HIGH', 'example-repo/src/io.c:20'],
      ['sarif/EL002', 'MEDIUM', 'example-repo/src/hash.c:5'],
      ['sarif/EL002', 'INFORMATIONAL', 'example-repo'],
      [expect.stringMatching(/^sarif\/unidentified-[0-9a-f]{16}$/), 'LOW', 'example-repo/src/main.c:1'],
    ]);
    expect(findings[2].ProductFields?.Suppressed).toBe('checksum only, not security relevant');
    expect(findings[0].Remediation?.Recommendation?.Url).toBe('https://lint.example.test/EL001');
    expect(new Set(findings.map((f) => f.Id)).size).toBe(findings.length);
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('says where each suppression was made: in the scanned source (Semgrep\'s nosemgrep) or outside it', async () => {
    const findings = await convertFixture('sarif', 'suppressions.sarif');
    const byLine = Object.fromEntries(findings.map((f) => [f.Resources![0].Id!.split(':')[1], f.ProductFields]));
    // Semgrep writes `suppressions: [{kind: inSource}]` for a result under a nosemgrep comment, without justification.
    expect(byLine['5']).toMatchObject({ Suppressed: 'suppressed (inSource)', SuppressionKind: 'inSource' });
    expect(byLine['9']).toMatchObject({ Suppressed: 'triaged: input is a constant', SuppressionKind: 'external' });
    // A decision kept outside the code outweighs the comment beside it.
    expect(byLine['13']).toMatchObject({ Suppressed: 'accepted in triage', SuppressionKind: 'external' });
    // A suppression without a kind may have been written by the commit: taken as in source.
    expect(byLine['17']).toMatchObject({ SuppressionKind: 'inSource' });
    expect(byLine['21']).not.toHaveProperty('Suppressed');
    expect(byLine['21']).not.toHaveProperty('SuppressionKind');
  });

  test('secret scanner results never carry the secret', async () => {
    const [finding] = await convertFixture('sarif', 'secret-scanner.sarif');
    expect(finding.Types).toEqual(['Sensitive Data Identifications/Passwords']);
    expect(JSON.stringify(finding)).not.toContain('fixture-sarif-secret-0042');
    expect(finding.Description).toMatch(/\[REDACTED sha256:[0-9a-f]{12}\]/);
  });
});
