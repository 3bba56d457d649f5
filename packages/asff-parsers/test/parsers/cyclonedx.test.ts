import { validateFinding } from '../../src/asff/validate';
import { convert } from '../../src/convert';
import { cyclonedxParser } from '../../src/parsers/cyclonedx';
import { memorySource } from '../../src/streams/report-source';
import { collect, convertFixture, fixtureText, SCAN } from '../support/convert-helpers';

describe('cyclonedx parser', () => {
  test('JSON: one finding per vulnerability per affected component, nested components resolved', async () => {
    const findings = await convertFixture('cyclonedx', 'trivy-vex.json');
    expect(findings.map((f) => `${f.Title} | ${f.Severity!.Label}/${f.Severity!.Original}`)).toEqual([
      // The CVSS v3.1 rating outranks the distribution's "low" listed first.
      'CVE-2026-1000 in libfixture 1.0-1 | CRITICAL/critical',
      'CVE-2026-1000 in org.example/fixture-core 2.0.0 | CRITICAL/critical',
      'GHSA-1111-2222-3333 in org.example/fixture-core 2.0.0 | HIGH/high',
      // No severity anywhere: the score's band.
      'CVE-2026-3000 in libfixture 1.0-1 | MEDIUM/score 5.3',
      // Neither severity nor score, and a ref no component describes.
      'CVE-2026-4000 in unresolved-ref | MEDIUM/unrated',
    ]);
    expect(new Set(findings.map((f) => f.Id)).size).toBe(5);
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
    const [first] = findings;
    expect(first.Resources!.map((r) => [r.Type, r.Id])).toEqual([
      ['Container', 'registry.example.com/app:1.0'],
      ['Other', 'pkg:deb/debian/libfixture@1.0-1?distro=debian-12'],
    ]);
    expect(first.Vulnerabilities![0]).toMatchObject({
      Id: 'CVE-2026-1000',
      VulnerablePackages: [{ Name: 'libfixture', Version: '1.0-1', PackageManager: 'deb' }],
      Cvss: [{ BaseScore: 9.8, BaseVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', Version: '3.1', Source: 'nvd' }],
      ReferenceUrls: ['https://security-tracker.debian.org/tracker/CVE-2026-1000'],
    });
    expect(first.ProductFields!.CWE).toBe('CWE-787');
    expect(first.Remediation?.Recommendation?.Text).toBe('Upgrade libfixture to 1.0-2.');
    // A GHSA that references a CVE is filed as a CVE.
    expect(findings[2].Types).toEqual(['Software and Configuration Checks/Vulnerabilities/CVE']);
    expect(findings[2].Vulnerabilities![0].RelatedVulnerabilities).toEqual(['CVE-2026-2000']);
  });

  test('VEX: not_affected and false_positive are suppressed, resolved is archived', async () => {
    const findings = await convertFixture('cyclonedx', 'trivy-vex.json');
    expect(findings[2].ProductFields!.Suppressed).toBe('VEX analysis: not affected (code_not_reachable)');
    expect(findings[2].Description).toContain('The vulnerable parser is never called.');
    expect(findings[3].RecordState).toBe('ARCHIVED');
    expect(findings[0].RecordState).toBe('ACTIVE');
    const [native] = await convertFixture('cyclonedx', 'native-1.4.xml');
    expect(native.ProductFields!.Suppressed).toBe('VEX analysis: false positive');
  });

  test('XML with the vulnerability extension 1.0: in a component and at BOM level by ref', async () => {
    const findings = await convertFixture('cyclonedx', 'extension-1.0.xml');
    expect(findings.map((f) => `${f.Title} | ${f.Severity!.Label}`)).toEqual([
      'GHSA-4444-5555-6666 in fixture-py 0.1.0 | LOW',
      // The CVSSv3 rating outranks the OWASP Risk "Low" listed first.
      'CVE-2026-5000 in org.example/fixture-databind 1.0.0 | CRITICAL',
    ]);
    expect(findings[1].Vulnerabilities![0].Cvss).toEqual([{ BaseScore: 9.1, BaseVector: 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N', Version: '3.0' }]);
    expect(findings[1].Remediation?.Recommendation?.Text).toBe('Upgrade to 1.0.1');
    expect(findings[0].Resources![0]).toMatchObject({ Type: 'Container', Id: 'registry.example.com/legacy:2.0' });
    expect(findings[0].Vulnerabilities![0].ReferenceUrls).toEqual(['https://github.com/advisories/GHSA-4444-5555-6666']);
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('XML 1.4: native vulnerabilities with affects targets', async () => {
    const [finding] = await convertFixture('cyclonedx', 'native-1.4.xml');
    expect(finding.Title).toBe('CVE-2026-6000 in example.com/fixture v1.2.0');
    expect(finding.Severity).toEqual({ Label: 'HIGH', Original: 'high' });
    expect(finding.Resources![0].Id).toBe('pkg:golang/example.com/fixture@v1.2.0');
  });

  test('a BOM without vulnerabilities has no findings; JSON that is no BOM is refused', async () => {
    await expect(convertFixture('cyclonedx', 'sbom-only.json')).resolves.toEqual([]);
    await expect(
      collect(convert({ tool: 'cyclonedx', input: memorySource('{"vulnerabilities":[]}'), context: SCAN, fileName: 'b.json' })),
    ).rejects.toThrow('b.json: not a CycloneDX report');
    await expect(collect(convert({ tool: 'cyclonedx', input: memorySource('<project/>'), context: SCAN, fileName: 'b.xml' })))
      .rejects.toThrow('b.xml: ');
  });

  test('vulnerabilities before components still resolve their refs', async () => {
    const bom = {
      bomFormat: 'CycloneDX',
      vulnerabilities: [{ id: 'CVE-2026-7000', ratings: [{ severity: 'low' }], affects: [{ ref: 'c1' }] }],
      components: [{ 'bom-ref': 'c1', 'name': 'late', 'version': '1.0' }],
    };
    const [finding] = await collect(convert({ tool: 'cyclonedx', input: memorySource(JSON.stringify(bom)), context: SCAN }));
    expect(finding.Title).toBe('CVE-2026-7000 in late 1.0');
  });

  test('recognises JSON and XML BOMs', () => {
    expect(cyclonedxParser.detect({ text: fixtureText('cyclonedx', 'sbom-only.json'), complete: true })).toBe(0.9);
    expect(cyclonedxParser.detect({ text: fixtureText('cyclonedx', 'extension-1.0.xml'), complete: true })).toBe(0.9);
    expect(cyclonedxParser.detect({ text: '{"bomFormat":"SPDX"}', complete: true })).toBeUndefined();
  });
});
