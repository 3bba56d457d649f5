import { validateFinding } from '../../src/asff/validate';
import { convert } from '../../src/convert';
import { stackhawkParser } from '../../src/parsers/stackhawk';
import { memorySource } from '../../src/streams/report-source';
import { collect, convertFixture, fixtureText, SCAN } from '../support/convert-helpers';

describe('stackhawk parser', () => {
  test('one finding per plugin per host; a plugin listed twice is merged with the paths of both entries', async () => {
    const findings = await convertFixture('stackhawk', 'scan-completed.json');
    expect(findings.map((f) => `${f.Title} | ${f.Severity!.Label}`)).toEqual([
      'Cross Site Scripting (Reflected) (https://staging.example.com) | HIGH',
      'Content Security Policy (CSP) Header Not Set (https://staging.example.com) | MEDIUM',
      'Cookie Slack Detector (https://staging.example.com) | LOW',
    ]);
    const csp = findings[1];
    expect(csp.Resources!.map((r) => r.Id)).toEqual(['https://staging.example.com/', 'https://staging.example.com/login']);
    expect(csp.ProductFields).toMatchObject({
      PluginId: '10038',
      Paths: '2',
      Application: 'Sample App',
      Environment: 'Staging',
      HawkScanVersion: '3.2.0',
    });
    expect(csp.SourceUrl).toBe('https://app.stackhawk.com/scans/x/finding/10038');
    expect(findings[0].Types).toEqual(['Software and Configuration Checks/Vulnerabilities/Web Application']);
    expect(new Set(findings.map((f) => f.Id)).size).toBe(3);
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('a finding whose every path is triaged is suppressed; one path still open keeps it active', async () => {
    const findings = await convertFixture('stackhawk', 'scan-completed.json');
    expect(findings[2].ProductFields!.Suppressed).toBe('every path triaged as a false positive in StackHawk');
    // The XSS finding has one RISK_ACCEPTED path and one NEW path.
    expect(findings[0].ProductFields!.Suppressed).toBeUndefined();
    expect(findings[0].Resources![1].Details?.Other).toEqual({ method: 'POST', status: 'RISK_ACCEPTED' });
  });

  test('an event without findings has none; an event of another service or without scanCompleted is refused', async () => {
    await expect(convertFixture('stackhawk', 'no-findings.json')).resolves.toEqual([]);
    await expect(collect(convert({ tool: 'stackhawk', input: memorySource('{}'), context: SCAN, fileName: 'h.json' })))
      .rejects.toThrow('h.json: not the expected report');
    const other = JSON.stringify({ service: 'Other', scanCompleted: { findings: [{ pluginId: '1' }] } });
    await expect(collect(convert({ tool: 'stackhawk', input: memorySource(other), context: SCAN, fileName: 'h.json' })))
      .rejects.toThrow("h.json: not a StackHawk report: the event's service is not StackHawk");
  });

  test('recognises a StackHawk event', () => {
    expect(stackhawkParser.detect({ text: fixtureText('stackhawk', 'no-findings.json'), complete: true })).toBe(0.95);
    expect(stackhawkParser.detect({ text: '{"service":"Other"}', complete: true })).toBeUndefined();
  });
});
