import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { run } from '../../src/cli/main';
import { SCOPE_PRODUCT_FIELD } from '../../src/importer/scope';
import { sarifReport } from '../lambda/s3-fixture';
import { FakeSecurityHub } from '../support/fake-security-hub';
import { ACCOUNT, PRODUCT_ARN, sampleFinding, sampleFindings } from '../support/fake-security-hub/sample-findings';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/**
 * The command is driven like a pipeline drives it: standard SDK credential
 * and endpoint resolution from the environment, AWS_ENDPOINT_URL_SECURITYHUB
 * pointing at the local endpoint.
 */
describe('asff import', () => {
  let fake: FakeSecurityHub;
  const saved = { ...process.env };
  const dir = mkdtempSync(join(tmpdir(), 'import-'));
  beforeEach(async () => {
    fake = await FakeSecurityHub.start();
    process.env.AWS_ENDPOINT_URL_SECURITYHUB = fake.endpoint;
    process.env.AWS_ACCESS_KEY_ID = 'AKIAFAKEFAKEFAKEFAKE';
    process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret-for-local-endpoint';
    delete process.env.AWS_PROFILE;
  });
  afterEach(async () => {
    process.env = { ...saved };
    process.exitCode = 0;
    await fake.close();
  });

  async function asff(args: string[], stdinText?: string) {
    const stdout = capture();
    const stderr = capture();
    const stdin = new PassThrough();
    if (stdinText !== undefined) stdin.end(stdinText);
    const code = await run(args, { stdout: stdout.stream, stderr: stderr.stream, stdin });
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  }

  const file = (name: string, findings: object[]) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify({ Findings: findings }));
    return path;
  };

  test('imports a findings file and prints exactly one JSON summary line', async () => {
    const result = await asff([
      'import', '--input', file('a.json', sampleFindings(150)), '--region', 'us-east-1', '--scope', 'shop@main#build/grype',
    ]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines[0]);
    expect(Object.keys(summary)).toEqual(['imported', 'failed', 'archived', 'requests', 'throttled', 'retried', 'seconds']);
    // 2 imports and 1 GetFindings page: the scope's stored findings, read once so that their age is kept.
    expect(summary).toMatchObject({ imported: 150, failed: 0, archived: 0, requests: 3 });
    expect(fake.store.get(PRODUCT_ARN, 'f-0')!.ProductFields[SCOPE_PRODUCT_FIELD]).toBe('shop@main#build/grype');
    // Not a terminal: no progress bar.
    expect(result.stderr).toBe('');
  });

  test('reads NDJSON from standard input and archives what disappeared', async () => {
    await asff(['import', '--input', file('b.json', sampleFindings(3)), '--region', 'us-east-1', '--scope', 's']);
    const ndjson = sampleFindings(2).map((f) => JSON.stringify(f)).join('\n');
    const result = await asff(['import', '--input', '-', '--region', 'us-east-1', '--scope', 's', '--archive-missing'], ndjson);
    expect(JSON.parse(result.stdout)).toMatchObject({ imported: 2, archived: 1 });
    expect(fake.store.get(PRODUCT_ARN, 'f-2')!.RecordState).toBe('ARCHIVED');
  });

  test('writes refused findings to the dead-letter file and exits 1', async () => {
    const deadLetter = join(dir, 'dead.ndjson');
    const result = await asff([
      'import', '--input', file('c.json', [sampleFinding('ok'), sampleFinding('bad', { Title: '' })]), '--region', 'us-east-1',
      '--dead-letter', deadLetter,
    ]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ imported: 1, failed: 1 });
    expect(result.stderr).toContain(`1 finding(s) could not be imported; see ${deadLetter}`);
    const entries = readFileSync(deadLetter, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(entries).toEqual([expect.objectContaining({ errorCode: 'InvalidInput', finding: expect.objectContaining({ Id: 'bad' }) })]);
  });

  test('applies the policy\'s suppressions after the import', async () => {
    const policy = join(dir, 'policy.yml');
    writeFileSync(policy, 'version: 1\ndefault: HIGH\nsuppressions:\n  - id: f-1\n    reason: accepted\n    expires: 2999-01-01\n');
    await asff([
      'import', '--input', file('d.json', sampleFindings(2)), '--region', 'us-east-1', '--scope', 's', '--policy', policy, '--stage', 'build',
    ]);
    expect(fake.store.get(PRODUCT_ARN, 'f-1')!.Workflow.Status).toBe('SUPPRESSED');
    expect(fake.store.get(PRODUCT_ARN, 'f-0')!.Workflow.Status).toBe('NEW');
  });

  test('imports what asff convert wrote, archives what the next scan no longer reports, and gates on it', async () => {
    const scan = async (name: string, results: number) => {
      const report = join(dir, `${name}.sarif`);
      const converted = join(dir, `${name}.asff.json`);
      writeFileSync(report, sarifReport(results));
      const convert = await asff([
        'convert', '--tool', 'sarif', '--input', report, '--output', converted, '--account', ACCOUNT, '--region', 'us-east-1', '--repository', 'shop',
        '--branch', 'main',
      ]);
      expect(convert.code).toBe(0);
      return converted;
    };
    const first = await asff([
      'import', '--input', await scan('first', 3), '--region', 'us-east-1', '--scope', 'shop@main#build/sarif', '--archive-missing',
    ]);
    expect(JSON.parse(first.stdout)).toMatchObject({ imported: 3, archived: 0 });
    const secondFile = await scan('second', 2);
    const second = await asff(['import', '--input', secondFile, '--region', 'us-east-1', '--scope', 'shop@main#build/sarif', '--archive-missing']);
    expect(JSON.parse(second.stdout)).toMatchObject({ imported: 2, archived: 1 });
    expect(fake.store.stats.created).toBe(3);
    const policy = join(dir, 'gate-policy.yml');
    writeFileSync(policy, 'version: 1\nstages:\n  build: HIGH\n');
    const gate = await asff(['gate', '--input', secondFile, '--policy', policy, '--stage', 'build']);
    expect(gate.code).toBe(1);
    expect(gate.stdout).toContain('FAILED (2 blocking)');
  });

  test.each([
    [['import', '--input', 'x.json', '--region', 'us-east-1', '--archive-missing'], /--archive-missing needs --scope/],
    [['import', '--input', 'x.json'], /missing required option '--region'/],
  ])('refuses inconsistent options with exit 2: %j', async (args, message) => {
    const result = await asff(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  test('a malformed input exits 2 naming the file and archives nothing', async () => {
    await asff(['import', '--input', file('e.json', sampleFindings(2)), '--region', 'us-east-1', '--scope', 's']);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"Findings":[{"Id":"x"');
    const result = await asff(['import', '--input', broken, '--region', 'us-east-1', '--scope', 's', '--archive-missing']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^asff: ${broken}: `));
    expect(fake.store.all().every((f) => f.RecordState === 'ACTIVE')).toBe(true);
    expect(existsSync('asff-import.dead-letter.ndjson')).toBe(false);
  });
});
