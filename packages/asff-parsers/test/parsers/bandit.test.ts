import fc from 'fast-check';
import { validateFinding } from '../../src/asff/validate';
import { convert } from '../../src/convert';
import { ReportError } from '../../src/errors';
import { banditParser, quotedPassword } from '../../src/parsers/bandit';
import { detectParser } from '../../src/parsers/detect';
import { PARSERS } from '../../src/parsers/registry';
import { memorySource } from '../../src/streams/report-source';
import { collect, convertFixture, fixtureText, SCAN } from '../support/convert-helpers';
import { LINEAR_RATIO_LIMIT, measureGrowth } from '../support/growth';

describe('bandit parser', () => {
  test('one finding per test per file, line and column; a verbatim repeat counts once', async () => {
    const findings = await convertFixture('bandit', 'report.json');
    expect(findings.map((f) => f.GeneratorId)).toEqual(['bandit/B101', 'bandit/B608', 'bandit/B501', 'bandit/B501']);
    expect(new Set(findings.map((f) => f.Id)).size).toBe(4);
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('maps severity case-insensitively and keeps confidence, CWE and the documentation link', async () => {
    const [assertUsed, sql, verifyFalse] = await convertFixture('bandit', 'report.json');
    expect(assertUsed.Title)
      .toBe('B101 assert_used: Use of assert detected. The enclosed code will be removed when compiling to optimised byte code.');
    expect(assertUsed.Severity).toEqual({ Label: 'LOW', Original: 'LOW' });
    expect(assertUsed.ProductFields).toMatchObject({ Confidence: 'HIGH', CWE: 'CWE-703', File: 'app/checks.py', Line: '12', Column: '4' });
    expect(assertUsed.Remediation?.Recommendation?.Url).toBe('https://bandit.readthedocs.io/en/latest/plugins/b101_assert_used.html');
    expect(sql.Resources![0].Id).toBe('example-repo/app/db/queries.py:30');
    expect(sql.ProductFields!.LineRange).toBe('30-31');
    expect(verifyFalse.Severity).toEqual({ Label: 'HIGH', Original: 'High' });
    expect(verifyFalse.Types).toEqual(['Software and Configuration Checks/Vulnerabilities/Code']);
  });

  test('never copies the password a B105-B107 finding quotes in its code snippet and issue text', async () => {
    const report = {
      results: [{
        code: "3 DB_PASSWORD = 'FixtureBanditPassword'\n",
        filename: 'settings.py',
        issue_severity: 'LOW',
        issue_confidence: 'MEDIUM',
        issue_text: "Possible hardcoded password: 'FixtureBanditPassword'",
        line_number: 3,
        test_id: 'B105',
        test_name: 'hardcoded_password_string',
      }],
      errors: [],
      metrics: {},
      generated_at: '2026-11-20T09:00:00Z',
    };
    const findings = await collect(convert({ tool: 'bandit', input: memorySource(JSON.stringify(report)), context: SCAN }));
    expect(findings).toHaveLength(1);
    expect(JSON.stringify(findings)).not.toContain('FixtureBanditPassword');
    expect(findings[0].Title).toMatch(/^B105 hardcoded_password_string: Possible hardcoded password: '\[REDACTED sha256:[0-9a-f]{12}\]'$/);
  });

  test('an empty run has no findings; a report without results is refused', async () => {
    await expect(convertFixture('bandit', 'empty.json')).resolves.toEqual([]);
    await expect(collect(convert({ tool: 'bandit', input: memorySource('{"matches":[]}'), context: SCAN, fileName: 'g.json' })))
      .rejects.toThrow('g.json: not a Bandit report: no generated_at');
  });

  test('recognises a large run whose results lie beyond the detection head', () => {
    const metrics = Array.from({ length: 2000 }, (_, i) => `"app/m${i}.py": {"CONFIDENCE.HIGH": 0, "SEVERITY.HIGH": 0, "loc": 10, "nosec": 0}`)
      .join(', ');
    const head = `{"errors": [], "generated_at": "2026-11-20T09:00:00Z", "metrics": {${metrics}`.slice(0, 64 * 1024);
    expect(detectParser({ text: head, complete: false }, PARSERS).id).toBe('bandit');
  });

  test('auto-detection picks bandit, also for an empty run', () => {
    for (const name of ['report.json', 'empty.json']) {
      expect(detectParser({ text: fixtureText('bandit', name), complete: true }, PARSERS).id).toBe('bandit');
    }
    expect(banditParser.detect({ text: '{"results": [], "errors": []}', complete: true })).toBeUndefined();
  });

  test('refuses the reports of look-alike tools, empty ones included', async () => {
    await expect(convertFixture('semgrep', 'cli-empty.json', { tool: 'bandit' })).rejects.toThrow(ReportError);
    await expect(convertFixture('tfsec', 'empty-null.json', { tool: 'bandit' })).rejects.toThrow(ReportError);
  });

  test('the quoted password is the one the regex it replaces captured', () => {
    const regex = /password:\s*'(.+)'\s*$/i;
    const piece = fc.constantFrom('password:', 'Password: ', "'", ' ', '\n', '\u2028', 'x', 'hunter2', '\t');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const text = pieces.join('');
        expect(quotedPassword(text)).toBe(regex.exec(text)?.[1]);
      }),
      { numRuns: 20_000 },
    );
  });

  // issue_text is report-controlled; `password:\s*'(.+)'\s*$` rescanned the
  // rest of the text at every `password: '` when the text did not end in a quote.
  test('time grows linearly with an issue text full of password quotes', async () => {
    const report = (n: number) => JSON.stringify({
      generated_at: '2026-01-01T00:00:00Z',
      results: [{
        filename: 'a.py',
        line_number: 1,
        issue_severity: 'LOW',
        issue_confidence: 'LOW',
        test_id: 'B105',
        test_name: 'hardcoded_password_string',
        issue_text: `${"Possible hardcoded password: '".repeat(n / 30)}x`,
      }],
    });
    const growth = await measureGrowth((n) => collect(convert({ tool: 'bandit', input: memorySource(report(n)), context: SCAN })), 6_000);
    expect(growth.ratio).toBeLessThan(LINEAR_RATIO_LIMIT);
  });
});
