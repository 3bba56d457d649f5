import { ReportError } from '../../src/errors';
import { readFindings } from '../../src/gate/read-findings';
import { memorySource } from '../../src/streams/report-source';
import { sampleFindings } from '../support/fake-security-hub/sample-findings';

async function ids(text: string): Promise<string[]> {
  const out: string[] = [];
  for await (const f of readFindings(memorySource(text, 7), 'findings.json')) out.push(f.Id!);
  return out;
}

describe('readFindings', () => {
  const findings = sampleFindings(3);

  test('streams the {"Findings":[...]} object written by asff convert', async () => {
    expect(await ids(`{"Findings":[\n${findings.map((f) => JSON.stringify(f)).join(',\n')}\n]}\n`)).toEqual(['f-0', 'f-1', 'f-2']);
    expect(await ids('{"Findings":[]}')).toEqual([]);
  });

  test('streams NDJSON, skipping blank lines', async () => {
    expect(await ids(`${findings.map((f) => JSON.stringify(f)).join('\n')}\n\n`)).toEqual(['f-0', 'f-1', 'f-2']);
  });

  test.each([
    ['an empty file', '', /findings.json: the findings file is empty/],
    ['a truncated object', '{"Findings":[{"Id":"a"', /^findings.json: /],
    ['a line that is not JSON', '{"Id":"a"}\nnot json\n', /findings.json: line 2: not JSON/],
    ['an element without Id', '{"Findings":[{"Title":"x"}]}', /findings.json: Findings\[0\] is not an ASFF finding/],
  ])('rejects %s with a one-line error naming the file', async (_, text, message) => {
    const error = await ids(text).then(() => undefined, (e) => e);
    expect(error).toBeInstanceOf(ReportError);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('\n');
  });
});
