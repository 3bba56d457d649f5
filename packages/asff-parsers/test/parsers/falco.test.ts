import fc from 'fast-check';
import { validateFinding } from '../../src/asff/validate';
import { convert } from '../../src/convert';
import { detectParser } from '../../src/parsers/detect';
import { credentialsIn, falcoParser } from '../../src/parsers/falco';
import { PARSERS } from '../../src/parsers/registry';
import { memorySource } from '../../src/streams/report-source';
import { collect, convertFixture, fixtureText, SCAN } from '../support/convert-helpers';
import { LINEAR_RATIO_LIMIT, measureGrowth } from '../support/growth';

describe('falco parser', () => {
  test('one finding per rule per workload, repeated alerts counted with first and last time', async () => {
    const findings = await convertFixture('falco', 'alerts.ndjson');
    expect(findings.map((f) => f.Title)).toEqual([
      'Read sensitive file untrusted in pod shop/web-6d4f9-abcde',
      'Terminal shell in container in pod shop/web-6d4f9-abcde',
      'Detect outbound connections to common miner pool ports in host ip-10-0-2-45.eu-west-1.compute.internal',
      'Debugfs Launched in Privileged Container in container 9f8e7d6c5b4a (docker.io/library/debian) on ip-10-0-2-45.eu-west-1.compute.internal',
    ]);
    const [sensitive] = findings;
    expect(sensitive.ProductFields).toMatchObject({ 'Alerts': '2', 'Source': 'syscall', 'field/fd.name': '/etc/shadow' });
    expect(sensitive.FirstObservedAt).toBe('2026-11-20T12:03:11.123Z');
    expect(sensitive.LastObservedAt).toBe('2026-11-20T12:05:40.000Z');
    // Both distinct outputs are quoted, without their per-alert timestamps.
    expect(sensitive.Description).toContain('- Warning Sensitive file opened for reading by non-trusted program (user=root command=cat /etc/shadow');
    expect(sensitive.Description).toContain('command=head /etc/sudoers');
    expect(new Set(findings.map((f) => f.Id)).size).toBe(4);
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('TTPs from the MITRE tactic tags, Unusual Behaviors by workload kind', async () => {
    const findings = await convertFixture('falco', 'alerts.ndjson');
    expect(findings.map((f) => f.Types)).toEqual([
      ['TTPs/Credential Access/T1555', 'Unusual Behaviors/Container/Read sensitive file untrusted'],
      ['TTPs/Execution/T1059', 'Unusual Behaviors/Container/Terminal shell in container'],
      ['Unusual Behaviors/Process/Detect outbound connections to common miner pool ports'],
      ['TTPs/Privilege Escalation/T1611', 'Unusual Behaviors/Container/Debugfs Launched in Privileged Container'],
    ]);
  });

  test('priorities map to severities whatever their case', async () => {
    const findings = await convertFixture('falco', 'alerts.ndjson');
    expect(findings.map((f) => f.Severity)).toEqual([
      { Label: 'MEDIUM', Original: 'Warning' },
      { Label: 'LOW', Original: 'Notice' },
      { Label: 'CRITICAL', Original: 'Critical' },
      { Label: 'HIGH', Original: 'error' },
    ]);
  });

  test('names the pod and the container it ran in', async () => {
    const [sensitive] = await convertFixture('falco', 'alerts.ndjson');
    expect(sensitive.Resources).toEqual([
      expect.objectContaining({ Type: 'Other', Id: 'k8s://shop/Pod/web-6d4f9-abcde' }),
      expect.objectContaining({
        Type: 'Container',
        Id: '3ad7b26ded6d',
        Details: { Container: { ImageName: 'registry.example.com/shop/web:1.4.2' } },
      }),
    ]);
  });

  test('a JSON array of alerts, including Kubernetes audit events', async () => {
    const findings = await convertFixture('falco', 'alerts-array.json');
    expect(findings.map((f) => `${f.Title} ${f.Severity!.Label}`)).toEqual([
      'Unexpected K8s NodePort Connection in pod payments/gateway-0 CRITICAL',
      'K8s Serviceaccount Created in the Kubernetes API (user system:admin, namespace payments) INFORMATIONAL',
    ]);
    expect(findings[1].Types).toEqual(['Unusual Behaviors/User/K8s Serviceaccount Created']);
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('CloudWatch Logs filter-log-events output, raw and Fluent Bit wrapped messages', async () => {
    const findings = await convertFixture('falco', 'cloudwatch-filter-log-events.json');
    expect(findings.map((f) => f.GeneratorId)).toEqual(['falco/Read sensitive file untrusted', 'falco/Packet socket created in container']);
    expect(findings[1].Types).toEqual(['TTPs/Discovery/T1046', 'Unusual Behaviors/Container/Packet socket created in container']);
  });

  test('the same rule on the same pod keeps its Id in the next export', async () => {
    const first = await convertFixture('falco', 'alerts.ndjson');
    const next = await convertFixture('falco', 'cloudwatch-filter-log-events.json', { context: { buildId: 'build:2' } });
    expect(next[0].Id).toBe(first[0].Id);
  });

  test('a host event with unresolved (<NA>) Kubernetes and container fields is filed under the host', async () => {
    const alert = {
      hostname: 'node-1',
      output: '09:00:00.000000000: Warning Shell history deleted',
      priority: 'Warning',
      rule: 'Delete or rename shell history',
      source: 'syscall',
      tags: ['mitre_defense_evasion', 'T1070'],
      time: '2026-11-21T09:00:00.000000000Z',
      output_fields: {
        'container.id': 'host', 'container.image.repository': '<NA>', 'k8s.ns.name': '<NA>', 'k8s.pod.name': '<NA>', 'proc.name': 'rm',
      },
    };
    const [finding] = await collect(convert({ tool: 'falco', input: memorySource(JSON.stringify(alert)), context: SCAN }));
    expect(finding.Title).toBe('Delete or rename shell history in host node-1');
    expect(finding.Resources).toEqual([expect.objectContaining({ Type: 'Other', Id: 'host:node-1' })]);
    expect(finding.Types).toEqual(['TTPs/Defense Evasion/T1070', 'Unusual Behaviors/Process/Delete or rename shell history']);
    expect(finding.ProductFields!['field/k8s.pod.name']).toBeUndefined();
    expect(finding.ProductFields!['field/proc.name']).toBe('rm');
  });

  test('a captured pod log: Falco\'s own text lines are skipped, a log without any alert is refused', async () => {
    const alert = fixtureText('falco', 'alerts.ndjson').split('\n')[0];
    const log = `Thu Nov 20 12:00:00 2026: Falco version: 0.39.0\nThu Nov 20 12:00:00 2026: Starting health webserver\n${alert}\n`;
    await expect(collect(convert({ tool: 'falco', input: memorySource(log), context: SCAN }))).resolves.toHaveLength(1);
    expect(detectParser({ text: log, complete: true }, PARSERS).id).toBe('falco');
    await expect(
      collect(convert({ tool: 'falco', input: memorySource('Falco version: 0.39.0\nno alerts\n'), context: SCAN, fileName: 'pod.log' })),
    ).rejects.toThrow('pod.log: not a Falco alert log: no JSON alert in it');
  });

  test('credentials in command lines never reach a finding', async () => {
    const alert = {
      output: '10:00:00.000000000: Notice Database client run (command=mysql --password=FixtureFalcoPassw0rd -h db)',
      priority: 'Notice',
      rule: 'DB client in container',
      source: 'syscall',
      time: '2026-11-21T10:00:00.000000000Z',
      output_fields: {
        'container.id': 'abcdef123456',
        'proc.cmdline': 'mysql --password=FixtureFalcoPassw0rd -h db',
        'proc.env': 'API_TOKEN=FixtureFalcoToken99 HOME=/root',
      },
    };
    const findings = await collect(convert({ tool: 'falco', input: memorySource(JSON.stringify(alert)), context: SCAN }));
    const text = JSON.stringify(findings);
    expect(text).not.toContain('FixtureFalcoPassw0rd');
    expect(text).not.toContain('FixtureFalcoToken99');
    expect(findings[0].ProductFields!['field/proc.cmdline']).toMatch(/^mysql --password=\[REDACTED sha256:[0-9a-f]{12}\] -h db$/);
  });

  test('auto-detection picks falco for every input form', () => {
    for (const name of ['alerts.ndjson', 'alerts-array.json', 'cloudwatch-filter-log-events.json']) {
      expect(detectParser({ text: fixtureText('falco', name), complete: true }, PARSERS).id).toBe('falco');
    }
    expect(falcoParser.detect({ text: '{"events": []}', complete: true })).toBeUndefined();
  });

  test('refuses a line that is not an alert, naming the line', async () => {
    const input = `${fixtureText('falco', 'alerts.ndjson').split('\n')[0]}\n{"hello": "world"}\n`;
    await expect(collect(convert({ tool: 'falco', input: memorySource(input), context: SCAN, fileName: 'falco.log' })))
      .rejects.toThrow('falco.log: not a Falco alert at line 2: expected rule, priority and output');
    await expect(
      collect(convert({ tool: 'falco', input: memorySource('{"rule": "x", "output": "y"\n'), context: SCAN, fileName: 'cut.log' })),
    ).rejects.toThrow('cut.log: line 1 is not a JSON Falco alert');
  });

  test('a line that is not JSON is named by its line and column, never quoted', async () => {
    const input = '{"rule": "x", "output": AKIAQ3EGEXAMPLEKEY12}\n';
    const error = (await collect(convert({ tool: 'falco', input: memorySource(input), context: SCAN, fileName: 'falco.log' })).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error.message).toBe('falco.log: line 1 is not a JSON Falco alert: invalid JSON at byte 24 of the line: expected a value');
  });

  describe('adversarial input', () => {
    test('credentials are found as the regex they replace found them', () => {
      const regex = /(?:^|[\s"'(])-{0,2}[\w.-]*(?:password|passwd|pwd|token|secret|api[_-]?key|access[_-]?key)[\w.-]*[=:]\s*([^\s"')]+)/gi;
      const piece = fc.constantFrom('token', 'PWD', 'api-key', 'x', '-', '.', '=', ':', ' ', '\n', '"', "'", '(', ')', 'ab', '12345', '\u00a0');
      fc.assert(
        fc.property(fc.array(piece, { maxLength: 16 }), (pieces) => {
          const text = pieces.join('');
          const expected = [...text.matchAll(regex)].map((m) => m[1]).filter((v) => v.length >= 4);
          expect(credentialsIn([text])).toEqual(expected);
        }),
        { numRuns: 20_000 },
      );
    });

    // Detection runs on the first 64 KB of every report given with --tool auto:
    // `\n\s*\{` rescanned a run of newlines at each one (64 KB: 10 s).
    test('detection takes time linear in a head full of newlines', async () => {
      const head = (n: number) => `"rule" "priority" "output" "output_fields"${'\n'.repeat(n)}`;
      const growth = await measureGrowth((n) => falcoParser.detect({ text: head(n), complete: false }), 2_000);
      expect(growth.ratio).toBeLessThan(LINEAR_RATIO_LIMIT);
    });

    // Credentials are looked for in every output and field: a long word full of
    // keywords made `[\w.-]*password[\w.-]*[=:]` backtrack over the word at each keyword.
    test('looking for credentials takes time linear in an output of one long word of keywords', async () => {
      const alert = (n: number) => JSON.stringify({
        output: 'token'.repeat(n / 5), priority: 'Warning', rule: 'r', time: '2026-11-21T09:00:00Z', output_fields: { 'proc.name': 'x' },
      });
      const growth = await measureGrowth((n) => collect(convert({ tool: 'falco', input: memorySource(alert(n)), context: SCAN })), 4_000);
      expect(growth.ratio).toBeLessThan(LINEAR_RATIO_LIMIT);
    });
  });
});
