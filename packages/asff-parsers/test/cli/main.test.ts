import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from '../support/convert-helpers';
import { ACCOUNT_ARGS, runCli } from '../support/run-cli';

describe('asff CLI', () => {
  const grype = fixture('grype', 'two-matches.json');

  test('convert writes {"Findings":[...]} by default and exits 0', () => {
    const result = runCli(['convert', '--tool', 'grype', '--input', grype, ...ACCOUNT_ARGS, '--partition', 'aws-us-gov']);
    expect(result.status).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.Findings).toHaveLength(2);
    expect(output.Findings[0].ProductArn).toBe('arn:aws-us-gov:securityhub:eu-west-1:123456789012:product/123456789012/default');
    expect(result.stderr).toBe('');
  });

  test('convert --format ndjson writes one finding per line', () => {
    const result = runCli(['convert', '--tool=auto', `--input=${grype}`, ...ACCOUNT_ARGS, '--format', 'ndjson']);
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).GeneratorId)).toEqual(['grype/CVE-2023-1000', 'grype/GHSA-abcd-efgh-ijkl']);
  });

  test('convert reads standard input and writes to --output', () => {
    const dir = mkdtempSync(join(tmpdir(), 'asff-cli-'));
    try {
      const out = join(dir, 'findings.json');
      const result = runCli(['convert', '--tool', 'auto', '--input', '-', ...ACCOUNT_ARGS, '--output', out], readFileSync(grype));
      expect(result.status).toBe(0);
      expect(result.stdout).toBe('');
      expect(JSON.parse(readFileSync(out, 'utf8')).Findings).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an empty report list is still a valid BatchImportFindings body', () => {
    const result = runCli(['convert', '--tool', 'grype', '--input', '-', ...ACCOUNT_ARGS], '{"matches":[]}');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ Findings: [] });
  });

  test.each([
    ['a missing file', ['convert', '--tool', 'grype', '--input', 'missing.json', ...ACCOUNT_ARGS], /^asff: missing\.json: no such file\n$/],
    ['an unrecognised report', ['convert', '--tool', 'auto', '--input', '-', ...ACCOUNT_ARGS], /^asff: <stdin>: unrecognised report/],
    ['an unknown flag', ['convert', '--tool', 'grype', '--input', grype, ...ACCOUNT_ARGS, '--colour'], /^asff: unknown option '--colour'/],
    ['a bad account', ['convert', '--tool', 'grype', '--input', grype, '--account', '1234', '--region', 'eu-west-1'], /--account must be 12 digits/],
    ['a missing required flag', ['convert', '--tool', 'grype', '--input', grype, '--account', '123456789012'], /missing required option '--region'/],
    ['an unknown tool', ['convert', '--tool', 'nmap', '--input', grype, ...ACCOUNT_ARGS], /unknown tool 'nmap'/],
    ['a bad format', ['convert', '--tool', 'grype', '--input', grype, ...ACCOUNT_ARGS, '--format', 'xml'], /--format' must be one of asff, ndjson/],
    ['an unknown command', ['explode'], /unknown command 'explode'/],
  ])('exits 2 with one stderr line and no stack trace on %s', (_name, args, message) => {
    const result = runCli(args, '{"hello":"world"}');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe('');
  });

  test('--debug adds the stack trace', () => {
    const result = runCli(['convert', '--tool', 'grype', '--input', '-', ...ACCOUNT_ARGS, '--debug'], '{"matches":[');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^asff: <stdin>: the JSON document is truncated/);
    expect(result.stderr).toMatch(/\n\s+at /);
  });

  test('a failed conversion leaves no output file behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'asff-cli-'));
    try {
      const out = join(dir, 'findings.json');
      const result = runCli(
        ['convert', '--tool', 'grype', '--input', '-', ...ACCOUNT_ARGS, '--output', out],
        '{"matches":[{"vulnerability":{"id":"CVE-1"}},',
      );
      expect(result.status).toBe(2);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('tools lists every tool id, one per line', () => {
    const result = runCli(['tools']);
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n')).toContain('grype');
  });

  test('--version prints the version of the package and exits 0', () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
    for (const flag of ['--version', '-V', 'version']) {
      const result = runCli([flag]);
      expect({ flag, status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
        flag,
        status: 0,
        stdout: `${version}\n`,
        stderr: '',
      });
    }
  });

  test('--help lists the commands and exits 0', () => {
    const result = runCli(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/convert/);
    expect(result.stdout).toMatch(/conformance/);
  });
});
