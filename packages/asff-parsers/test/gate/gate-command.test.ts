import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { run } from '../../src/cli/main';
import { sampleFinding } from '../support/fake-security-hub/sample-findings';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function gate(args: string[], stdinText = '') {
  const stdout = capture();
  const stderr = capture();
  const stdin = new PassThrough();
  stdin.end(stdinText);
  const code = await run(['gate', ...args], { stdout: stdout.stream, stderr: stderr.stream, stdin });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('asff gate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gate-'));
  const policy = join(dir, 'policy.yml');
  writeFileSync(policy, 'version: 1\nstages:\n  build: HIGH\n');
  const write = (name: string, findings: object[]) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify({ Findings: findings }));
    return path;
  };
  afterAll(() => {
    process.exitCode = 0;
  });

  test('exits 1 on a blocking finding and writes the requested reports', async () => {
    const input = write('bad.json', [sampleFinding('c', { Severity: { Label: 'CRITICAL' } })]);
    const junit = join(dir, 'junit.xml');
    const sarif = join(dir, 'out.sarif');
    const markdown = join(dir, 'summary.md');
    const result = await gate(['--input', input, '--policy', policy, '--stage', 'build', '--junit', junit, '--sarif', sarif, '--markdown', markdown]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAILED (1 blocking)');
    expect(readFileSync(junit, 'utf8')).toContain('<failure');
    expect(JSON.parse(readFileSync(sarif, 'utf8')).version).toBe('2.1.0');
    expect(readFileSync(markdown, 'utf8')).toContain('❌ failed');
  });

  test('exits 0 when nothing meets the threshold', async () => {
    const input = write('ok.json', [sampleFinding('m', { Severity: { Label: 'MEDIUM' } })]);
    const result = await gate(['--input', input, '--policy', policy, '--stage', 'build']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('PASSED');
  });

  test('reads NDJSON from standard input', async () => {
    const ndjson = [sampleFinding('h', { Severity: { Label: 'HIGH' } }), sampleFinding('l', { Severity: { Label: 'LOW' } })].map((f) => JSON.stringify(f)).join('\n');
    const result = await gate(['--input', '-', '--policy', policy, '--stage', 'build'], ndjson);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('HIGH 1  MEDIUM 0  LOW 1');
  });

  test.each([
    ['a missing input file', (d: string) => ['--input', join(d, 'nope.json'), '--policy', policy, '--stage', 'build'], /nope.json: no such file/],
    ['an invalid policy file', (d: string) => {
      const bad = join(d, 'bad-policy.yml');
      writeFileSync(bad, 'version: 1\nstages:\n  build: SEVERE\n');
      return ['--input', write('x.json', []), '--policy', bad, '--stage', 'build'];
    }, /bad-policy.yml:3: stages.build: threshold must be one of/],
    ['a stage the policy does not know', () => ['--input', write('y.json', []), '--policy', policy, '--stage', 'prod'], /policy.yml: stage 'prod' has no threshold/],
    ['a missing option', () => ['--input', write('z.json', [])], /missing required option '--policy'/],
  ])('exits 2 with one line on stderr for %s', async (_, args, message) => {
    const result = await gate(args(dir));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
