import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { MalformedInputError } from '../../src/errors';
import { JsonElementScanner, streamJsonElements, type JsonSelection } from '../../src/streams/json-elements';
import { memorySource } from '../../src/streams/report-source';
import { collect } from '../support/convert-helpers';

async function select(text: string | Buffer, selection: JsonSelection, chunkSize?: number) {
  return collect(streamJsonElements(memorySource(text, chunkSize), selection));
}

describe('streamJsonElements', () => {
  const sarif = JSON.stringify({
    version: '2.1.0',
    runs: [
      { tool: { driver: { name: 'A' } }, results: [{ ruleId: 'a1' }, { ruleId: 'a2', message: { text: 'quote " and \\\\ backslash ]}' } }] },
      { results: [{ ruleId: 'b1' }] },
    ],
  });

  test('yields elements of nested arrays with their concrete paths', async () => {
    const found = await select(sarif, { elements: ['runs.*.results.*'] });
    expect(found.map((e) => [e.path, (e.value as { ruleId: string }).ruleId])).toEqual([
      [['runs', 0, 'results', 0], 'a1'],
      [['runs', 0, 'results', 1], 'a2'],
      [['runs', 1, 'results', 0], 'b1'],
    ]);
    expect((found[1].value as { message: { text: string } }).message.text).toBe('quote " and \\\\ backslash ]}');
  });

  test('attaches captured siblings only within the container they came from', async () => {
    const found = await select(sarif, { elements: ['runs.*.results.*'], capture: ['runs.*.tool', 'version'] });
    expect(found[0].captured['runs.*.tool']).toEqual({ driver: { name: 'A' } });
    expect(found[0].captured.version).toBe('2.1.0');
    expect(found[2].captured['runs.*.tool']).toBeUndefined();
    expect(found[2].captured.version).toBe('2.1.0');
  });

  test('selects elements of a top-level array and values of an object', async () => {
    expect((await select('[{"a":1},{"a":2}]', { elements: ['*'] })).map((e) => e.value)).toEqual([{ a: 1 }, { a: 2 }]);
    const advisories = await select('{"advisories":{"12":{"id":12},"34":{"id":34}}}', { elements: ['advisories.*'] });
    expect(advisories.map((e) => e.path)).toEqual([['advisories', '12'], ['advisories', '34']]);
  });

  test('accepts scalars and null as elements and an empty or null container', async () => {
    expect((await select('{"x":[1,"two",null,true,-3.5e2]}', { elements: ['x.*'] })).map((e) => e.value)).toEqual([1, 'two', null, true, -350]);
    await expect(select('{"x":null}', { elements: ['x.*'] })).resolves.toEqual([]);
    await expect(select('{"x":[]}', { elements: ['x.*'] })).resolves.toEqual([]);
    await expect(select('null', { elements: ['*'], requireContainer: false })).resolves.toEqual([]);
  });

  test('decodes escaped keys and skips a byte order mark', async () => {
    const found = await select('\uFEFF{"m\\u0061tches":[{"k":"v"}]}', { elements: ['matches.*'] });
    expect(found.map((e) => e.value)).toEqual([{ k: 'v' }]);
  });

  test('gives the same elements whatever the chunk boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            id: fc.string(),
            n: fc.double({ noNaN: true, noDefaultInfinity: true }),
            tags: fc.array(fc.string({ unit: 'binary' }), { maxLength: 3 }),
          }),
          { maxLength: 8 },
        ),
        fc.integer({ min: 1, max: 17 }),
        async (matches, chunkSize) => {
          const text = JSON.stringify({ before: { x: '["{' }, matches, after: [1, 2] }, null, 1);
          const found = await select(text, { elements: ['matches.*'] }, chunkSize);
          expect(found.map((e) => e.value)).toEqual(JSON.parse(text).matches);
        },
      ),
      { numRuns: 200 },
    );
  });

  test.each([
    ['empty input', '', 'the report is empty'],
    ['truncated document', '{"matches":[{"a":1}', 'truncated'],
    ['trailing garbage', '{"matches":[]} x', 'after the end of the document'],
    ['missing colon', '{"matches" []}', "expected ':'"],
    ['invalid element', '{"matches":[{"a":tru}]}', 'invalid JSON at byte 17: expected a value (in matches.0)'],
    ['another report', '{"runs":[]}', 'found none of matches.*'],
    ['not JSON', '<xml/>', 'unexpected'],
  ])('rejects %s with a one-line message', async (_name, text, message) => {
    const error = await select(text, { elements: ['matches.*'] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MalformedInputError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain('\n');
  });

  // A report's text may be a credential; V8's message quotes the text around
  // the error (`Unexpected token 'A', ..."Secret":AKIA...`) into build logs,
  // Lambda logs and dead-letter objects.
  test.each([
    ['an unquoted value', '{"matches":[{"Secret":AKIAQ3EGEXAMPLEKEY12}]}', 'invalid JSON at byte 22: expected a value (in matches.0)'],
    [
      'a control character in a string',
      '{"matches":[{"Secret":"AKIAQ3EG\tEXAMPLEKEY12"}]}',
      'invalid JSON at byte 31: a control character inside a string (in matches.0)',
    ],
    ['a bad escape', '{"matches":[{"Secret":"AKIAQ3EG\\qEXAMPLEKEY12"}]}', 'invalid JSON at byte 31: an invalid escape in a string (in matches.0)'],
    [
      'a missing comma after multi-byte text',
      '{"matches":[{"Secret":"é AKIAQ3EGEXAMPLEKEY12" "x":1}]}',
      "invalid JSON at byte 48: expected ',' or '}' after an object member (in matches.0)",
    ],
    [
      'an unexpected letter where a key belongs',
      '{"matches":[],AKIAQ3EGEXAMPLEKEY12:1}',
      'invalid JSON at byte 14: expected an object key, found a letter',
    ],
  ])('a syntax error in %s names the byte and the problem, never the text', async (_name, text, message) => {
    const error = (await select(text, { elements: ['matches.*'] }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(MalformedInputError);
    expect(error.message).toBe(message);
    expect(error.message).not.toContain('AKIA');
  });

  test('a path through keys of the report names the selector, not the keys', async () => {
    const error = (await select('{"advisories":{"AKIAQ3EGEXAMPLEKEY12":{"a":tru}}}', { elements: ['advisories.*'] }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error.message).toBe('invalid JSON at byte 43: expected a value (in advisories.*)');
    const scanner = new JsonElementScanner({ elements: ['advisories.*'], maxValueBytes: 10 });
    expect(() => scanner.push(Buffer.from('{"advisories":{"AKIAQ3EGEXAMPLEKEY12":"xxxxxxxxxxxxxxxxxx"}}')))
      .toThrow('the value at advisories.* exceeds 10 bytes');
  });

  test('refuses a single value larger than the configured maximum', () => {
    const scanner = new JsonElementScanner({ elements: ['matches.*'], maxValueBytes: 1000 });
    expect(() => scanner.push(Buffer.from(`{"matches":["${'x'.repeat(2000)}"]}`))).toThrow('the value at matches.0 exceeds 1000 bytes');
  });

  test('handles deep nesting inside an element without recursion limits', async () => {
    const depth = 5000;
    const nested = '['.repeat(depth) + ']'.repeat(depth);
    const found = await select(`{"matches":[${nested}]}`, { elements: ['matches.*'] }, 7);
    expect(found).toHaveLength(1);
  });

  test('reads a 32 MiB document while holding one element at a time', async () => {
    const element = JSON.stringify({ vulnerability: { id: 'CVE-2026-0001', description: 'd'.repeat(2000) }, artifact: { name: 'p', version: '1' } });
    const perChunk = 256;
    const chunks = Math.ceil((32 * 1024 * 1024) / (perChunk * (element.length + 1)));
    async function* generated(): AsyncGenerator<Buffer> {
      yield Buffer.from('{"matches":[');
      for (let c = 0; c < chunks; c++) {
        const body = Array.from({ length: perChunk }, () => element).join(',');
        yield Buffer.from(c === 0 ? body : `,${body}`);
      }
      yield Buffer.from(']}');
    }
    // heapUsed counts garbage until a collection runs: measure live memory after forced collections.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peak = 0;
    let count = 0;
    for await (const found of streamJsonElements(generated(), { elements: ['matches.*'] })) {
      count++;
      if (count % 8192 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
      }
      expect((found.value as { artifact: { name: string } }).artifact.name).toBe('p');
    }
    expect(count).toBe(chunks * perChunk);
    expect(peak).toBeLessThan(8 * 1024 * 1024);
  });
});
