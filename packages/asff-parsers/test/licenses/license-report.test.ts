import { join } from 'node:path';
import { writeLicenseReport } from '../../src/licenses/license-report';
import { LicenseRules } from '../../src/licenses/license-rules';
import { fileSource, memorySource } from '../../src/streams/report-source';
import { LINEAR_RATIO_LIMIT, measureGrowth } from '../support/growth';

const FIXTURES = join(__dirname, 'fixtures');
const RULES: LicenseRules = { deny: ['AGPL-3.0-only', 'GPL-3.0-or-later'], severity: 'HIGH', unlicensed: 'report' };

async function report(sbom: AsyncIterable<Buffer>, rules: LicenseRules | undefined) {
  let text = '';
  const summary = await writeLicenseReport({ sbom, sbomFile: 'image/sbom.json', stage: 'image', rules, write: async (t) => void (text += t) });
  return { summary, report: JSON.parse(text) };
}

describe('the licence report', () => {
  test('lists one violation per violated licence per package, with the rules it was judged with', async () => {
    const { summary, report: written } = await report(fileSource(join(FIXTURES, 'trivy-image.cdx.json')), RULES);
    expect(written).toMatchObject({
      licenseReport: 'asff-sbom-licenses/1',
      stage: 'image',
      sbom: { file: 'image/sbom.json', format: 'CycloneDX 1.6', subject: 'image/image.tar' },
      rules: RULES,
      summary: { components: 8, violations: 4 },
    });
    expect(written.violations.map((v: any) => [v.component.name, v.license, v.reason, v.severity])).toEqual([
      ['bash', 'GPL-3.0-or-later', 'denied', 'HIGH'],
      // A free-text licence name nobody can judge, and a package with none: reported, not blocking.
      ['libtinfo6', 'X11-like custom terms', 'unrecognised', 'INFORMATIONAL'],
      ['tzdata', 'NOASSERTION', 'unlicensed', 'INFORMATIONAL'],
      ['ghostscript-wrapper', 'AGPL-3.0-only', 'denied', 'HIGH'],
    ]);
    expect(written.violations[3]).toMatchObject({
      component: { purl: 'pkg:npm/ghostscript-wrapper@2.0.0', ref: 'pkg:npm/ghostscript-wrapper@2.0.0' },
      declared: ['AGPL-3.0-only AND MIT'],
    });
    expect(summary).toEqual({
      components: 8,
      violations: 4,
      byLicense: [
        ['GPL-3.0-or-later', 1],
        ['X11-like custom terms', 1],
        ['NOASSERTION', 1],
        ['AGPL-3.0-only', 1],
      ],
    });
  });

  test('judges an SPDX SBOM the same way', async () => {
    const { report: written } = await report(fileSource(join(FIXTURES, 'trivy-image.spdx.json')), { ...RULES, unlicensed: 'pass' });
    expect(written.violations.map((v: any) => `${v.component.name}:${v.license}`)).toEqual(['bash:GPL-3.0-or-later']);
    expect(written.sbom.format).toBe('SPDX-2.3');
  });

  test('without licence rules for the stage, the report lists no violation and says so', async () => {
    const { report: written } = await report(fileSource(join(FIXTURES, 'trivy-image.cdx.json')), undefined);
    expect(written).toMatchObject({ rules: null, violations: [], summary: { components: 0, violations: 0 } });
  });

  test('time grows linearly with the number of packages and the length of their licences', async () => {
    const sbom = (size: number) => {
      const components = Array.from({ length: Math.ceil(size / 200) }, (_, i) => ({
        'type': 'library',
        'name': `pkg-${i}`,
        'purl': `pkg:npm/pkg-${i}@1.0.0`,
        'bom-ref': `pkg:npm/pkg-${i}@1.0.0`,
        'licenses': [{ expression: i % 2 === 0 ? '(MIT OR GPL-3.0-or-later) AND AGPL-3.0-only' : `LicenseRef-${'x'.repeat(i % 50)}` }],
      }));
      return JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', components });
    };
    const growth = await measureGrowth((size) => report(memorySource(sbom(size)), RULES), 20_000);
    expect(growth.ratio).toBeLessThan(LINEAR_RATIO_LIMIT);
  });

  test('a package declaring many licences, each violated, makes the report grow linearly, not with their square', async () => {
    const sbom = (size: number) => JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      components: [{
        type: 'library',
        name: 'many',
        purl: 'pkg:npm/many@1',
        licenses: Array.from({ length: Math.ceil(size / 40) }, (_, i) => ({ expression: `LicenseRef-l${i}` })),
      }],
    });
    const allowOnlyMit: LicenseRules = { deny: [], allow: ['MIT'], severity: 'HIGH', unlicensed: 'fail' };
    const { report: written } = await report(memorySource(sbom(4000)), allowOnlyMit);
    expect(written.violations).toHaveLength(100);
    expect(written.violations[0].declared).toHaveLength(20);
    const growth = await measureGrowth((size) => report(memorySource(sbom(size)), allowOnlyMit), 20_000);
    expect(growth.ratio).toBeLessThan(LINEAR_RATIO_LIMIT);
  });
});
