import { validateFinding } from '../../src/asff/validate';
import { snykCodeParser } from '../../src/parsers/snyk-code';
import { convertFixture, fixtureText } from '../support/convert-helpers';

describe('snyk-code parser', () => {
  test('one finding per result location with level severity and priority score', async () => {
    const findings = await convertFixture('snyk-code', 'report.sarif');
    expect(findings).toHaveLength(2);
    const [sqli, secret] = findings;
    expect(sqli.Title).toBe('SQL Injection');
    expect(sqli.Description).toContain('Unsanitized input from the HTTP request body flows into query.');
    expect(sqli.Severity).toEqual({ Label: 'HIGH', Original: 'error' });
    expect(sqli.ProductFields).toMatchObject({ PriorityScore: '807', Scanner: 'SnykCode' });
    expect(sqli.Resources![0]).toMatchObject({ Type: 'Other', Id: 'example-repo/routes/login.js:29' });
    expect(sqli.ProductName).toBe('Snyk Code');
    expect(secret.Severity?.Label).toBe('LOW');
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('claims Snyk Code SARIF more strongly than generic SARIF does', () => {
    expect(snykCodeParser.detect({ text: fixtureText('snyk-code', 'report.sarif'), complete: true })).toBe(0.95);
    expect(snykCodeParser.detect({ text: fixtureText('sarif', 'levels.sarif'), complete: true })).toBeUndefined();
  });
});
