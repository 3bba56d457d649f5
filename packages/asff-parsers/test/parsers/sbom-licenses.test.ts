import { validateFinding } from '../../src/asff/validate';
import { convert } from '../../src/convert';
import { detectParser } from '../../src/parsers/detect';
import { PARSERS } from '../../src/parsers/registry';
import { memorySource } from '../../src/streams/report-source';
import { collect, convertFixture, fixtureText, SCAN } from '../support/convert-helpers';

describe('sbom-licenses parser', () => {
  test('one finding per violated licence per package, at the severity the policy gave it', async () => {
    const findings = await convertFixture('sbom-licenses', 'trivy-cyclonedx.json');
    expect(findings.map((f) => [f.Title, f.Severity])).toEqual([
      ['Licence GPL-3.0-or-later of bash 5.2.15-2+b7 violates the licence policy', { Label: 'HIGH', Original: 'HIGH' }],
      ['Licence X11-like custom terms of libtinfo6 6.4-4 violates the licence policy', { Label: 'INFORMATIONAL', Original: 'INFORMATIONAL' }],
      ['No licence declared for tzdata 2024b-0+deb12u1', { Label: 'INFORMATIONAL', Original: 'INFORMATIONAL' }],
      ['Licence AGPL-3.0-only of ghostscript-wrapper 2.0.0 violates the licence policy', { Label: 'HIGH', Original: 'HIGH' }],
    ]);
    for (const f of findings) {
      expect(f.Types).toEqual(['Software and Configuration Checks/Industry and Regulatory Standards']);
      expect(validateFinding(f)).toEqual([]);
    }
    const agpl = findings[3];
    expect(agpl.GeneratorId).toBe('sbom-licenses/AGPL-3.0-only');
    expect(agpl.ProductFields).toMatchObject({
      License: 'AGPL-3.0-only',
      Reason: 'denied',
      DeclaredLicense: 'AGPL-3.0-only AND MIT',
      PackageUrl: 'pkg:npm/ghostscript-wrapper@2.0.0',
      LicenseRulesStage: 'image',
    });
    expect(agpl.Description).toContain('AGPL-3.0-only is on the policy\'s deny list (licence rules of stage image)');
  });

  test('names the image (from --image, else the SBOM\'s subject) and the package by its purl', async () => {
    const image = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:' + '3'.repeat(64);
    const [withImage] = await convertFixture('sbom-licenses', 'trivy-cyclonedx.json', { context: { image } });
    expect(withImage.Resources!.map((r) => [r.Type, r.Id])).toEqual([
      ['Container', image],
      ['Other', 'pkg:deb/debian/bash@5.2.15-2+b7?arch=amd64&distro=debian-12.8'],
    ]);
    const [withoutImage] = await convertFixture('sbom-licenses', 'trivy-cyclonedx.json');
    expect(withoutImage.Resources![0].Id).toBe('image/image.tar');
  });

  test('Ids are stable from build to build and do not depend on the order of the SBOM', async () => {
    const first = await convertFixture('sbom-licenses', 'trivy-cyclonedx.json', { context: { commit: 'a'.repeat(40), buildId: 'b:1' } });
    const report = JSON.parse(fixtureText('sbom-licenses', 'trivy-cyclonedx.json'));
    report.violations.reverse();
    const second = await collect(
      convert({ tool: 'sbom-licenses', input: memorySource(JSON.stringify(report)), context: { ...SCAN, commit: 'c'.repeat(40), buildId: 'b:2' } }),
    );
    expect(second.map((f) => f.Id).sort()).toEqual(first.map((f) => f.Id).sort());
    expect(new Set(first.map((f) => f.Id)).size).toBe(4);
  });

  test('an allow-list verdict from an SPDX SBOM says which licences the list holds', async () => {
    const findings = await convertFixture('sbom-licenses', 'spdx-allow-list.json');
    expect(findings.map((f) => [f.GeneratorId, f.Severity!.Label])).toEqual([
      ['sbom-licenses/GPL-3.0-or-later', 'MEDIUM'],
      ['sbom-licenses/NOASSERTION', 'MEDIUM'],
    ]);
    expect(findings[0].Description).toContain("GPL-3.0-or-later is not on the policy's allow list (MIT, Zlib, Apache-2.0)");
    expect(findings[0].Description).toContain('From the SPDX-2.3 SBOM image/sbom.spdx.json.');
  });

  test('a report without rules has no findings', async () => {
    await expect(convertFixture('sbom-licenses', 'no-rules.json')).resolves.toEqual([]);
  });

  test('the same package twice in the SBOM (two lock files) is two findings', async () => {
    const report = JSON.parse(fixtureText('sbom-licenses', 'trivy-cyclonedx.json'));
    const twin = { ...report.violations[3], component: { ...report.violations[3].component, ref: 'other-lock-file-ref' } };
    report.violations.push(twin);
    const findings = await collect(convert({ tool: 'sbom-licenses', input: memorySource(JSON.stringify(report)), context: SCAN }));
    expect(new Set(findings.map((f) => f.Id)).size).toBe(5);
  });

  test('a severity the report does not know is HIGH, never a silent pass', async () => {
    const report = JSON.parse(fixtureText('sbom-licenses', 'trivy-cyclonedx.json'));
    report.violations = [{ ...report.violations[0], severity: 'NONE' }];
    const [finding] = await collect(convert({ tool: 'sbom-licenses', input: memorySource(JSON.stringify(report)), context: SCAN }));
    expect(finding.Severity).toEqual({ Label: 'HIGH', Original: 'NONE' });
  });

  test('is recognised by --tool auto, and refuses another JSON or another report format version', async () => {
    expect(detectParser({ text: fixtureText('sbom-licenses', 'trivy-cyclonedx.json'), complete: true }, PARSERS).id).toBe('sbom-licenses');
    const other = convert({
      tool: 'sbom-licenses',
      input: memorySource('{"bomFormat":"CycloneDX","components":[]}'),
      context: SCAN,
      fileName: 'sbom.json',
    });
    await expect(collect(other)).rejects.toThrow('sbom.json: not a licence report: no "licenseReport" at its start (write it with asff licenses)');
    const future = convert({
      tool: 'sbom-licenses',
      input: memorySource('{"licenseReport":"asff-sbom-licenses/9","violations":[]}'),
      context: SCAN,
      fileName: 'r.json',
    });
    await expect(collect(future)).rejects.toThrow("r.json: licence report format 'asff-sbom-licenses/9' is not asff-sbom-licenses/1");
  });
});
