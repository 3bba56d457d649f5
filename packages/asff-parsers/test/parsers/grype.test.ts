import { validateFinding } from '../../src/asff/validate';
import { convert } from '../../src/convert';
import { ReportError } from '../../src/errors';
import { grypeParser } from '../../src/parsers/grype';
import { memorySource } from '../../src/streams/report-source';
import { collect, convertFixture, fixtureText, SCAN } from '../support/convert-helpers';

describe('grype parser', () => {
  test('yields one finding per match with package, CVSS, EPSS and fix', async () => {
    const findings = await convertFixture('grype', 'two-matches.json');
    expect(findings).toHaveLength(2);
    const [critical, negligible] = findings;
    expect(critical.Title).toBe('CVE-2023-1000 in libexample 1.2.3');
    expect(critical.Severity).toEqual({ Label: 'CRITICAL', Original: 'critical' });
    expect(critical.Types).toEqual(['Software and Configuration Checks/Vulnerabilities/CVE']);
    const vulnerability = critical.Vulnerabilities![0];
    expect(vulnerability.Id).toBe('CVE-2023-1000');
    expect(vulnerability.FixAvailable).toBe('YES');
    expect(vulnerability.EpssScore).toBe(0.42);
    expect(vulnerability.Cvss).toEqual([
      { BaseScore: 9.8, Version: '3.1', BaseVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', Source: 'nvd@nist.gov' },
    ]);
    expect(vulnerability.VulnerablePackages).toEqual([
      { Name: 'libexample', Version: '1.2.3', PackageManager: 'deb', FilePath: '/var/lib/dpkg/status', FixedInVersion: '1.2.4' },
    ]);
    expect(critical.Remediation?.Recommendation?.Text).toBe('Upgrade libexample to 1.2.4.');
    expect(negligible.Severity?.Label).toBe('INFORMATIONAL');
    expect(negligible.Types).toEqual(['Software and Configuration Checks/Vulnerabilities/Software Package']);
    expect(negligible.Description).toContain('Timing side channel');
    expect(negligible.Vulnerabilities![0].FixAvailable).toBe('NO');
    expect(negligible.Vulnerabilities![0].RelatedVulnerabilities).toEqual(['CVE-2022-2000']);
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('names the image given on the command line as the Container resource', async () => {
    const image = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:2222222222222222222222222222222222222222222222222222222222222222';
    const [finding] = await convertFixture('grype', 'two-matches.json', { context: { image } });
    expect(finding.Resources![0]).toMatchObject({ Type: 'Container', Id: image, Partition: 'aws', Region: 'eu-west-1' });
    expect(finding.Resources![1]).toMatchObject({ Type: 'Other', Id: 'pkg:deb/debian/libexample@1.2.3' });
  });

  test('recognises a grype report and nothing else', () => {
    expect(grypeParser.detect({ text: fixtureText('grype', 'two-matches.json'), complete: true })).toBeGreaterThan(0.5);
    expect(grypeParser.detect({ text: '{"runs":[]}', complete: true })).toBeUndefined();
  });

  test('rejects a report without matches as not a grype report', async () => {
    const conversion = convert({ tool: 'grype', input: memorySource('{"site":[{"alerts":[]}]}'), context: SCAN, fileName: 'zap.json' });
    await expect(collect(conversion)).rejects.toThrow(ReportError);
    await expect(collect(convert({ tool: 'grype', input: memorySource('{}'), context: SCAN, fileName: 'zap.json' })))
      .rejects.toThrow('zap.json: not the expected report: found none of matches.*');
  });
});
