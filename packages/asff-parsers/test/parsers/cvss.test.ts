import { convert } from '../../src/convert';
import { cvssBaseScore, severityFromCvss, withBaseScore } from '../../src/parsers/cvss';
import { memorySource } from '../../src/streams/report-source';
import { collect, SCAN } from '../support/convert-helpers';

/** Vectors with the base scores FIRST's calculators (and NVD for the named CVEs) give them. */
const OFFICIAL: ReadonlyArray<readonly [string, number]> = [
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10], // CVE-2021-44228 (Log4Shell)
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5], // CVE-2014-0160 (Heartbleed)
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1], // the usual reflected XSS
  ['CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 7.8],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', 10],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 8.7],
  ['CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 8.5],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N', 6.9],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N', 0],
];

describe('CVSS base scores from vectors', () => {
  test.each(OFFICIAL)('%s scores %d', (vector, score) => {
    expect(cvssBaseScore(vector)).toBe(score);
  });

  test.each([
    ['a v3.1 metric in a v4.0 vector', 'CVSS:4.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'],
    ['an unknown value', 'CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'],
    ['no version prefix (v2 style)', 'AV:N/AC:L/Au:N/C:P/I:P/A:P'],
    ['text', 'not a vector'],
    ['a vector grown past any real one', `CVSS:3.1/AV:N${'/AC:L'.repeat(100)}`],
  ])('%s has no score rather than an error', (_, vector) => {
    expect(cvssBaseScore(vector)).toBeUndefined();
  });

  test("a tool's own score is kept; a vector alone gets its score", () => {
    expect(withBaseScore({ BaseScore: 5, BaseVector: OFFICIAL[0][0] })).toEqual({ BaseScore: 5, BaseVector: OFFICIAL[0][0] });
    expect(withBaseScore({ BaseVector: OFFICIAL[0][0], Version: '3.1' })).toEqual({ BaseScore: 9.8, BaseVector: OFFICIAL[0][0], Version: '3.1' });
    expect(withBaseScore({ BaseVector: 'junk' })).toEqual({ BaseVector: 'junk' });
  });

  test('the severity is the band of the highest-scoring vector, naming its version and score', () => {
    const severity = severityFromCvss([{ BaseVector: OFFICIAL[3][0] }, { BaseVector: OFFICIAL[7][0] }, { BaseVector: 'junk' }]);
    expect(severity).toEqual({ label: 'HIGH', original: 'CVSS:4.0 8.7' });
    expect(severityFromCvss([{ BaseVector: 'junk' }])).toBeUndefined();
  });
});

describe('a tool that gives only a vector', () => {
  /** An osv-scanner record without database severity and without groups[].max_severity (before 1.7). */
  const report = (vectors: string[]) =>
    JSON.stringify({
      results: [
        {
          source: { path: 'package-lock.json', type: 'lockfile' },
          packages: [
            {
              package: { name: 'left-pad', version: '1.0.0', ecosystem: 'npm' },
              vulnerabilities: [{
                id: 'PYSEC-2099-1',
                aliases: [],
                summary: 'x',
                severity: vectors.map((score) => ({ type: score.startsWith('CVSS:4') ? 'CVSS_V4' : 'CVSS_V3', score })),
              }],
              groups: [{ ids: ['PYSEC-2099-1'] }],
            },
          ],
        },
      ],
    });

  test('gets a BaseScore and a severity from the vector', async () => {
    const [finding] = await collect(convert({ tool: 'osv-scanner', input: memorySource(report([OFFICIAL[1][0], OFFICIAL[3][0]])), context: SCAN }));
    expect(finding.Severity).toEqual({ Label: 'CRITICAL', Original: 'CVSS:3.1 10' });
    expect(finding.Vulnerabilities![0].Cvss!.map((c) => c.BaseScore)).toEqual([10, 6.1]);
  });

  test('stays unrated (MEDIUM) when no vector can be scored', async () => {
    const [finding] = await collect(convert({ tool: 'osv-scanner', input: memorySource(report(['CVSS:3.1/AV:Q'])), context: SCAN }));
    expect(finding.Severity?.Label).toBe('MEDIUM');
  });
});
