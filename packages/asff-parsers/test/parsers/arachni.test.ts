import { validateFinding } from '../../src/asff/validate';
import { arachniParser } from '../../src/parsers/arachni';
import { convertFixture, fixtureText } from '../support/convert-helpers';

describe('arachni parser', () => {
  test('one finding per issue per site; its instances become Resources', async () => {
    const findings = await convertFixture('arachni', 'report.json');
    expect(findings.map((f) => `${f.Title} | ${f.Severity!.Label}`)).toEqual([
      'Cross-Site Scripting (XSS) (https://staging.example.com) | HIGH',
      'Interesting response (https://staging.example.com) | INFORMATIONAL',
    ]);
    const xss = findings[0];
    expect(xss.Resources!.map((r) => [r.Id, r.Details?.Other])).toEqual([
      ['https://staging.example.com/search', { method: 'GET', input: 'q', element: 'form' }],
      ['https://staging.example.com/profile', { method: 'POST', input: 'name', element: 'form' }],
    ]);
    expect(xss.ProductFields).toMatchObject({ Check: 'xss', CWE: 'CWE-79', Instances: '2', Tags: 'xss, injection' });
    expect(xss.Remediation?.Recommendation).toEqual({ Text: 'Encode user input before echoing it.', Url: 'https://owasp.org/www-community/attacks/xss/' });
    expect(xss.Description).toContain('Client-side scripts are used extensively.');
    expect(findings[1].ProductFields!.Trusted).toBe('false');
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('requests, responses, page bodies and input values are never copied', async () => {
    const everything = JSON.stringify(await convertFixture('arachni', 'report.json'));
    for (const value of ['fixtureSessionCookieDoNotUse', 'fixtureInjectedValue', '<html>fixture</html>', 'xss_fixture']) {
      expect(everything).not.toContain(value);
    }
  });

  test('recognises an Arachni report', () => {
    expect(arachniParser.detect({ text: fixtureText('arachni', 'report.json'), complete: true })).toBe(0.95);
    expect(arachniParser.detect({ text: '{"issues":[]}', complete: true })).toBeUndefined();
  });
});
