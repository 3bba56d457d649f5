import { validateFinding } from '../../src/asff/validate';
import { convert } from '../../src/convert';
import { detectParser } from '../../src/parsers/detect';
import { hadolintParser } from '../../src/parsers/hadolint';
import { PARSERS } from '../../src/parsers/registry';
import { memorySource } from '../../src/streams/report-source';
import { collect, convertFixture, fixtureText, SCAN } from '../support/convert-helpers';

describe('hadolint parser', () => {
  test('one finding per rule per line and column, levels mapped to the documented severities', async () => {
    const findings = await convertFixture('hadolint', 'report.json');
    expect(findings).toHaveLength(8);
    expect(findings.map((f) => `${f.GeneratorId} ${f.Severity!.Label}`)).toEqual([
      'hadolint/DL3008 MEDIUM',
      'hadolint/DL3015 LOW',
      'hadolint/DL3002 MEDIUM',
      'hadolint/DL3006 MEDIUM',
      'hadolint/SC2086 LOW',
      'hadolint/SC2086 LOW',
      'hadolint/DL3020 HIGH',
      'hadolint/DL4000 INFORMATIONAL',
    ]);
    expect(new Set(findings.map((f) => f.Id)).size).toBe(8);
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('names the Dockerfile line in the repository and links the rule documentation', async () => {
    const findings = await convertFixture('hadolint', 'report.json');
    const add = findings.find((f) => f.GeneratorId === 'hadolint/DL3020')!;
    // Windows separators are normalised so that the Id is the same on every build host.
    expect(add.Resources![0].Id).toBe('example-repo/services/worker/Dockerfile:14');
    expect(add.Remediation?.Recommendation?.Url).toBe('https://github.com/hadolint/hadolint/wiki/DL3020');
    const shellcheck = findings.find((f) => f.GeneratorId === 'hadolint/SC2086')!;
    expect(shellcheck.Remediation?.Recommendation?.Url).toBe('https://www.shellcheck.net/wiki/SC2086');
  });

  test('a verbatim repeated entry is one finding', async () => {
    const entry = { line: 3, code: 'DL3008', message: 'Pin versions', column: 1, file: 'Dockerfile', level: 'warning' };
    const findings = await collect(convert({ tool: 'hadolint', input: memorySource(JSON.stringify([entry, entry])), context: SCAN }));
    expect(findings).toHaveLength(1);
  });

  test('an empty array has no findings; an object or another array is refused', async () => {
    await expect(convertFixture('hadolint', 'empty.json')).resolves.toEqual([]);
    await expect(collect(convert({ tool: 'hadolint', input: memorySource('{}'), context: SCAN, fileName: 'x.json' })))
      .rejects.toThrow('x.json: not a hadolint report: expected a top-level array');
    await expect(collect(convert({ tool: 'hadolint', input: memorySource('[{"rule":"x"}]'), context: SCAN, fileName: 'y.json' })))
      .rejects.toThrow('y.json: not a hadolint report');
  });

  test('an empty array is recognised only by a file name that names hadolint', () => {
    expect(detectParser({ text: '[]\n', fileName: 'hadolint.json', complete: true }, PARSERS).id).toBe('hadolint');
    expect(() => detectParser({ text: '[]', fileName: 'lint.json', complete: true }, PARSERS)).toThrow('unrecognised report');
  });

  test('auto-detection picks hadolint', () => {
    expect(detectParser({ text: fixtureText('hadolint', 'report.json'), complete: true }, PARSERS).id).toBe('hadolint');
    expect(hadolintParser.detect({ text: '[]', complete: true })).toBeUndefined();
  });
});
