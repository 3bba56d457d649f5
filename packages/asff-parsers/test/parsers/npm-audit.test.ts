import { validateFinding } from '../../src/asff/validate';
import { convert } from '../../src/convert';
import { ReportError } from '../../src/errors';
import { detectParser } from '../../src/parsers/detect';
import { npmAuditParser } from '../../src/parsers/npm-audit';
import { PARSERS } from '../../src/parsers/registry';
import { memorySource } from '../../src/streams/report-source';
import { collect, convertFixture, fixtureText, SCAN } from '../support/convert-helpers';

describe('npm-audit parser', () => {
  test('npm 6: one finding per advisory with every installed version and dependency path', async () => {
    const findings = await convertFixture('npm-audit', 'v6.json');
    expect(findings.map((f) => f.Title)).toEqual([
      'Prototype Pollution in lodash 4.17.15, 4.17.19',
      'Command Injection in growl 1.9.2',
      'Regular Expression Denial of Service in tiny-thing 0.2.3',
    ]);
    const [lodash, growl, tiny] = findings;
    expect(lodash.Severity).toEqual({ Label: 'HIGH', Original: 'High' });
    expect(lodash.Description).toContain('- report-kit>chart-lib>lodash');
    expect(lodash.Resources!.map((r) => r.Id)).toEqual(['pkg:npm/lodash@4.17.15', 'pkg:npm/lodash@4.17.19']);
    expect(lodash.Vulnerabilities).toEqual([
      expect.objectContaining({
        Id: 'CVE-2099-5000',
        FixAvailable: 'YES',
        VulnerablePackages: [
          expect.objectContaining({ Version: '4.17.15', FixedInVersion: '>=4.17.21' }),
          expect.objectContaining({ Version: '4.17.19' }),
        ],
      }),
    ]);
    expect(lodash.ProductFields).toMatchObject({ AdvisoryId: '1523', CWE: 'CWE-471' });
    // No CVE: the advisory itself is the vulnerability id.
    expect(growl.Vulnerabilities![0].Id).toBe('npm-advisory-146');
    expect(growl.Types).toEqual(['Software and Configuration Checks/Vulnerabilities/Software Package']);
    expect(growl.ProductFields!.CWE).toBeUndefined();
    // `<0.0.0` is npm's way of saying no version is patched.
    expect(tiny.Vulnerabilities!.map((v) => [v.Id, v.FixAvailable])).toEqual([
      ['CVE-2099-5001', 'NO'],
      ['CVE-2099-5002', 'NO'],
    ]);
    expect(tiny.ProductFields!.CWE).toBe('CWE-400, CWE-1333');
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('npm 7+: one finding per vulnerable package, its advisories as Vulnerabilities', async () => {
    const findings = await convertFixture('npm-audit', 'v7.json');
    expect(findings.map((f) => f.ProductFields!.Package)).toEqual(['debug', 'ms', 'express']);
    const [debug, ms, express] = findings;
    expect(debug.Title).toBe('debug: Regular Expression Denial of Service in debug (+1 more advisories)');
    expect(debug.Severity).toEqual({ Label: 'HIGH', Original: 'high' });
    expect(debug.Vulnerabilities!.map((v) => v.Id)).toEqual(['GHSA-0000-0000-0001', 'GHSA-0000-0000-0002']);
    expect(debug.Vulnerabilities![1].Cvss).toEqual([{ BaseScore: 7.5, BaseVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', Version: '3.1' }]);
    expect(debug.Remediation?.Recommendation?.Text).toBe('Upgrade express to 4.18.3.');
    expect(debug.Description).toContain('node_modules/express/node_modules/debug');
    // A score of 0 is "not scored", not a CVSS of zero.
    expect(ms.Vulnerabilities![0].Cvss).toBeUndefined();
    expect(express.Title).toBe('express is vulnerable through debug');
    expect(express.Vulnerabilities).toBeUndefined();
    expect(express.Remediation?.Recommendation?.Text).toBe('No fix is available for express.');
    expect(new Set(findings.map((f) => f.Id)).size).toBe(3);
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('clean audits of both versions have no findings', async () => {
    await expect(convertFixture('npm-audit', 'v6-clean.json')).resolves.toEqual([]);
    await expect(convertFixture('npm-audit', 'v7-clean.json')).resolves.toEqual([]);
  });

  test('an npm error document is a failed audit, not a clean one', async () => {
    await expect(convertFixture('npm-audit', 'v6-error.json'))
      .rejects.toThrow('v6-error.json: npm audit did not run: ENOLOCK: This command requires an existing lockfile.');
  });

  test('auto-detection picks npm-audit for both versions and for the error document', () => {
    for (const name of ['v6.json', 'v6-clean.json', 'v7.json', 'v7-clean.json', 'v6-error.json']) {
      expect(detectParser({ text: fixtureText('npm-audit', name), complete: true }, PARSERS).id).toBe('npm-audit');
    }
    expect(npmAuditParser.detect({ text: '{"vulnerabilities": {}}', complete: true })).toBeUndefined();
  });

  test('refuses a report without advisories or vulnerabilities', async () => {
    await expect(collect(convert({ tool: 'npm-audit', input: memorySource('{"results": []}'), context: SCAN, fileName: 'x.json' })))
      .rejects.toThrow('x.json: not the expected report');
  });

  test('refuses the reports of look-alike tools, empty ones included', async () => {
    await expect(convertFixture('clair', 'clair-scanner.json', { tool: 'npm-audit' })).rejects.toThrow(ReportError);
    await expect(convertFixture('clair', 'clair-scanner-empty.json', { tool: 'npm-audit' })).rejects.toThrow(ReportError);
    await expect(convertFixture('snyk', 'single-project.json', { tool: 'npm-audit' })).rejects.toThrow(ReportError);
    await expect(convertFixture('anchore', 'vulnerabilities.json', { tool: 'npm-audit' })).rejects.toThrow(ReportError);
  });
});
