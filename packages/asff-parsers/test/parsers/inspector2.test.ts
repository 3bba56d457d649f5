import { validateFinding } from '../../src/asff/validate';
import { convertFixture } from '../support/convert-helpers';

describe('inspector2 parser', () => {
  test('package, code and closed findings', async () => {
    const findings = await convertFixture('inspector2', 'list-findings.json');
    expect(findings).toHaveLength(3);
    const [pkg, code, closed] = findings;
    expect(pkg.Severity).toEqual({ Label: 'HIGH', Original: 'high' });
    expect(pkg.FirstObservedAt).toBe('2026-01-02T09:11:12.345Z');
    expect(pkg.Resources![0]).toMatchObject({ Type: 'AwsLambdaFunction', Id: 'arn:aws:lambda:eu-west-1:210987654321:function:shop-api:$LATEST' });
    expect(pkg.Vulnerabilities![0]).toMatchObject({
      Id: 'CVE-2025-11111',
      FixAvailable: 'PARTIAL',
      EpssScore: 0.0004,
      RelatedVulnerabilities: ['GHSA-xxxx-yyyy-zzzz'],
    });
    expect(pkg.Remediation).toBeUndefined();
    expect(code.Types).toEqual(['Software and Configuration Checks/Vulnerabilities/Code']);
    expect(code.Description).toContain('Location: src/handler.py:42');
    expect(code.Vulnerabilities).toBeUndefined();
    expect(closed.RecordState).toBe('ARCHIVED');
    expect(closed.Severity).toEqual({ Label: 'INFORMATIONAL', Original: 'UNTRIAGED' });
    expect(closed.Resources![0].Type).toBe('AwsEc2Instance');
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('an empty list is zero findings, not an error', async () => {
    await expect(convertFixture('inspector2', 'empty.json')).resolves.toEqual([]);
  });
});
