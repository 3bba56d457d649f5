import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { NOW } from './gate-fixtures';
import { run } from '../../src/cli/main';
import { convert } from '../../src/convert';
import { evaluateGate } from '../../src/gate/evaluate-gate';
import { junitReport } from '../../src/gate/junit-report';
import { markdownReport } from '../../src/gate/markdown-report';
import { textSummary } from '../../src/gate/text-summary';
import { combinationNotes, combinePolicies } from '../../src/policy/combine-policies';
import { parsePolicy } from '../../src/policy/parse-policy';
import { PolicyError } from '../../src/policy/policy-error';
import { collect, fixture, SCAN } from '../support/convert-helpers';
import { sampleFinding } from '../support/fake-security-hub/sample-findings';

const policy = (gate = '') => parsePolicy(`version: 1\nstages:\n  code: HIGH\n${gate}`, 'factory.yml');
const HONOUR = 'gate:\n  inSourceSuppressions: honour\n';
const IGNORE = 'gate:\n  inSourceSuppressions: ignore\n';

/** A HIGH finding the scanned code switched off itself (`# nosemgrep`), and one a tool's platform suppressed. */
function findings(): AwsSecurityFinding[] {
  const at = (file: string) => [{ Type: 'Other', Id: `shop/${file}`, Details: { Other: { file, line: '5' } } }];
  return [
    sampleFinding('nosem', {
      Severity: { Label: 'HIGH' },
      Title: 'subprocess called with shell=True',
      Resources: at('app/run.py'),
      ProductFields: { RuleId: 'subprocess-shell-true', Suppressed: 'suppressed (inSource)', SuppressionKind: 'inSource' },
    }),
    sampleFinding('triaged', {
      Severity: { Label: 'HIGH' },
      ProductFields: { Suppressed: 'triaged as ignored in Semgrep', SuppressionKind: 'external' },
    }),
  ];
}

describe('gate.inSourceSuppressions', () => {
  test('by default the gate judges a finding the scanned code suppressed itself, and says the tool marked it', async () => {
    const result = await evaluateGate(findings(), { policy: policy(), stage: 'code', now: NOW });
    expect(result).toMatchObject({ passed: false, blocking: 1, suppressed: 1, ignoredInSourceSuppressions: 1 });
    const nosem = result.findings.find((f) => f.id === 'nosem')!;
    expect(nosem).toMatchObject({ status: 'blocking', inSourceSuppression: 'suppressed (inSource)' });
    expect(nosem.suppressedBecause).toBeUndefined();
    // A suppression made outside the scanned content still counts.
    expect(result.findings.find((f) => f.id === 'triaged'))
      .toMatchObject({ status: 'suppressed', suppressedBecause: 'tool: triaged as ignored in Semgrep' });

    const note = 'the tool reports it suppressed in the source (suppressed (inSource)); not honoured: gate.inSourceSuppressions is ignore';
    expect(textSummary(result)).toContain(`  note: nosem: ${note}`);
    expect(textSummary(result)).toContain('  1 finding(s) suppressed in the source by the tool, judged anyway (gate.inSourceSuppressions: ignore)');
    expect(junitReport(result)).toContain(`at app/run.py:5\n${note}</failure>`);
    const markdown = markdownReport(result);
    expect(markdown).toContain('### Suppressed in the source, not honoured');
    expect(markdown).toContain('- HIGH subprocess called with shell=True at `app/run.py:5` (`subprocess-shell-true`): suppressed (inSource)');
  });

  test('`ignore` written out is the default; a finding marked Suppressed without a kind counts as in source', async () => {
    const unknown = sampleFinding('unknown', { Severity: { Label: 'HIGH' }, ProductFields: { Suppressed: 'suppressed by the tool' } });
    const result = await evaluateGate([...findings(), unknown], { policy: policy(IGNORE), stage: 'code', now: NOW });
    expect(result.findings.filter((f) => f.status === 'blocking').map((f) => f.id).sort()).toEqual(['nosem', 'unknown']);
  });

  test('`honour` lets the tool\'s in-source suppression count, as before, and names it in source', async () => {
    const result = await evaluateGate(findings(), { policy: policy(HONOUR), stage: 'code', now: NOW });
    expect(result).toMatchObject({ passed: true, blocking: 0, suppressed: 2, ignoredInSourceSuppressions: 0 });
    expect(result.findings.find((f) => f.id === 'nosem'))
      .toMatchObject({ status: 'suppressed', suppressedBecause: 'tool (in source): suppressed (inSource)' });
    expect(markdownReport(result)).not.toContain('not honoured');
  });

  test('a policy suppression still covers a finding whose in-source suppression is ignored', async () => {
    const accepted = policy('suppressions:\n  - rule: subprocess-shell-true\n    reason: constant input\n    expires: 2027-01-01\n');
    const result = await evaluateGate(findings(), { policy: accepted, stage: 'code', now: NOW });
    expect(result).toMatchObject({ passed: true, ignoredInSourceSuppressions: 0 });
    expect(result.findings.find((f) => f.id === 'nosem')!.suppressedBecause).toBe('policy: constant input (until 2027-01-01)');
  });

  test('only one of honour and ignore, in any case, is a setting', () => {
    expect(policy('gate:\n  inSourceSuppressions: Honour\n').inSourceSuppressions).toBe('honour');
    expect(() => policy('gate:\n  inSourceSuppressions: yes\n')).toThrow(PolicyError);
    expect(() => policy('gate:\n  inSourceSuppressions: yes\n'))
      .toThrow(/^factory\.yml:5: gate\.inSourceSuppressions must be one of ignore, honour$/);
  });
});

