import { PassThrough } from 'node:stream';
import { toolsCommand } from '../../../src/cli/commands/tools';
import { PARSERS } from '../../../src/parsers/registry';

async function tools(argv: string[]): Promise<string[]> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  expect(await toolsCommand.run(argv, { stdin: new PassThrough(), stdout, stderr: new PassThrough(), debug: false })).toBe(0);
  return out.split('\n').filter(Boolean);
}

describe('asff tools', () => {
  test('--details prints id, name, formats, counting unit and severity table of every parser, from its metadata', async () => {
    const lines = await tools(['--details']);
    expect(lines.map((line) => line.split('\t')[0])).toEqual(PARSERS.map((p) => p.id));
    const grype = lines.find((line) => line.startsWith('grype\t'))!.split('\t');
    expect(grype).toHaveLength(5);
    expect(grype[1]).toBe('Anchore Grype');
    expect(grype[4]).toMatch(/^CRITICAL=critical; HIGH=high; MEDIUM=medium,moderate; LOW=low; INFORMATIONAL=negligible,/);
  });
});
