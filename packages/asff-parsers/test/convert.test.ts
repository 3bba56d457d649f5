import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { validateFinding } from '../src/asff/validate';
import { convert } from '../src/convert';
import { ReportError, UsageError } from '../src/errors';
import { collect, fixture, SCAN } from './support/convert-helpers';
import { draft } from './support/drafts';
import type { FindingDraft, Parser } from '../src/parsers/parser';
import { PARSERS } from '../src/parsers/registry';
import { memorySource } from '../src/streams/report-source';

/** Reports no scanner writes, each of which must give findings or a one-line ReportError. */
const grype = readFileSync(fixture('grype', 'two-matches.json'));
const zapXml = readFileSync(fixture('zap', 'report.xml'));
const INPUTS: readonly (readonly [string, Buffer])[] = [
  ['empty', Buffer.alloc(0)],
  ['whitespace only', Buffer.from(' \n\t\n')],
  ['truncated JSON', grype.subarray(0, Math.floor(grype.length / 2))],
  ['truncated XML', zapXml.subarray(0, Math.floor(zapXml.length / 2))],
  ['another tool\'s JSON', Buffer.from('{"SchemaVersion":2,"Results":[{"Target":"x"}],"site":5,"runs":"x","matches":{"a":1}}')],
  ['binary', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))],
  ['deeply nested arrays', Buffer.from(`{"matches":${'['.repeat(100_000)}${']'.repeat(100_000)},"runs":${'['.repeat(50_000)}`)],
  ['deeply nested XML', Buffer.from(`<OWASPZAPReport>${'<a>'.repeat(20_000)}${'</a>'.repeat(20_000)}</OWASPZAPReport>`)],
  [
    'a huge string',
    Buffer.from(
      `{"matches":[{"vulnerability":{"id":"CVE-1","description":"${'A'.repeat(5_000_000)}"},"artifact":{"name":"x"}}],`
        + `"findings":[{"title":"${'B'.repeat(100_000)}"}]}`,
    ),
  ],
  [
    'invalid UTF-8',
    Buffer.concat([
      Buffer.from('{"matches":[{"vulnerability":{"id":"CVE-\xff\xfe'),
      Buffer.from([0xc3, 0x28, 0xa0, 0xa1]),
      Buffer.from('"},"artifact":{"name":"n"}}]}'),
    ]),
  ],
  ['JSON null', Buffer.from('null')],
  ['a JSON string', Buffer.from('"just a string"')],
  [
    'wrong types everywhere',
    Buffer.from(
      '{"matches":[1,"x",null,[]],"vulnerabilities":[7],"runs":[{"results":[null,3]}],"site":[{"alerts":[false]}],'
        + '"findings":["x"],"imageScanFindings":{"findings":[0]}}',
    ),
  ],
];

describe('malformed input', () => {
  const tools = PARSERS.map((p) => p.id);

  const cases = tools.flatMap((tool) => INPUTS.map(([name, bytes]) => [tool, name, bytes] as const));

  test.each(cases)('%s with %s: valid findings or a one-line ReportError', async (tool, _name, bytes) => {
    try {
      for await (const finding of convert({ tool, input: memorySource(bytes, 64 * 1024), context: SCAN, fileName: 'report.bin' })) {
        expect(validateFinding(finding)).toEqual([]);
      }
    } catch (error) {
      expect(error).toBeInstanceOf(ReportError);
      expect((error as Error).message).toMatch(/^report\.bin: /);
      expect((error as Error).message).not.toContain('\n');
      expect((error as Error).message.length).toBeLessThan(400);
    }
  });

  test.each(INPUTS.map(([name, bytes]) => [name, bytes] as const))('auto with %s: valid findings or a one-line ReportError', async (_name, bytes) => {
    try {
      for await (const finding of convert({ tool: 'auto', input: memorySource(bytes), context: SCAN, fileName: 'report.bin' })) {
        expect(validateFinding(finding)).toEqual([]);
      }
    } catch (error) {
      expect(error).toBeInstanceOf(ReportError);
      expect((error as Error).message).not.toContain('\n');
    }
  });
});

describe('convert', () => {
  test('reads a stream of string chunks as well as a file path', async () => {
    const text = readFileSync(fixture('grype', 'two-matches.json'), 'utf8');
    const fromStream = await collect(
      convert({
        tool: 'auto',
        input: (async function* () {
          yield text.slice(0, 100);
          yield text.slice(100);
        })(),
        context: SCAN,
      }),
    );
    const fromFile = await collect(convert({ tool: 'grype', input: fixture('grype', 'two-matches.json'), context: SCAN }));
    expect(fromStream).toEqual(fromFile);
  });

  test('counts findings and names the detected tool', async () => {
    const conversion = convert({ tool: 'auto', input: fixture('zap', 'report.xml'), context: SCAN });
    await collect(conversion);
    expect(conversion.stats).toEqual({ tool: 'zap', findings: 2, repeatedIds: 0 });
  });

  test.each([
    ['an unknown tool', { tool: 'nessus' }, "unknown tool 'nessus'"],
    ['a short account', { context: { ...SCAN, account: '1234' } }, '--account must be 12 digits'],
    ['a region that is not one', { context: { ...SCAN, region: 'Europe' } }, '--region must be a Region name'],
    ['an unknown partition', { context: { ...SCAN, partition: 'aws-xx' as never } }, '--partition must be one of'],
  ])('refuses %s as a usage error', async (_name, overrides, message) => {
    const options = { tool: 'grype', input: fixture('grype', 'two-matches.json'), context: SCAN, ...overrides };
    const error = await collect(convert(options)).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(message);
  });

  test('a missing file and a directory are unreadable reports', async () => {
    await expect(collect(convert({ tool: 'grype', input: 'no/such/report.json', context: SCAN }))).rejects.toMatchObject({
      kind: 'unreadable',
      message: 'no/such/report.json: no such file',
    });
    await expect(collect(convert({ tool: 'grype', input: __dirname, context: SCAN }))).rejects.toMatchObject({ kind: 'unreadable' });
  });
});

/** A parser that yields the given drafts, to drive `convert` end to end. */
function parserOf(drafts: readonly FindingDraft[]): Parser {
  return {
    id: 'prop',
    displayName: 'Property Scanner',
    countingUnit: 'test',
    formats: [],
    severityTable: {},
    detect: () => undefined,
    async *parse(source) {
      for await (const chunk of source) void chunk;
      yield* drafts;
    },
  };
}

describe('Id uniqueness within one report', () => {
  test('one report never yields two findings with one Id, even when drafts repeat', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('R1', 'R2'), fc.constantFrom('a', 'b', 'c')), { maxLength: 30 }), async (pairs) => {
        const drafts = pairs.map(([ruleId, locationKey]) => draft({ ruleId, locationKey }));
        const conversion = convert({
          tool: 'prop',
          input: [Buffer.from('x')] as unknown as AsyncIterable<Buffer>,
          context: SCAN,
          parsers: [parserOf(drafts)],
        });
        const findings = await collect(conversion);
        expect(new Set(findings.map((f) => f.Id)).size).toBe(findings.length);
        expect(conversion.stats.repeatedIds).toBe(pairs.length - new Set(pairs.map((p) => p.join('|'))).size);
      }),
      { numRuns: 50 },
    );
  });
});
