import { join } from 'node:path';
import { MalformedInputError } from '../../src/errors';
import { sbomComponents, SbomSubject } from '../../src/licenses/sbom-components';
import { fileSource, memorySource } from '../../src/streams/report-source';
import { collect } from '../support/convert-helpers';

const FIXTURES = join(__dirname, 'fixtures');

async function read(source: AsyncIterable<Buffer>) {
  let subject: SbomSubject | undefined;
  const components = await collect(sbomComponents(source, (s) => (subject = s)));
  return { subject, components };
}

describe('the packages of an SBOM', () => {
  test('CycloneDX JSON: every package with a purl or a licence, nested ones too, with licences as written', async () => {
    const { subject, components } = await read(fileSource(join(FIXTURES, 'trivy-image.cdx.json')));
    expect(subject).toEqual({ format: 'CycloneDX 1.6', name: 'image/image.tar' });
    // The operating system and the lock file group packages: they are no package themselves.
    expect(components.map((c) => [c.name, c.licenses])).toEqual([
      ['bash', ['GPL-3.0-or-later']],
      ['libc6', ['LGPL-2.1-or-later', 'GPL-2.0']],
      ['zlib1g', ['Zlib']],
      ['libtinfo6', ['X11-like custom terms']],
      ['tzdata', []],
      ['express', ['MIT']],
      ['saslprep', ['(MIT OR AGPL-3.0-only)']],
      ['ghostscript-wrapper', ['AGPL-3.0-only AND MIT']],
    ]);
    expect(components[0]).toMatchObject({
      version: '5.2.15-2+b7',
      purl: 'pkg:deb/debian/bash@5.2.15-2+b7?arch=amd64&distro=debian-12.8',
      type: 'library',
    });
  });

  test('SPDX JSON: the concluded licence, else the declared one; NOASSERTION and NONE are no licence; the image and its OS are skipped', async () => {
    const { subject, components } = await read(fileSource(join(FIXTURES, 'trivy-image.spdx.json')));
    expect(subject).toEqual({ format: 'SPDX-2.3', name: 'image/image.tar' });
    expect(components.map((c) => [c.name, c.licenses, c.purl?.slice(0, 20)])).toEqual([
      ['bash', ['GPL-3.0-or-later'], 'pkg:deb/debian/bash@'],
      ['zlib1g', ['Zlib'], 'pkg:deb/debian/zlib1'],
      ['tzdata', [], 'pkg:deb/debian/tzdat'],
      ['saslprep', ['MIT OR AGPL-3.0-only'], 'pkg:npm/%40mongodb-j'],
    ]);
  });

  test('a CycloneDX licence named NOASSERTION or NONE is no licence', async () => {
    const sbom = {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      components: [{ name: 'x', purl: 'pkg:npm/x@1', licenses: [{ license: { name: 'NOASSERTION' } }, { expression: 'NONE' }] }],
    };
    const { components } = await read(memorySource(JSON.stringify(sbom)));
    expect(components.map((c) => c.licenses)).toEqual([[]]);
  });

  test('an SBOM without packages has none and still says what it is', async () => {
    expect(await read(memorySource('{"bomFormat":"CycloneDX","specVersion":"1.5","components":[]}'))).toEqual({
      subject: { format: 'CycloneDX 1.5' },
      components: [],
    });
  });

  test('refuses a document that is neither CycloneDX nor SPDX JSON', async () => {
    await expect(read(memorySource('{"matches":[]}')))
      .rejects.toThrow(new MalformedInputError('not a CycloneDX or SPDX JSON SBOM: no "bomFormat": "CycloneDX" nor "spdxVersion" at its start'));
  });
});
