import { readFileSync } from 'node:fs';
import { detectParser, rankParsers } from '../../src/parsers/detect';
import { PARSERS } from '../../src/parsers/registry';
import { DETECT_HEAD_BYTES } from '../../src/streams/report-source';
import { fixture, fixtureCases } from '../support/convert-helpers';

/** Fixture folders named after a tool id, and the reports in them. */
const cases = fixtureCases().filter(([tool]) => PARSERS.some((p) => p.id === tool));

/** An empty list or null: no tool can be told from it. */
function carriesNoMarker(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return value === null || (Array.isArray(value) && value.length === 0);
  } catch {
    return false;
  }
}

describe('--tool auto detection', () => {
  test('covers a fixture of every registered parser', () => {
    const covered = new Set(cases.map(([tool]) => tool));
    expect(PARSERS.map((p) => p.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  test.each(cases)('%s/%s is recognised as its own tool, unambiguously', (tool, file) => {
    const bytes = readFileSync(fixture(tool, file));
    const head = { text: bytes.subarray(0, DETECT_HEAD_BYTES).toString('utf8'), fileName: file, complete: bytes.length <= DETECT_HEAD_BYTES };
    const ranking = rankParsers(head, PARSERS);
    if (carriesNoMarker(head.text)) {
      // `[]` or `null` is what several tools print for a clean scan: nobody may claim it.
      expect(ranking).toEqual([]);
      return;
    }
    expect(ranking[0]?.parser.id).toBe(tool);
    if (ranking.length > 1) expect(ranking[1].confidence).toBeLessThan(ranking[0].confidence);
    expect(detectParser(head, PARSERS).id).toBe(tool);
  });

  test.each([
    ['plain prose', 'The quick brown fox.\nNothing to see here.\n'],
    ['an unrelated JSON object', '{"name":"package","version":"1.0.0","dependencies":{}}'],
    ['an unrelated XML document', '<?xml version="1.0"?><project><modelVersion>4.0.0</modelVersion></project>'],
  ])('refuses %s', (_name, text) => {
    expect(() => detectParser({ text, complete: true }, PARSERS)).toThrow(/unrecognised report/);
  });

  test('refuses a tie rather than guessing', () => {
    const twin = (id: string) => ({ ...PARSERS[0], id, detect: () => 0.5 });
    expect(() => detectParser({ text: '{}', complete: true }, [twin('a'), twin('b')])).toThrow('ambiguous report: it could be a or b');
  });
});
