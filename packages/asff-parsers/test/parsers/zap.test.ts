import { validateFinding } from '../../src/asff/validate';
import { convertFixture } from '../support/convert-helpers';

describe('zap parser', () => {
  test('traditional JSON: one finding per alert per site, instances as distinct resources', async () => {
    const findings = await convertFixture('zap', 'traditional.json');
    expect(findings).toHaveLength(3);
    const [csp, nosniff, cspHttp] = findings;
    expect(csp.Title).toBe('Content Security Policy (CSP) Header Not Set (https://shop.example.test)');
    expect(csp.Severity).toEqual({ Label: 'MEDIUM', Original: '2' });
    expect(csp.Resources!.map((r) => r.Id)).toEqual(['https://shop.example.test/', 'https://shop.example.test/cart']);
    expect(csp.Description).toContain('It helps to detect & mitigate XSS.');
    expect(csp.Description).not.toContain('<p>');
    expect(csp.Remediation?.Recommendation).toEqual({ Text: 'Configure the web server to return the Content-Security-Policy header.', Url: 'https://developer.mozilla.org/en-US/docs/Web/HTTP/CSP' });
    expect(csp.ProductFields).toMatchObject({ CWE: 'CWE-693', WASC: '15', Instances: '5', Site: 'https://shop.example.test' });
    expect(csp.SourceUrl).toBe('https://www.zaproxy.org/docs/alerts/10038/');
    expect(csp.Types).toEqual(['Software and Configuration Checks/Vulnerabilities/Web Application']);
    expect(nosniff.ProductFields?.Suppressed).toMatch(/false positive/);
    expect(cspHttp.Id).not.toBe(csp.Id);
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('JSON plus: never copies request or response headers and bodies', async () => {
    const [finding] = await convertFixture('zap', 'traditional-plus.json');
    expect(finding.Severity?.Label).toBe('HIGH');
    expect(finding.Resources![0].Details?.Other).toMatchObject({ method: 'GET', parameter: 'q' });
    const text = JSON.stringify(finding);
    expect(text).not.toContain('plus-report-session-token-0001');
    expect(text).not.toContain('plus-report-cookie-0002');
  });

  test('XML: entities and CDATA decoded, riskcode 0 is informational, no instance means the site', async () => {
    const findings = await convertFixture('zap', 'report.xml');
    expect(findings.map((f) => f.Severity)).toEqual([
      { Label: 'LOW', Original: '1' },
      { Label: 'INFORMATIONAL', Original: '0' },
    ]);
    expect(findings[0].Description).toMatch(/^A cookie has been set without the secure flag\./);
    expect(findings[0].Resources!.map((r) => r.Id)).toEqual(['https://docs.example.test/login', 'https://docs.example.test/']);
    expect(findings[1].Description).toContain('No Anti-CSRF tokens were found');
    expect(findings[1].Resources!.map((r) => r.Id)).toEqual(['https://docs.example.test']);
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('XML plus: the site comes from the site element and headers are not copied', async () => {
    const [finding] = await convertFixture('zap', 'report-plus.xml');
    expect(finding.ProductFields?.Site).toBe('http://intranet.example.test:8080');
    expect(finding.Description).toContain('See the method list.');
    expect(JSON.stringify(finding)).not.toContain('plus-xml-session-0003');
  });

  test('the same alert on the next scan keeps its Id', async () => {
    const first = await convertFixture('zap', 'traditional.json', { context: { commit: 'a'.repeat(40), buildId: 'build:1' } });
    const second = await convertFixture('zap', 'traditional.json', {
      context: { commit: 'b'.repeat(40), buildId: 'build:2', now: new Date('2026-02-01T00:00:00Z') },
    });
    expect(second.map((f) => f.Id)).toEqual(first.map((f) => f.Id));
  });
});
