import { validateFinding } from '../../src/asff/validate';
import { convert } from '../../src/convert';
import { osvScannerParser } from '../../src/parsers/osv-scanner';
import { memorySource } from '../../src/streams/report-source';
import { collect, convertFixture, fixtureText, SCAN } from '../support/convert-helpers';

describe('osv-scanner parser', () => {
  test('one finding per vulnerability per package per source, with the documented severities', async () => {
    const findings = await convertFixture('osv-scanner', 'report.json');
    expect(findings.map((f) => `${f.Title} | ${f.Severity!.Label}/${f.Severity!.Original}`)).toEqual([
      'GHSA-aaaa-bbbb-cccc in fixture-lib 1.2.3 | CRITICAL/CRITICAL',
      'GHSA-dddd-eeee-ffff in fixture-lib 1.2.3 | MEDIUM/MODERATE',
      // No database severity: the group's max_severity score picks the band, else it is unrated (MEDIUM).
      'PYSEC-2026-1 in fixturepy 0.9.0 | HIGH/CVSS 7.5',
      'PYSEC-2026-2 in fixturepy 0.9.0 | MEDIUM/unrated',
      'OSV-2026-3 in git repository 0123456789abcdef0123456789abcdef01234567 | MEDIUM/unrated',
    ]);
    expect(new Set(findings.map((f) => f.Id)).size).toBe(5);
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('maps the package, its fixed versions, aliases and CVSS vector', async () => {
    const [ghsa] = await convertFixture('osv-scanner', 'report.json');
    expect(ghsa.Types).toEqual(['Software and Configuration Checks/Vulnerabilities/CVE']);
    const vulnerability = ghsa.Vulnerabilities![0];
    // Only the scanned package's ranges count: other-lib's fix is not fixture-lib's.
    expect(vulnerability.VulnerablePackages).toEqual([
      {
        Name: 'fixture-lib',
        Version: '1.2.3',
        PackageManager: 'npm',
        FilePath: '/codebuild/output/src1/app/package-lock.json',
        FixedInVersion: '1.2.4',
      },
    ]);
    expect(vulnerability.RelatedVulnerabilities).toEqual(['CVE-2026-0001']);
    expect(vulnerability.Cvss).toEqual([
      { Version: '3.1', BaseVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', Source: 'OSV', BaseScore: 9.8 },
    ]);
    expect(vulnerability.FixAvailable).toBe('YES');
    expect(ghsa.Resources![0].Id).toBe('pkg:npm/fixture-lib@1.2.3');
    expect(ghsa.ProductFields).toMatchObject({ CWE: 'CWE-1321', Source: '/codebuild/output/src1/app/package-lock.json' });
    expect(ghsa.Remediation?.Recommendation?.Text).toBe('Upgrade fixture-lib to 1.2.4.');
  });

  test("a git source's fixed commit is no FixedInVersion, and its own commit is not part of the Id", async () => {
    const findings = await convertFixture('osv-scanner', 'report.json');
    const git = findings.find((f) => f.GeneratorId === 'osv-scanner/OSV-2026-3')!;
    expect(git.Vulnerabilities![0].VulnerablePackages![0].FixedInVersion).toBeUndefined();
    expect(JSON.stringify(git)).not.toContain('89abcdef0123456789abcdef0123456789abcdef');
    // The next build scans the repository at another commit: the same finding.
    const moved = fixtureText('osv-scanner', 'report.json').replace(
      '0123456789abcdef0123456789abcdef01234567',
      'fedcba9876543210fedcba9876543210fedcba98',
    );
    const next = await collect(convert({ tool: 'osv-scanner', input: memorySource(moved), context: SCAN }));
    expect(next.find((f) => f.GeneratorId === 'osv-scanner/OSV-2026-3')!.Id).toBe(git.Id);
  });

  test('an empty file and an empty results list have no findings; another report is refused', async () => {
    await expect(collect(convert({ tool: 'osv-scanner', input: memorySource(''), context: SCAN }))).resolves.toEqual([]);
    await expect(convertFixture('osv-scanner', 'no-vulnerabilities.json')).resolves.toEqual([]);
    await expect(collect(convert({ tool: 'osv-scanner', input: memorySource('{"matches":[]}'), context: SCAN, fileName: 'o.json' })))
      .rejects.toThrow('o.json: not an osv-scanner report');
  });

  test('recognises an osv-scanner report', () => {
    expect(osvScannerParser.detect({ text: fixtureText('osv-scanner', 'report.json'), complete: true })).toBe(0.9);
    expect(osvScannerParser.detect({ text: '{"results":[{"test_id":"B101"}]}', complete: true })).toBeUndefined();
  });
});
