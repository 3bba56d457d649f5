import fc from 'fast-check';
import { validateFinding } from '../../src/asff/validate';
import { convert } from '../../src/convert';
import { ReportError } from '../../src/errors';
import { detectParser } from '../../src/parsers/detect';
import { PARSERS } from '../../src/parsers/registry';
import { semgrepParser } from '../../src/parsers/semgrep';
import { memorySource } from '../../src/streams/report-source';
import { collect, convertFixture, fixtureText, SCAN } from '../support/convert-helpers';

describe('semgrep parser', () => {
  test('CLI: one finding per rule per file span, two matches on one line stay two findings', async () => {
    const findings = await convertFixture('semgrep', 'cli.json');
    expect(findings).toHaveLength(5);
    const shell = findings.filter((f) => f.GeneratorId === 'semgrep/python.lang.security.audit.subprocess-shell-true.subprocess-shell-true');
    expect(shell).toHaveLength(2);
    expect(shell[0].Id).not.toBe(shell[1].Id);
    expect(shell[0].Title).toBe("subprocess-shell-true: Found 'subprocess' function 'run' with 'shell=True'.");
    expect(shell[0].Resources![0].Id).toBe('example-repo/src/app/run.py:42');
    expect(shell[0].ProductFields).toMatchObject({
      CWE: expect.stringContaining('CWE-78'),
      OWASP: 'A01:2017 - Injection; A03:2021 - Injection',
      Fingerprint: '0f2a6c1e9d3b4a5f',
    });
    // Semgrep writes "requires login" instead of the fingerprint for anonymous runs: not a fingerprint.
    expect(shell[1].ProductFields!.Fingerprint).toBeUndefined();
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('severities: ERROR HIGH, WARNING MEDIUM, INFO LOW, newer labels as they are', async () => {
    const findings = await convertFixture('semgrep', 'cli.json');
    expect(findings.map((f) => f.Severity)).toEqual([
      { Label: 'HIGH', Original: 'ERROR' },
      { Label: 'HIGH', Original: 'ERROR' },
      { Label: 'MEDIUM', Original: 'WARNING' },
      { Label: 'LOW', Original: 'INFO' },
      { Label: 'CRITICAL', Original: 'critical' },
    ]);
  });

  test('a secrets rule is filed as a secret and its matched value never appears', async () => {
    const findings = await convertFixture('semgrep', 'cli.json');
    const secret = findings.find((f) => f.GeneratorId!.includes('detected-generic-api-key'))!;
    expect(secret.Types).toEqual(['Sensitive Data Identifications/Passwords']);
    expect(JSON.stringify(findings)).not.toContain('FixtureSemgrepSecretDoNotLeak42');
  });

  test('SCA API: one finding per advisory per repository and dependency line, triage kept', async () => {
    const findings = await convertFixture('semgrep', 'sca-api.json');
    expect(findings).toHaveLength(2);
    const [shop, admin] = findings;
    expect(shop.Id).not.toBe(admin.Id);
    expect(shop.Title).toBe('Prototype pollution in minimist (minimist 1.2.5)');
    expect(shop.Severity).toEqual({ Label: 'CRITICAL', Original: 'CRITICAL' });
    expect(shop.Types).toEqual(['Software and Configuration Checks/Vulnerabilities/CVE']);
    expect(shop.Vulnerabilities![0]).toMatchObject({
      Id: 'CVE-2099-4000',
      FixAvailable: 'YES',
      VulnerablePackages: [{ Name: 'minimist', Version: '1.2.5', FixedInVersion: '1.2.6', FilePath: 'package-lock.json', PackageManager: 'npm' }],
    });
    expect(shop.Resources![0].Id).toBe('example/shop/package-lock.json:120');
    expect(admin.ProductFields!.Suppressed).toBe('triaged as ignored in Semgrep (FALSE_POSITIVE)');
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('property: one finding per distinct (rule, path, span), unique Ids', async () => {
    const result = fc.record({
      check_id: fc.constantFrom('r.one', 'r.two'),
      path: fc.constantFrom('a.py', 'b/c.py'),
      start: fc.record({ line: fc.integer({ min: 1, max: 3 }), col: fc.integer({ min: 1, max: 2 }) }),
      end: fc.record({ line: fc.integer({ min: 3, max: 4 }), col: fc.integer({ min: 1, max: 2 }) }),
      extra: fc.record({ message: fc.string(), severity: fc.constantFrom('ERROR', 'warning', 'Info') }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(result, { maxLength: 30 }), async (results) => {
        const findings = await collect(convert({ tool: 'semgrep', input: memorySource(JSON.stringify({ results, errors: [] })), context: SCAN }));
        const distinct = new Set(results.map((r) => JSON.stringify([r.check_id, r.path, r.start, r.end])));
        expect(findings).toHaveLength(distinct.size);
        expect(new Set(findings.map((f) => f.Id)).size).toBe(findings.length);
        for (const f of findings) expect(validateFinding(f)).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });

  test('an empty run has no findings', async () => {
    await expect(convertFixture('semgrep', 'cli-empty.json')).resolves.toEqual([]);
  });

  test('auto-detection picks semgrep for CLI, empty CLI and SCA API reports', () => {
    for (const name of ['cli.json', 'cli-empty.json', 'sca-api.json']) {
      expect(detectParser({ text: fixtureText('semgrep', name), complete: true }, PARSERS).id).toBe('semgrep');
    }
    expect(semgrepParser.detect({ text: '{"results": [], "errors": [], "generated_at": "x", "metrics": {}}', complete: true })).toBeUndefined();
  });

  test('refuses a results entry without a rule id', async () => {
    await expect(collect(convert({
      tool: 'semgrep', input: memorySource('{"results":[{"test_id":"B101"}],"errors":[]}'), context: SCAN, fileName: 'b.json',
    }))).rejects.toThrow('b.json: not a Semgrep report: results[] entries have no check_id');
  });

  test('refuses the reports of look-alike tools, empty ones included', async () => {
    await expect(convertFixture('bandit', 'empty.json', { tool: 'semgrep' })).rejects.toThrow(ReportError);
    await expect(convertFixture('tfsec', 'empty-null.json', { tool: 'semgrep' })).rejects.toThrow(ReportError);
  });
});
