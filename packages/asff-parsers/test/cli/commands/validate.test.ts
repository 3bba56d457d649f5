import { PassThrough } from 'node:stream';
import { validateCommand } from '../../../src/cli/commands/validate';
import { ReportError } from '../../../src/errors';
import { convertFixture } from '../../support/convert-helpers';

/** Runs `asff validate -` in-process on `input`, capturing what it prints. */
async function validate(input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  stdin.end(input);
  const code = await validateCommand.run(['-'], { stdin, stdout, stderr, debug: false });
  return { code, stdout: out, stderr: err };
}

describe('asff validate', () => {
  test('a findings file asff convert wrote is valid, in both output formats', async () => {
    const findings = await convertFixture('grype', 'two-matches.json');
    expect(await validate(JSON.stringify({ Findings: findings }))).toEqual({
      code: 0,
      stdout: '<stdin>: 2 findings, 2 valid, 0 invalid\n',
      stderr: '',
    });
    expect((await validate(findings.map((f) => JSON.stringify(f)).join('\n'))).code).toBe(0);
  });

  test('each broken rule is one line naming the file, the finding and the field, and the exit code is 1', async () => {
    const [first, second] = await convertFixture('grype', 'two-matches.json');
    const broken = [
      first,
      { ...second, Title: undefined, Severity: { Label: 'SEVERE' } },
      { ...first, Description: 'token=ghp_notARealTokenButLooksLikeOne' },
    ];
    const result = await validate(JSON.stringify({ Findings: broken }));
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n').filter(Boolean)).toEqual([
      'asff: <stdin>: finding 2: Title is required',
      expect.stringMatching(/^asff: <stdin>: finding 2: Severity\.Label must be /),
      'asff: <stdin>: finding 3: Id repeats an earlier finding\'s Id (BatchImportFindings keeps only one)',
    ]);
    expect(result.stdout).toBe('<stdin>: 3 findings, 1 valid, 2 invalid\n');
    // Values are never echoed: a finding may carry what a scanner saw.
    expect(result.stderr).not.toMatch(/ghp_|SEVERE/);
  });

  test('a file with many problems prints the first twenty and counts the rest', async () => {
    const [first] = await convertFixture('grype', 'two-matches.json');
    const many = Array.from({ length: 30 }, (_, i) => ({ ...first, Id: `${first.Id}-${i}`, Title: undefined }));
    const result = await validate(JSON.stringify({ Findings: many }));
    expect(result.stderr.trim().split('\n')).toHaveLength(21);
    expect(result.stderr).toMatch(/… and 10 more problems\n$/);
  });

  test('a file that is not findings is one line naming it, with no content', async () => {
    await expect(validate('{"Findings":[{"Id":"a"},')).rejects.toThrow(ReportError);
    await expect(validate('not json at all, password=hunter2'))
      .rejects.toThrow(/^<stdin>: line 1: not JSON \(expected \{"Findings":\[\.\.\.\]\} or one finding per line\)$/);
  });
});
