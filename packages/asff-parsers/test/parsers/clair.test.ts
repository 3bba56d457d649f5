import { validateFinding } from '../../src/asff/validate';
import { convert } from '../../src/convert';
import { ReportError } from '../../src/errors';
import { clairParser } from '../../src/parsers/clair';
import { detectParser } from '../../src/parsers/detect';
import { PARSERS } from '../../src/parsers/registry';
import { memorySource } from '../../src/streams/report-source';
import { collect, convertFixture, fixtureText, SCAN } from '../support/convert-helpers';

describe('clair parser', () => {
  test('clair-scanner: one finding per vulnerability per package, the image as Container resource', async () => {
    const findings = await convertFixture('clair', 'clair-scanner.json');
    expect(findings.map((f) => f.Title)).toEqual([
      'CVE-2099-6000 in openssl 1.1.1d-0+deb10u2',
      'CVE-2099-6000 in libssl1.1 1.1.1d-0+deb10u2',
      'CVE-2099-6001 in bash 5.0-4',
      'CVE-2099-6002 in tar 1.30+dfsg-6',
    ]);
    expect(new Set(findings.map((f) => f.Id)).size).toBe(4);
    const [openssl, , bash, tar] = findings;
    expect(openssl.Resources![0]).toMatchObject({ Type: 'Container', Id: 'registry.example.com/shop/web:1.4.2' });
    expect(openssl.Vulnerabilities![0]).toMatchObject({
      Id: 'CVE-2099-6000',
      FixAvailable: 'YES',
      VulnerablePackages: [{ Name: 'openssl', Version: '1.1.1d-0+deb10u2', FixedInVersion: '1.1.1d-0+deb10u3' }],
    });
    expect(openssl.Remediation?.Recommendation?.Text).toBe('Upgrade openssl to 1.1.1d-0+deb10u3.');
    expect(bash.Severity).toEqual({ Label: 'INFORMATIONAL', Original: 'Negligible' });
    expect(bash.Vulnerabilities![0].FixAvailable).toBe('NO');
    expect(tar.Severity).toEqual({ Label: 'CRITICAL', Original: 'Defcon1' });
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('klar: every severity group, vendor advisories typed as package vulnerabilities', async () => {
    const findings = await convertFixture('clair', 'klar.json');
    expect(findings.map((f) => `${f.GeneratorId} ${f.Severity!.Label}`)).toEqual([
      'clair/RHSA-2099:0001 HIGH', 'clair/RHSA-2099:0001 HIGH', 'clair/CVE-2099-7000 LOW', 'clair/CVE-2099-7001 INFORMATIONAL',
    ]);
    expect(findings[0].Types).toEqual(['Software and Configuration Checks/Vulnerabilities/Software Package']);
    expect(findings[0].Id).not.toBe(findings[1].Id);
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('the image given on the command line wins over the report', async () => {
    const image = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:' + '3'.repeat(64);
    const [finding] = await convertFixture('clair', 'clair-scanner.json', { context: { image } });
    expect(finding.Resources![0].Id).toBe(image);
  });

  test('empty reports of both clients have no findings', async () => {
    await expect(convertFixture('clair', 'clair-scanner-empty.json')).resolves.toEqual([]);
    await expect(convertFixture('clair', 'klar-empty.json')).resolves.toEqual([]);
  });

  test('auto-detection picks clair for both clients', () => {
    for (const name of ['clair-scanner.json', 'clair-scanner-empty.json', 'klar.json', 'klar-empty.json']) {
      expect(detectParser({ text: fixtureText('clair', name), complete: true }, PARSERS).id).toBe('clair');
    }
    expect(clairParser.detect({ text: '{"vulnerabilities": []}', complete: true })).toBeUndefined();
  });

  test('refuses a Trivy cluster report, whose Vulnerabilities is a list of resources', async () => {
    await expect(convertFixture('trivy', 'k8s-cluster-grouped.json', { tool: 'clair' }))
      .rejects.toThrow('not a Clair report: neither clair-scanner (unapproved) nor klar (LayerCount)');
    const listed = '{"LayerCount": 2, "Vulnerabilities": [{"Namespace": "default", "Results": []}]}';
    await expect(collect(convert({ tool: 'clair', input: memorySource(listed), context: SCAN, fileName: 'k.json' })))
      .rejects.toThrow('k.json: not a Clair report: Vulnerabilities must map severities to lists');
  });

  test('refuses a vulnerability without a name', async () => {
    await expect(collect(convert({
      tool: 'clair', input: memorySource('{"image":"x","unapproved":[],"vulnerabilities":[{"featurename":"a"}]}'), context: SCAN, fileName: 'c.json',
    }))).rejects.toThrow('c.json: not a Clair report: a vulnerability has no name');
  });

  test('refuses the reports of look-alike tools, empty ones included', async () => {
    await expect(convertFixture('npm-audit', 'v7-clean.json', { tool: 'clair' })).rejects.toThrow(ReportError);
    await expect(convertFixture('npm-audit', 'v7.json', { tool: 'clair' })).rejects.toThrow(ReportError);
  });
});
