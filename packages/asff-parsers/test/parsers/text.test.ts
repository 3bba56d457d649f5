import { firstUrl, htmlToText, toIsoTimestamp } from '../../src/parsers/text';
import { LINEAR_RATIO_LIMIT, measureGrowth } from '../support/growth';

describe('text helpers', () => {
  test('htmlToText keeps paragraphs, drops tags and decodes entities', () => {
    expect(htmlToText('<p>One &amp; two</p><p>Three&#x21; &lt;b&gt;</p><ul><li>a</li><li>b</li></ul>')).toBe('One & two\nThree! <b>\n- a\n- b');
    expect(htmlToText('<p></p>')).toBeUndefined();
    expect(htmlToText('&#99999999; &bogus;')).toBe('&#99999999; &bogus;');
  });

  test.each([
    ['2026-01-02 10:11:12.345000+01:00', '2026-01-02T09:11:12.345Z'],
    ['2026-01-02T10:11:12Z', '2026-01-02T10:11:12.000Z'],
    [1767225600, '2026-01-01T00:00:00.000Z'],
    [1767225600000, '2026-01-01T00:00:00.000Z'],
    ['yesterday', undefined],
    ['2026-13-45 99:99', undefined],
    [null, undefined],
  ])('toIsoTimestamp(%j) is %j', (raw, iso) => {
    expect(toIsoTimestamp(raw)).toBe(iso);
  });

  test('firstUrl finds the first http(s) link', () => {
    expect(firstUrl('see https://a.test/x and http://b.test')).toBe('https://a.test/x');
    expect(firstUrl('no link')).toBeUndefined();
  });

  // ZAP descriptions are report-controlled: `<[^>]*>` rescanned the rest of a
  // text of unclosed `<` at each one, `[ \t]+\n` a run of blanks at each blank.
  test.each([
    ['unclosed tags', (n: number) => '<'.repeat(n)],
    ['blanks without a newline', (n: number) => `${' '.repeat(n)}x`],
    ['blanks and tabs before text on each line', (n: number) => `${' \t'.repeat(n / 2)}x\n`],
  ])('htmlToText takes time linear in the length of %s', async (_name, text) => {
    const growth = await measureGrowth((n) => htmlToText(text(n)), 4_000);
    expect(growth.ratio).toBeLessThan(LINEAR_RATIO_LIMIT);
  });

  test('htmlToText drops blanks at line ends and keeps text that only looks like a tag start', () => {
    expect(htmlToText('a \t\nb  \n\n\n\nc')).toBe('a\nb\n\nc');
    expect(htmlToText('1 < 2 and <b>bold</b>')).toBe('1 < 2 and bold');
  });
});
