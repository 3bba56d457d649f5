import { convert } from '../src/convert';
import { collect, fixtureCases, fixtureText, SCAN } from './support/convert-helpers';
import { measureGrowth } from './support/growth';
import { memorySource } from '../src/streams/report-source';

/**
 * Every JSON fixture of every parser, with every string field of the report
 * (values, not keys) grown to `size` characters of text built to trip
 * backtracking regexes: unclosed brackets and tags, `:digits:` separators,
 * runs of blanks and newlines, credential-looking words and quotes. A report
 * is attacker-controlled, so no parser, builder step or redaction may take
 * time more than linear in a field's length.
 */
const NASTY = " (a :1: <x  \t\n\n password: 'token-" + 'token'.repeat(4) + ' ##  Overview pkg:a/b@c? ';

function inflate(value: unknown, size: number): unknown {
  if (typeof value === 'string') return value + NASTY.repeat(Math.ceil(size / NASTY.length)).slice(0, size);
  if (Array.isArray(value)) return value.map((v) => inflate(v, size));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inflate(v, size)]));
  return value;
}

const cases = fixtureCases().filter(([, name]) => /\.(json|sarif)$/.test(name));

/**
 * Looser than LINEAR_RATIO_LIMIT: here every field of a whole report grows at once, so the 10x input is a
 * report of several MB whose garbage collection adds to the time (31x was seen once on a loaded 2-core
 * machine for a linear parser). A quadratic step in any field still shows as about 100x.
 */
const WHOLE_REPORT_RATIO_LIMIT = 50;

describe('every parser on report fields grown to adversarial sizes', () => {
  test.each(cases)('%s %s: time grows linearly with the size of every field', async (tool, name) => {
    const document: unknown = JSON.parse(fixtureText(tool, name));
    const report = (size: number) => JSON.stringify(inflate(document, size));
    const run = (size: number) => collect(convert({ tool, input: memorySource(report(size)), context: SCAN })).catch(() => []);
    // From 20 KB: below that, fixed costs (the 64 KB detection head, chunking) blur the ratio.
    // Three interleaved rounds, not five: this suite runs every fixture of every parser (68 reports, the slowest
    // suite of CI), and the limit below already leaves room for the noise fewer rounds let through.
    const growth = await measureGrowth(run, 20_000, 10, 3, WHOLE_REPORT_RATIO_LIMIT / 2);
    expect(growth.ratio).toBeLessThan(WHOLE_REPORT_RATIO_LIMIT);
  });
});