describe('a repository policy and gate.inSourceSuppressions', () => {
  const repository = (setting: string) =>
    parsePolicy(`version: 1\nstages:\n  code: HIGH\ngate:\n  inSourceSuppressions: ${setting}\n`, 'security-policy.yml');

  test('cannot make the gate honour in-source suppressions the factory ignores, and is told so', async () => {
    for (const factory of [policy(), policy(IGNORE)]) {
      const combined = combinePolicies(factory, repository('honour'), NOW);
      expect(combined.policy.inSourceSuppressions ?? 'ignore').toBe('ignore');
      const result = await evaluateGate(findings(), { policy: combined.policy, stage: 'code', now: NOW });
      expect(result).toMatchObject({ passed: false, blocking: 1 });
      expect(combinationNotes(combined, 'security-policy.yml')).toEqual([
        '  note: security-policy.yml asks for gate.inSourceSuppressions honour '
          + '(only the factory policy can honour in-source suppressions): not applied',
      ]);
    }
  });

  test('may stop the gate honouring them where the factory does', async () => {
    const combined = combinePolicies(policy(HONOUR), repository('ignore'), NOW);
    expect(combined.policy.inSourceSuppressions).toBe('ignore');
    expect(combinationNotes(combined, 'security-policy.yml')).toEqual(['  note: security-policy.yml tightens gate.inSourceSuppressions to ignore']);
    expect((await evaluateGate(findings(), { policy: combined.policy, stage: 'code', now: NOW })).passed).toBe(false);
    expect(combinePolicies(policy(HONOUR), repository('honour'), NOW).policy.inSourceSuppressions).toBe('honour');
  });
});

describe('asff gate and asff policy on gate.inSourceSuppressions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'in-source-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exitCode = 0;
  });
  async function asff(args: string[]) {
    const stdout = new PassThrough();
    const chunks: Buffer[] = [];
    stdout.on('data', (c) => chunks.push(c));
    const code = await run(args, { stdout, stderr: new PassThrough(), stdin: new PassThrough() });
    return { code, stdout: Buffer.concat(chunks).toString('utf8') };
  }
  const factoryDefault = file('factory.yml', 'version: 1\nstages:\n  code: HIGH\n');
  const factoryHonour = file('factory-honour.yml', `version: 1\nstages:\n  code: HIGH\n${HONOUR}`);
  const repoHonour = file('repo-honour.yml', `version: 1\nstages:\n  code: HIGH\n${HONOUR}`);
  const repoIgnore = file('repo-ignore.yml', `version: 1\nstages:\n  code: HIGH\n${IGNORE}`);

  test('asff policy prints the setting the gate applies: the factory\'s, tightened by the repository\'s', async () => {
    const get = ['--get', 'gate.inSourceSuppressions'];
    expect(await asff(['policy', '--policy', factoryDefault, ...get])).toEqual({ code: 0, stdout: 'ignore\n' });
    expect(await asff(['policy', '--policy', factoryHonour, ...get])).toEqual({ code: 0, stdout: 'honour\n' });
    expect(await asff(['policy', '--policy', factoryDefault, '--repository-policy', repoHonour, ...get])).toEqual({ code: 0, stdout: 'ignore\n' });
    expect(await asff(['policy', '--policy', factoryHonour, '--repository-policy', repoIgnore, ...get])).toEqual({ code: 0, stdout: 'ignore\n' });
    expect(await asff(['policy', '--policy', factoryDefault, '--get', 'gate.mode'])).toEqual({ code: 0, stdout: 'all\n' });
    expect((await asff(['policy', '--policy', factoryDefault, '--get', 'gate.nothing'])).code).toBe(2);
  });

  test('a SARIF result Semgrep marked nosemgrep fails asff gate under the default policy, and passes under honour', async () => {
    const converted = await collect(convert({ tool: 'sarif', input: fixture('sarif', 'suppressions.sarif'), context: SCAN }));
    const input = file('findings.json', JSON.stringify({ Findings: converted }));
    const markdown = join(dir, 'summary.md');
    const gate = ['gate', '--input', input, '--stage', 'code', '--markdown', markdown];
    const strict = await asff([...gate, '--policy', factoryDefault, '--repository-policy', repoHonour]);
    // Lines 5 (inSource, Semgrep's own form), 17 (no kind) and 21 (underReview: not suppressed at all) block.
    expect(strict.stdout).toMatch(/^asff gate: stage code, threshold HIGH: FAILED \(3 blocking\)/);
    expect(strict.stdout).toContain('repo-honour.yml asks for gate.inSourceSuppressions honour');
    expect(strict.code).toBe(1);
    expect(readFileSync(markdown, 'utf8')).toContain('- HIGH subprocess called with shell=True at `app/run.py:5`');
    const lenient = await asff([...gate, '--policy', factoryHonour]);
    expect(lenient.stdout).toMatch(/^asff gate: stage code, threshold HIGH: FAILED \(1 blocking\)/);
  });
});
