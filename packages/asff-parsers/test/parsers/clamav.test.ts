import { validateFinding } from '../../src/asff/validate';
import { convert } from '../../src/convert';
import { clamavParser, parseClamAvLine } from '../../src/parsers/clamav';
import { memorySource } from '../../src/streams/report-source';
import { collect, convertFixture, fixtureText, SCAN } from '../support/convert-helpers';

describe('clamav parser', () => {
  test('one finding per FOUND line; OK, empty-file and error lines and the summary are not findings', async () => {
    const findings = await convertFixture('clamav', 'clamscan.txt');
    expect(findings.map((f) => f.Title)).toEqual([
      'Malware signature Fixture.Test.Signature-1 in /build/image/opt/app/dropper.bin',
      // The path is everything before the last ': ', so a file name holding ': ' stays whole.
      'Malware signature Fixture.Other.Signature.UNOFFICIAL in /build/image/opt/app/notes: a file.txt',
    ]);
    for (const f of findings) {
      expect(f.Severity).toEqual({ Label: 'HIGH', Original: 'FOUND' });
      expect(f.Types).toEqual(['TTPs/Execution/Malicious File']);
      expect(validateFinding(f)).toEqual([]);
    }
    expect(findings[0].ProductFields).toMatchObject({ Signature: 'Fixture.Test.Signature-1', EngineVersion: '1.4.1', KnownSignatures: '8701234' });
    expect(findings[1].Description).toContain('third-party database');
  });

  test('--allmatch: each signature of a file is a finding, a repeated (path, signature) counts once', async () => {
    const findings = await convertFixture('clamav', 'clamscan-infected-allmatch.txt');
    expect(findings.map((f) => f.GeneratorId)).toEqual(['clamav/Fixture.Test.Signature-1', 'clamav/Fixture.Test.Signature-2']);
    expect(new Set(findings.map((f) => f.Id)).size).toBe(2);
  });

  test('names the scanned image and the file in it when --image is given', async () => {
    const image = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:' + '3'.repeat(64);
    const [finding] = await convertFixture('clamav', 'clamscan.txt', { context: { image } });
    expect(finding.Resources!.map((r) => [r.Type, r.Id])).toEqual([
      ['Container', image],
      ['Other', `${image}:/build/image/opt/app/dropper.bin`],
    ]);
  });

  test('a path relative to the scanned directory loses its ./, so the finding names the file in the image', async () => {
    const [finding] = await collect(
      convert({ tool: 'clamav', input: memorySource('./usr/local/bin/helper: Win.Test.EICAR_HDB-1 FOUND\n'), context: SCAN }),
    );
    expect(finding.Title).toBe('Malware signature Win.Test.EICAR_HDB-1 in usr/local/bin/helper');
    expect(finding.ProductFields!.File).toBe('usr/local/bin/helper');
  });

  test('empty output (clamscan -i --no-summary on a clean tree) has no findings; another report is refused', async () => {
    await expect(collect(convert({ tool: 'clamav', input: memorySource('\n'), context: SCAN }))).resolves.toEqual([]);
    const other = convert({ tool: 'clamav', input: memorySource('Everything is fine.\n'), context: SCAN, fileName: 'scan.txt' });
    await expect(collect(other)).rejects.toThrow("scan.txt: not clamscan output: line 1 is not '<path>: <result>'");
  });

  test.each([
    ['/a/b: Eicar-Signature FOUND', { path: '/a/b', signature: 'Eicar-Signature' }],
    ['C:\\x y\\z.exe: Win.Test.EICAR_HDB-1 FOUND', { path: 'C:\\x y\\z.exe', signature: 'Win.Test.EICAR_HDB-1' }],
    ['/a/b: OK', undefined],
    ['/a/b: two words FOUND', undefined],
    ['FOUND', undefined],
  ])('parses %j', (line, expected) => {
    expect(parseClamAvLine(line)).toEqual(expected);
  });

  test('recognises clamscan output by its summary or its FOUND lines, and no JSON', () => {
    expect(clamavParser.detect({ text: fixtureText('clamav', 'clamscan.txt'), complete: true })).toBe(0.95);
    expect(clamavParser.detect({ text: fixtureText('clamav', 'clamscan-infected-allmatch.txt'), complete: true })).toBe(0.5);
    expect(clamavParser.detect({ text: '{"x": "a: b FOUND"}', complete: true })).toBeUndefined();
  });
});
