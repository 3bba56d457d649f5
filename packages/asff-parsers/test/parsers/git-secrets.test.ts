import { validateFinding } from '../../src/asff/validate';
import { convert } from '../../src/convert';
import { memorySource } from '../../src/streams/report-source';
import { collect, convertFixture, SCAN } from '../support/convert-helpers';

describe('git-secrets parser', () => {
  test('--scan output: one finding per match line, banner and advice ignored, no secret anywhere', async () => {
    const findings = await convertFixture('git-secrets', 'scan.txt');
    expect(findings.map((f) => f.Title)).toEqual(['Secret committed in config/settings.py:12', 'Secret committed in deploy/run.sh:3', 'Secret committed in README.md:40']);
    const text = JSON.stringify(findings);
    expect(text).not.toContain('fixture-not-a-real-key');
    expect(text).not.toContain('fixture:value:with:colons');
    expect(findings[0].Severity).toEqual({ Label: 'HIGH', Original: 'prohibited pattern' });
    expect(findings[0].Types).toEqual(['Sensitive Data Identifications/Passwords']);
    expect(findings[0].ProductFields?.SecretFingerprint).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect(findings[0].Resources![0]).toMatchObject({ Id: 'example-repo/config/settings.py:12' });
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('--scan-history output: the commit is part of the location', async () => {
    const findings = await convertFixture('git-secrets', 'scan-history.txt');
    expect(findings.map((f) => f.Resources![0].Id)).toEqual(['example-repo/app/app.py:8@4f2a9c1', 'example-repo/app/app.py:8@9b0e7d2e5c4a3b2a1f0e9d8c7b6a5f4e3d2c1b0a']);
    expect(findings[0].Id).not.toBe(findings[1].Id);
    expect(JSON.stringify(findings)).not.toContain('fixture-history-secret');
  });

  test('no output means a clean scan', async () => {
    await expect(collect(convert({ tool: 'git-secrets', input: memorySource(''), context: SCAN }))).resolves.toEqual([]);
  });

  test('text that is not git-secrets output is refused', async () => {
    await expect(collect(convert({ tool: 'git-secrets', input: memorySource('hello world\nnot a match\n'), context: SCAN, fileName: 'out.txt' }))).rejects.toThrow('out.txt: not git-secrets output: line 1 is not path:line:text');
  });
});
