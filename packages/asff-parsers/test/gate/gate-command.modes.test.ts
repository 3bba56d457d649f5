import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { run } from '../../src/cli/main';
import { SecurityHubImporter } from '../../src/importer/importer';
import { crossToolFindings } from '../support/cross-tool';
import { FakeSecurityHub } from '../support/fake-security-hub';
import { ACCOUNT, REGION } from '../support/fake-security-hub/sample-findings';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function gate(args: string[]) {
  const stdout = capture();
  const stderr = capture();
  const code = await run(['gate', ...args], { stdout: stdout.stream, stderr: stderr.stream, stdin: new PassThrough() });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

const DAY = 86_400_000;
const IMAGE = 'registry.example.com/shop/api@sha256:4444444444444444444444444444444444444444444444444444444444444444';

describe('asff gate in new and sla mode, across tools', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gate-modes-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const findingsFile = (name: string, findings: AwsSecurityFinding[]) => file(name, JSON.stringify({ Findings: findings }));
  const context = (branch: string) => ({ account: ACCOUNT, region: REGION, repository: 'shop', branch, image: IMAGE });
  let mainGrype: AwsSecurityFinding[];
  let featureGrype: AwsSecurityFinding[];
  let featureTrivy: AwsSecurityFinding[];
  beforeAll(async () => {
    mainGrype = await crossToolFindings('grype', context('main'));
    featureGrype = await crossToolFindings('grype', context('feature/x'));
    featureTrivy = await crossToolFindings('trivy', context('feature/x'));
  });
  afterAll(() => {
    process.exitCode = 0;
  });
  const policy = (mode: string) =>
    file(`${mode}.yml`, `version: 1\nstages:\n  image: MEDIUM\ngate:\n  mode: ${mode}\n  sla:\n    HIGH: 30d\n    MEDIUM: 90d\n`);
  const observedDaysAgo = (days: number) => mainGrype.map((f) => ({ ...f, FirstObservedAt: new Date(Date.now() - days * DAY).toISOString() }));

  test('new: a feature branch with only the default branch\'s findings passes, and fails once one passes its SLA', async () => {
    const input = findingsFile('feature.json', featureGrype);
    expect(featureGrype[0].Id).not.toBe(mainGrype[0].Id);
    const recent = await gate([
      '--input', input, '--policy', policy('new'), '--stage', 'image', '--baseline', findingsFile('main-recent.json', observedDaysAgo(3)),
    ]);
    expect(recent.code).toBe(0);
    expect(recent.stdout).toContain('asff gate: stage image, threshold MEDIUM, mode new: PASSED');
    expect(recent.stdout).toContain('new 0  existing within SLA 2  overdue 0  (baseline: 2 findings)');

    const old = await gate([
      '--input', input, '--policy', policy('new'), '--stage', 'image', '--baseline', findingsFile('main-old.json', observedDaysAgo(40)),
    ]);
    expect(old.code).toBe(1);
    expect(old.stdout).toContain('FAILED (1 blocking)');
    expect(old.stdout).toContain('new 0  existing within SLA 1  overdue 1');
    expect(old.stdout).toMatch(/✗ HIGH .*overdue: since \d{4}-\d{2}-\d{2} \(SLA 30d\)/);
  });

  test('the reports separate new, existing within SLA and overdue findings', async () => {
    const junit = join(dir, 'junit.xml');
    const markdown = join(dir, 'summary.md');
    const sarif = join(dir, 'gate.sarif');
    const baseline = findingsFile('main-one-old.json', [observedDaysAgo(40)[0]]);
    const result = await gate([
      '--input', findingsFile('f.json', featureGrype), '--policy', policy('new'), '--stage', 'image', '--baseline', baseline, '--junit', junit,
      '--markdown', markdown, '--sarif', sarif,
    ]);
    expect(result.stdout).toContain('new 1  existing within SLA 0  overdue 1');
    expect(readFileSync(markdown, 'utf8')).toContain('| 1 | 0 | 1 | 1 |');
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('<property name="overdue" value="1"/>');
    expect(xml).toMatch(/classname="image\.overdue\.[^"]+"[^>]*><failure message="HIGH GHSA-wxyz-0000-1111 \(overdue: since /);
    expect(xml).toMatch(/classname="image\.new\.CVE-2099-3001"[^>]*><failure[^>]*>[^<]*new: not on the default branch/);
    const run0 = JSON.parse(readFileSync(sarif, 'utf8')).runs[0];
    expect(run0.properties).toMatchObject({ mode: 'new', new: 1, existingWithinSla: 0, overdue: 1, baseline: 1 });
    expect(run0.results.map((r: any) => r.baselineState).sort()).toEqual(['new', 'unchanged']);
  });

  test('new without a baseline is refused, in one line', async () => {
    const result = await gate(['--input', findingsFile('g.json', featureGrype), '--policy', policy('new'), '--stage', 'image']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/new.yml: stage 'image' gates in mode new, which needs a baseline/);
  });

  test('a repository policy cannot switch the factory\'s all mode to new', async () => {
    const factory = file('factory.yml', 'version: 1\nstages:\n  image: MEDIUM\n');
    const repository = file('repo.yml', 'version: 1\nstages:\n  image: MEDIUM\ngate:\n  mode: new\n');
    const baseline = findingsFile('main-now.json', observedDaysAgo(1));
    const result = await gate([
      '--input', findingsFile('h.json', featureGrype), '--policy', factory, '--repository-policy', repository, '--stage', 'image',
      '--baseline', baseline,
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('asff gate: stage image, threshold MEDIUM: FAILED (2 blocking)');
  });

  test('two tools\' reports about the same CVE and package gate it once', async () => {
    const result = await gate([
      '--input', findingsFile('grype.json', featureGrype), '--input', findingsFile('trivy.json', featureTrivy), '--policy', policy('all'),
      '--stage', 'image',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAILED (2 blocking)');
    expect(result.stdout).toContain('CRITICAL 1  HIGH 0  MEDIUM 1');
    expect(result.stdout).toContain('1 finding(s) of another tool about the same vulnerability counted once');
  });

  test('--baseline-scope needs --region, and --region needs --baseline-scope', async () => {
    const args = ['--input', findingsFile('i.json', []), '--policy', policy('all'), '--stage', 'image'];
    expect((await gate([...args, '--baseline-scope', 's'])).stderr).toBe('asff: --baseline-scope needs --region (see asff gate --help)\n');
    expect((await gate([...args, '--region', REGION])).stderr).toBe('asff: --region only applies with --baseline-scope (see asff gate --help)\n');
  });

  describe('with the baseline read from Security Hub', () => {
    let fake: FakeSecurityHub;
    const saved = { ...process.env };
    beforeAll(async () => {
      fake = await FakeSecurityHub.start();
      process.env.AWS_ENDPOINT_URL_SECURITYHUB = fake.endpoint;
      process.env.AWS_ACCESS_KEY_ID = 'AKIAFAKEFAKEFAKEFAKE';
      process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret-for-local-endpoint';
      delete process.env.AWS_PROFILE;
    });
    afterAll(async () => {
      process.env = { ...saved };
      await fake.close();
    });

    test('the default branch\'s scope in Security Hub is the baseline: its findings are existing, others new', async () => {
      const importer = new SecurityHubImporter({ client: fake.client(), scope: 'shop/main/image/grype' });
      await importer.import(mainGrype.slice(0, 1));
      const args = ['--input', findingsFile('j.json', featureGrype), '--policy', policy('new'), '--stage', 'image', '--region', REGION];
      const result = await gate([...args, '--baseline-scope', 'shop/main/image/grype']);
      expect(result.stdout).toContain('new 1  existing within SLA 1  overdue 0  (baseline: 1 findings)');
      expect(result.code).toBe(1);
      const none = await gate([...args, '--baseline-scope', 'shop/main/image/trivy']);
      expect(none.stdout).toContain('new 2  existing within SLA 0  overdue 0  (baseline: 0 findings)');
    });
  });
});
