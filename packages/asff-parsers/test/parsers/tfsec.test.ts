import { validateFinding } from '../../src/asff/validate';
import { convert } from '../../src/convert';
import { ReportError } from '../../src/errors';
import { detectParser } from '../../src/parsers/detect';
import { PARSERS } from '../../src/parsers/registry';
import { tfsecParser } from '../../src/parsers/tfsec';
import { memorySource } from '../../src/streams/report-source';
import { collect, convertFixture, fixtureText, SCAN } from '../support/convert-helpers';

describe('tfsec parser', () => {
  test('legacy: passed checks are not findings, ERROR/WARNING/INFO mapped', async () => {
    const findings = await convertFixture('tfsec', 'legacy.json');
    expect(findings.map((f) => `${f.GeneratorId} ${f.Severity!.Label}`)).toEqual(['tfsec/AWS002 HIGH', 'tfsec/GEN001 LOW']);
    expect(findings[0].Resources![0].Id).toBe('example-repo/src/infra/s3.tf:1');
    expect(findings[0].Remediation?.Recommendation).toEqual({ Text: 'Add a logging block to the resource to enable access logging', Url: 'https://tfsec.dev/docs/aws/AWS002/' });
    expect(findings[0].ProductFields!.Resource).toBe('aws_s3_bucket.logs');
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('current: one finding per resource even at the same module lines; passed skipped', async () => {
    const findings = await convertFixture('tfsec', 'current.json');
    expect(findings.map((f) => `${f.GeneratorId} ${f.ProductFields!.Resource}`)).toEqual([
      'tfsec/aws-ec2-no-public-egress-sgr module.web.aws_security_group_rule.egress',
      'tfsec/aws-ec2-no-public-egress-sgr module.worker.aws_security_group_rule.egress',
      'tfsec/aws-vpc-no-public-ingress-sgr module.SG_A:aws_security_group_rule.ingress[0]',
      'tfsec/aws-vpc-no-public-ingress-sgr module.SG_B:aws_security_group_rule.ingress[0]',
      'tfsec/aws-s3-enable-versioning aws_s3_bucket.logs',
    ]);
    expect(new Set(findings.map((f) => f.Id)).size).toBe(5);
    expect(findings[0].ProductFields!.OtherRuleIds).toBe('AVD-AWS-0104');
    expect(findings[2].ProductFields!.OtherRuleIds).toBe('AWS006');
    expect(findings[4].Severity).toEqual({ Label: 'LOW', Original: 'low' });
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('module instances that only the description names stay apart', async () => {
    const result = (description: string) => ({
      rule_id: 'aws-vpc-no-public-egress-sgr',
      rule_description: 'open egress',
      severity: 'CRITICAL',
      description,
      location: { filename: 'modules/sg/main.tf', start_line: 72, end_line: 72 },
    });
    const report = {
      results: [
        result('Security group rule allows egress to 0.0.0.0/0 (module a).'),
        result('Security group rule allows egress to 0.0.0.0/0 (module b).'),
      ],
    };
    const findings = await collect(convert({ tool: 'tfsec', input: memorySource(JSON.stringify(report)), context: SCAN }));
    expect(findings).toHaveLength(2);
    expect(new Set(findings.map((f) => f.Id)).size).toBe(2);
  });

  test('an ignored result is imported as suppressed', async () => {
    const report = {
      results: [
        {
          rule_id: 'AVD-AWS-0089',
          long_id: 'aws-s3-enable-bucket-logging',
          rule_description: 'logging',
          severity: 'MEDIUM',
          status: 2,
          resource: 'aws_s3_bucket.a',
          location: { filename: 'main.tf', start_line: 1, end_line: 3 },
        },
      ],
    };
    const [finding] = await collect(convert({ tool: 'tfsec', input: memorySource(JSON.stringify(report)), context: SCAN }));
    expect(finding.ProductFields!.Suppressed).toBe('ignored with a tfsec:ignore comment');
  });

  test('results: null is a clean run', async () => {
    await expect(convertFixture('tfsec', 'empty-null.json')).resolves.toEqual([]);
  });

  test('auto-detection picks tfsec for both generations and the clean run', () => {
    for (const name of ['legacy.json', 'current.json', 'empty-null.json']) {
      expect(detectParser({ text: fixtureText('tfsec', name), complete: true }, PARSERS).id).toBe('tfsec');
    }
    expect(tfsecParser.detect({ text: '{"results": [], "errors": []}', complete: true })).toBeUndefined();
  });

  test('refuses a result without a rule id', async () => {
    await expect(
      collect(convert({ tool: 'tfsec', input: memorySource('{"results":[{"check_id":"x"}]}'), context: SCAN, fileName: 'x.json' })),
    ).rejects.toThrow('x.json: not a tfsec report: a result has no rule_id');
  });

  test('refuses the reports of look-alike tools, empty ones included', async () => {
    await expect(convertFixture('bandit', 'empty.json', { tool: 'tfsec' })).rejects.toThrow(ReportError);
    await expect(convertFixture('semgrep', 'cli-empty.json', { tool: 'tfsec' })).rejects.toThrow(ReportError);
  });
});
