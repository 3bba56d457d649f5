import { validateFinding } from '../../src/asff/validate';
import { convertFixture } from '../support/convert-helpers';

describe('anchore parser', () => {
  test('vulnerabilities[] form: one finding per package path, the image by digest', async () => {
    const findings = await convertFixture('anchore', 'vulnerabilities.json');
    expect(findings).toHaveLength(3);
    const [negligible, critical, criticalElsewhere] = findings;
    expect(negligible.Severity).toEqual({ Label: 'INFORMATIONAL', Original: 'Negligible' });
    expect(negligible.Vulnerabilities![0].FixAvailable).toBe('NO');
    expect(negligible.Resources![0]).toMatchObject({
      Type: 'Container',
      Id: 'registry.example.test/shop@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    });
    expect(critical.Severity).toEqual({ Label: 'CRITICAL', Original: 'CRITICAL' });
    expect(criticalElsewhere.Severity?.Label).toBe('CRITICAL');
    expect(critical.Vulnerabilities![0]).toMatchObject({
      Id: 'GHSA-aaaa-bbbb-cccc',
      FixAvailable: 'YES',
      VulnerablePackages: [{ Name: 'log4example', Version: '2.14.0', FixedInVersion: '2.17.1', FilePath: '/app/lib/log4example-2.14.0.jar' }],
    });
    expect(critical.Vulnerabilities![0].Cvss!.map((c) => c.BaseScore)).toEqual([10, 9.3]);
    expect(critical.Id).not.toBe(criticalElsewhere.Id);
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('securityEvaluation[] form: metadata names the image, "None" means no fix', async () => {
    const findings = await convertFixture('anchore', 'security-evaluation.json');
    expect(findings.map((f) => [f.Title, f.Severity?.Label])).toEqual([
      ['CVE-2025-70007 in webkit-9.0.1', 'HIGH'],
      ['CVE-2025-70008 in tinyhttp-0.3', 'INFORMATIONAL'],
    ]);
    expect(findings[0].Resources![0].Id).toBe('docker.io/example/shop@sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb');
    expect(findings[0].Vulnerabilities![0]).toMatchObject({ FixAvailable: 'YES', Cvss: [{ BaseScore: 8.1, Source: 'NVD' }] });
    expect(findings[1].Vulnerabilities![0].FixAvailable).toBe('NO');
    expect(findings[1].Vulnerabilities![0].Cvss).toBeUndefined();
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });
});
