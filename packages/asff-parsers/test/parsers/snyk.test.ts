import { validateFinding } from '../../src/asff/validate';
import { convertFixture } from '../support/convert-helpers';

describe('snyk parser', () => {
  test('single project: one finding per vulnerability per package version, paths in the description', async () => {
    const findings = await convertFixture('snyk', 'single-project.json');
    expect(findings.map((f) => f.Title)).toEqual([
      'Prototype Pollution in lodashx@4.17.20',
      'Prototype Pollution in lodashx@3.10.1',
      'Regular Expression Denial of Service (ReDoS) in tinyqs@1.0.0',
    ]);
    const [current, legacy, redos] = findings;
    expect(current.Description).toContain('Introduced through 2 dependency path(s)');
    expect(current.Description).toContain('shop-api@1.0.0 > templater@2.0.0 > lodashx@4.17.20');
    expect(current.Description).toContain('lodashx is a utility library.');
    expect(current.Severity).toEqual({ Label: 'CRITICAL', Original: 'critical' });
    expect(current.Types).toEqual(['Software and Configuration Checks/Vulnerabilities/CVE']);
    expect(current.Vulnerabilities![0]).toMatchObject({
      Id: 'SNYK-JS-LODASHX-1000001',
      RelatedVulnerabilities: ['CVE-2025-10001'],
      FixAvailable: 'YES',
      EpssScore: 0.0123,
      VulnerablePackages: [{ Name: 'lodashx', Version: '4.17.20', PackageManager: 'npm', FixedInVersion: '4.17.22' }],
    });
    expect(current.Remediation?.Recommendation?.Text).toBe('Upgrade to lodashx@4.17.22 (fixed in 4.17.22).');
    expect(legacy.Vulnerabilities![0].FixAvailable).toBe('NO');
    expect(legacy.Id).not.toBe(current.Id);
    expect(redos.Severity).toEqual({ Label: 'MEDIUM', Original: 'Medium' });
    expect(redos.Types).toEqual(['Software and Configuration Checks/Vulnerabilities/Software Package']);
    expect(redos.Resources!.map((r) => r.Id)).toEqual(['example-repo/package-lock.json']);
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('--all-projects array: the same vulnerability in two projects is two findings', async () => {
    const findings = await convertFixture('snyk', 'all-projects.json');
    expect(findings).toHaveLength(2);
    expect(findings.map((f) => f.ProductFields?.TargetFile)).toEqual(['service-a/pom.xml', 'service-b/pom.xml']);
    expect(findings[0].Severity?.Label).toBe('MEDIUM');
    expect(new Set(findings.map((f) => f.Id)).size).toBe(2);
  });

  test('container: the image is the resource and application vulnerabilities count too', async () => {
    const findings = await convertFixture('snyk', 'container.json');
    expect(findings.map((f) => f.GeneratorId)).toEqual(['snyk/SNYK-DEBIAN12-ZLIBX-4000004', 'snyk/SNYK-JS-EXPRESSO-5000005']);
    expect(findings[0].Resources![0]).toMatchObject({ Type: 'Container', Id: 'example/shop' });
  });

  test('a Snyk error report is a one-line error', async () => {
    const { convert } = await import('../../src/convert');
    const { memorySource } = await import('../../src/streams/report-source');
    const { collect, SCAN } = await import('../support/convert-helpers');
    await expect(collect(convert({
      tool: 'snyk', input: memorySource('{"ok":false,"error":"Could not detect supported target files"}'), context: SCAN, fileName: 'snyk.json',
    }))).rejects.toThrow('snyk.json: Snyk reported an error: Could not detect supported target files');
  });

  test('--tool snyk reads a Snyk Code SARIF report as Snyk Code does, under the snyk tool id', async () => {
    const asSnyk = await convertFixture('snyk-code', 'report.sarif', { tool: 'snyk' });
    const asSnykCode = await convertFixture('snyk-code', 'report.sarif');
    expect(asSnyk.length).toBeGreaterThan(0);
    // Same findings, filed under the id the pipeline named: titles, severities, resources as snyk-code makes them.
    expect(asSnyk.map((f) => [f.Title, f.Severity, f.Resources])).toEqual(asSnykCode.map((f) => [f.Title, f.Severity, f.Resources]));
    expect(asSnyk.every((f) => f.Id!.startsWith('snyk/') && f.ProductName === 'Snyk')).toBe(true);
    for (const f of asSnyk) expect(validateFinding(f)).toEqual([]);
  });

  test('--tool snyk refuses a SARIF report of another tool', async () => {
    const { convert } = await import('../../src/convert');
    const { memorySource } = await import('../../src/streams/report-source');
    const { collect, SCAN } = await import('../support/convert-helpers');
    const sarif = JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'Semgrep OSS' } }, results: [] }] });
    await expect(collect(convert({ tool: 'snyk', input: memorySource(sarif), context: SCAN, fileName: 'code.sarif' }))).rejects.toThrow(
      'code.sarif: not a Snyk report: a SARIF report whose tool is not Snyk Code (use --tool sarif)',
    );
  });
});
