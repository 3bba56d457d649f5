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
    const ndjson = [sampleFinding('h', { Severity: { Label: 'HIGH' } }), sampleFinding('l', { Severity: { Label: 'LOW' } })]
      .map((f) => JSON.stringify(f))
      .join('\n');
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
    [
      'a stage the policy does not know',
      () => ['--input', write('y.json', []), '--policy', policy, '--stage', 'prod'],
      /policy.yml: stage 'prod' has no threshold/,
    ],
    ['a missing option', () => ['--input', write('z.json', [])], /missing required option '--policy'/],
  ])('exits 2 with one line on stderr for %s', async (_, args, message) => {
    const result = await gate(args(dir));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('asff gate with the factory\'s policy and the repository\'s', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gate-owned-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const factory = file('factory.yml', 'version: 1\nstages:\n  secrets: LOW\ndefault: HIGH\n');
  const threeHigh = file(
    'three-high.json',
    JSON.stringify({ Findings: ['a', 'b', 'c'].map((id) => sampleFinding(id, { GeneratorId: 'git-secrets/aws-access-key' })) }),
  );
  const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
  afterAll(() => {
    process.exitCode = 0;
  });

  test('a repository policy with `secrets: NONE` does not pass a build with 3 HIGH findings', async () => {
    const repository = file('loose.yml', 'version: 1\nstages:\n  secrets: NONE\n');
    const result = await gate(['--input', threeHigh, '--policy', factory, '--repository-policy', repository, '--stage', 'secrets']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('asff gate: stage secrets, threshold LOW: FAILED (3 blocking)');
  });

  test('a repository suppression expiring 9999-12-31 does not count, and the summary says why', async () => {
    const repository = file(
      'forever.yml',
      'version: 1\nstages:\n  secrets: LOW\nsuppressions:\n  - rule: aws-access-key\n    reason: test keys\n    expires: 9999-12-31\n',
    );
    const result = await gate(['--input', threeHigh, '--policy', factory, '--repository-policy', repository, '--stage', 'secrets']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `${repository}:5: suppression of aws-access-key rejected: expires 9999-12-31, later than the factory's maximum of 90 days (${inDays(90)})`,
    );
  });

  test('a repository suppression within the factory\'s maximum counts and is listed as accepted', async () => {
    const repository = file(
      'short.yml',
      `version: 1\nstages:\n  secrets: LOW\nsuppressions:\n  - rule: aws-access-key\n    reason: rotated test keys\n    expires: ${inDays(30)}\n`,
    );
    const result = await gate(['--input', threeHigh, '--policy', factory, '--repository-policy', repository, '--stage', 'secrets']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${repository}:5: suppression of aws-access-key accepted until ${inDays(30)} (rotated test keys)`);
  });

  test('a repository may tighten a threshold', async () => {
    const medium = file('medium.json', JSON.stringify({ Findings: [sampleFinding('m', { Severity: { Label: 'MEDIUM' } })] }));
    const strict = file('strict.yml', 'version: 1\nstages:\n  build: MEDIUM\n');
    expect((await gate(['--input', medium, '--policy', factory, '--stage', 'build'])).code).toBe(0);
    const result = await gate(['--input', medium, '--policy', factory, '--repository-policy', strict, '--stage', 'build']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`note: ${strict} tightens stage build to MEDIUM`);
  });

  test('a factory policy may refuse every repository suppression', async () => {
    const closed = file('closed.yml', 'version: 1\nstages:\n  secrets: LOW\nrepository:\n  suppressions: false\n');
    const repository = file(
      'asks.yml',
      `version: 1\nstages:\n  secrets: LOW\nsuppressions:\n  - rule: aws-access-key\n    reason: test keys\n    expires: ${inDays(1)}\n`,
    );
    const result = await gate(['--input', threeHigh, '--policy', closed, '--repository-policy', repository, '--stage', 'secrets']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('rejected: the factory policy accepts no suppressions from the repository');
  });
});
