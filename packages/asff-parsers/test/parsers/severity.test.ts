import fc from 'fast-check';
import { PARSERS } from '../../src/parsers/registry';
import { labelFromScore, parseScore, severityFrom } from '../../src/parsers/severity';

/** Every key of every registered parser's table, with its label. */
const entries = PARSERS.flatMap((p) => Object.entries(p.severityTable).map(([raw, label]) => [p.id, raw, label] as const));

describe('severity tables', () => {
  test('every table key is lower-case so lookups can be case-insensitive', () => {
    expect(entries.filter(([, raw]) => raw !== raw.toLowerCase())).toEqual([]);
  });

  test('any spelling of a raw value maps to the same label and keeps the raw value', () => {
    const upperCase = fc.array(fc.boolean(), { minLength: 20, maxLength: 20 });
    fc.assert(
      fc.property(fc.constantFrom(...entries), upperCase, fc.constantFrom('', ' ', '\t'), ([tool, raw, label], upper, pad) => {
        const spelled = [...raw].map((c, i) => (upper[i % upper.length] ? c.toUpperCase() : c)).join('');
        const table = PARSERS.find((p) => p.id === tool)!.severityTable;
        expect(severityFrom(table, `${pad}${spelled}${pad}`)).toEqual({ label, original: spelled });
      }),
    );
  });

  test('Critical, critical and CRITICAL are all CRITICAL (the reference parser sent two of them to LOW)', () => {
    const grype = PARSERS.find((p) => p.id === 'grype')!.severityTable;
    expect(['Critical', 'critical', 'CRITICAL'].map((s) => severityFrom(grype, s).label)).toEqual(['CRITICAL', 'CRITICAL', 'CRITICAL']);
  });

  test('missing and unknown values get the fallback, with a visible Original', () => {
    expect(severityFrom({ high: 'HIGH' }, undefined)).toEqual({ label: 'INFORMATIONAL', original: 'unknown' });
    expect(severityFrom({ high: 'HIGH' }, 'spicy', 'MEDIUM')).toEqual({ label: 'MEDIUM', original: 'spicy' });
    expect(severityFrom({ high: 'HIGH' }, 'constructor')).toEqual({ label: 'INFORMATIONAL', original: 'constructor' });
  });

  test("a missing value gets the caller's fallback even when the table maps the word unknown", () => {
    const table = { unknown: 'INFORMATIONAL', high: 'HIGH' } as const;
    expect(severityFrom(table, undefined, 'MEDIUM')).toEqual({ label: 'MEDIUM', original: 'unknown' });
    expect(severityFrom(table, '  ', 'MEDIUM')).toEqual({ label: 'MEDIUM', original: 'unknown' });
    // The tool's own word is still the table's business.
    expect(severityFrom(table, 'Unknown', 'MEDIUM')).toEqual({ label: 'INFORMATIONAL', original: 'Unknown' });
  });

  test.each([
    [0, 'INFORMATIONAL'],
    [0.1, 'LOW'],
    [3.9, 'LOW'],
    [4, 'MEDIUM'],
    [6.9, 'MEDIUM'],
    [7, 'HIGH'],
    [8.9, 'HIGH'],
    [9, 'CRITICAL'],
    [10, 'CRITICAL'],
  ] as const)('CVSS %s is %s', (score, label) => {
    expect(labelFromScore(score)).toBe(label);
  });

  test('scores are parsed from numbers and strings and refused outside 0-10', () => {
    expect([parseScore('7.5'), parseScore(9.8), parseScore(''), parseScore('high'), parseScore(11), parseScore(-1)]).toEqual([
      7.5, 9.8, undefined, undefined, undefined, undefined,
    ]);
  });
});
