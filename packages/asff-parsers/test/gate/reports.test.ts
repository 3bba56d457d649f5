import { gateFindings, NOW, POLICY } from './gate-fixtures';
import { evaluateGate } from '../../src/gate/evaluate-gate';
import { GateResult } from '../../src/gate/gate-result';
import { junitReport } from '../../src/gate/junit-report';
import { markdownReport } from '../../src/gate/markdown-report';
import { sarifReport } from '../../src/gate/sarif-report';
import { textSummary } from '../../src/gate/text-summary';
import { sampleFinding } from '../support/fake-security-hub/sample-findings';

describe('gate reports', () => {
  let result: GateResult;
  beforeAll(async () => {
    result = await evaluateGate(gateFindings(), { policy: POLICY, stage: 'build', now: NOW });
  });

  test('JUnit: a verdict case plus one case per ACTIVE finding, failed when blocking, skipped when suppressed', () => {
    const xml = junitReport(result);
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>/);
    expect(xml).toContain('<testsuite name="security gate: build" tests="7" failures="3" skipped="3" errors="0">');
    expect(xml.match(/<testcase /g)).toHaveLength(7);
    expect(xml.match(/<failure /g)).toHaveLength(3);
    expect(xml.match(/<skipped /g)).toHaveLength(3);
    expect(xml).toContain('Expired &lt;suppression&gt; &amp; &quot;quotes&quot;');
  });

  test('JUnit of a passing gate has no failure', async () => {
    const passing = await evaluateGate([], { policy: POLICY, stage: 'build', now: NOW });
    expect(junitReport(passing)).not.toContain('<failure');
  });

  test('SARIF 2.1.0: one result per ACTIVE finding, suppressions and locations carried over', () => {
    const sarif = JSON.parse(sarifReport(result));
    expect(sarif.version).toBe('2.1.0');
    const results = sarif.runs[0].results;
    expect(results).toHaveLength(6);
    const byId = Object.fromEntries(results.map((r: any) => [r.partialFingerprints.securityHubFindingId, r]));
    expect(byId.critical).toMatchObject({ level: 'error', ruleId: 'CVE-2024-0001' });
    expect(byId.medium).toMatchObject({
      level: 'warning',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'src/a.ts' }, region: { startLine: 7 } } }],
    });
    expect(byId.suppressed.suppressions).toEqual([{ kind: 'external', justification: 'policy: not reachable (until 2027-01-01)' }]);
    const ruleIds = sarif.runs[0].tool.driver.rules.map((r: any) => r.id);
    for (const r of results) expect(ruleIds).toContain(r.ruleId);
  });

  test('Markdown: verdict, counts by severity and the blocking findings', () => {
    const markdown = markdownReport(result);
    expect(markdown).toMatch(/^## Security gate `build`: ❌ failed \(2 blocking\)/);
    expect(markdown).toContain('| 1 | 1 | 1 | 0 | 0 |');
    expect(markdown).toContain('CVE-2024-0001 in lodash 4.17.0');
    expect(markdown).toContain('### Expired suppressions');
  });

  test('text summary: verdict, counts and the worst findings', () => {
    const text = textSummary(result);
    expect(text.split('\n')[0]).toBe('asff gate: stage build, threshold HIGH: FAILED (2 blocking)');
    expect(text).toContain('CRITICAL 1  HIGH 1  MEDIUM 1  LOW 0  INFORMATIONAL 0  (suppressed 3, archived 1, expired suppressions 1)');
    expect(text).toMatch(/✗ CRITICAL\s+CVE-2024-0001 in lodash 4.17.0/);
    expect(text).toContain('note: suppression of expired-one expired on 2026-01-01 (was accepted)');
  });
});

describe('gate reports over several tools', () => {
  const twoTools = [
    sampleFinding('grype-high', { GeneratorId: 'grype/CVE-2024-1111', Severity: { Label: 'HIGH' }, Title: 'CVE-2024-1111 in zlib' }),
    sampleFinding('hadolint-low', { GeneratorId: 'hadolint/DL3007', Severity: { Label: 'LOW' }, Title: 'Pin the base image' }),
  ];

  test('JUnit groups each finding under its tool', async () => {
    const xml = junitReport(await evaluateGate(twoTools, { policy: POLICY, stage: 'build', now: NOW }));
    expect(xml).toMatch(/<testcase classname="build\.grype\.[^"]*" name="HIGH CVE-2024-1111 in zlib \[grype-high\]"><failure/);
    expect(xml).toMatch(/<testcase classname="build\.hadolint\.[^"]*" name="LOW Pin the base image \[hadolint-low\]">/);
  });

  test('Markdown names the tool of each finding in a column of its own', async () => {
    const markdown = markdownReport(await evaluateGate(twoTools, { policy: POLICY, stage: 'build', now: NOW }));
    expect(markdown).toContain('| | Severity | Tool | Finding | Location |');
    expect(markdown).toContain('| ❌ | HIGH | grype | CVE-2024-1111 in zlib | `repo/src/file-grype-high.ts` |');
    expect(markdown).toContain('| | LOW | hadolint | Pin the base image | `repo/src/file-hadolint-low.ts` |');
  });

  test('one tool\'s findings keep the shorter form', async () => {
    const result = await evaluateGate([twoTools[0]], { policy: POLICY, stage: 'build', now: NOW });
    expect(markdownReport(result)).toContain('| | Severity | Finding | Location |');
    expect(junitReport(result)).toContain('classname="build.grype/CVE-2024-1111"');
  });
});
