import { validateFinding } from '../../src/asff/validate';
import { convert } from '../../src/convert';
import { checkovParser } from '../../src/parsers/checkov';
import { detectParser } from '../../src/parsers/detect';
import { PARSERS } from '../../src/parsers/registry';
import { memorySource } from '../../src/streams/report-source';
import { collect, convertFixture, fixtureText, SCAN } from '../support/convert-helpers';

describe('checkov parser', () => {
  test('single check type: one finding per failed check per resource, skipped checks suppressed, passed ignored', async () => {
    const findings = await convertFixture('checkov', 'single.json');
    expect(findings.map((f) => `${f.GeneratorId} ${f.ProductFields!.Resource}`)).toEqual([
      'checkov/CKV_AWS_18 aws_s3_bucket.logs',
      'checkov/CKV_AWS_18 aws_s3_bucket.assets',
      'checkov/CKV_AWS_24 aws_security_group.bastion',
      'checkov/CKV_AWS_24 module.a.aws_security_group.this',
      'checkov/CKV_AWS_24 module.b.aws_security_group.this',
      'checkov/CKV_AWS_21 aws_s3_bucket.logs',
    ]);
    expect(new Set(findings.map((f) => f.Id)).size).toBe(6);
    expect(findings[5].ProductFields!.Suppressed).toBe('logs are immutable');
    expect(findings.slice(0, 5).every((f) => f.ProductFields!.Suppressed === undefined)).toBe(true);
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('severity when the platform supplied one, MEDIUM when open-source Checkov left it null', async () => {
    const findings = await convertFixture('checkov', 'single.json');
    expect(findings.slice(0, 5).map((f) => f.Severity)).toEqual([
      { Label: 'MEDIUM', Original: 'unknown' },
      { Label: 'LOW', Original: 'LOW' },
      { Label: 'HIGH', Original: 'high' },
      { Label: 'CRITICAL', Original: 'CRITICAL' },
      { Label: 'CRITICAL', Original: 'CRITICAL' },
    ]);
  });

  test('names the file in the repository and links the guideline', async () => {
    const [first] = await convertFixture('checkov', 'single.json');
    expect(first.Resources![0].Id).toBe('example-repo/infra/s3.tf:1');
    expect(first.Remediation?.Recommendation?.Url).toBe('https://docs.example.org/ckv_aws_18');
    expect(first.ProductFields).toMatchObject({ CheckType: 'terraform', Lines: '1-12', PlatformCheckId: 'BC_AWS_S3_13' });
  });

  test('array of check types: each keeps its own check type; secrets findings carry no code', async () => {
    const findings = await convertFixture('checkov', 'array.json');
    expect(findings.map((f) => f.ProductFields!.CheckType)).toEqual(['terraform', 'dockerfile', 'dockerfile', 'secrets']);
    const secret = findings[3];
    expect(secret.Types).toEqual(['Sensitive Data Identifications/Passwords']);
    expect(JSON.stringify(secret)).not.toContain('AKIAFIXTUR');
    expect(JSON.stringify(secret)).not.toContain('1b9f2c0d5e6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c');
  });

  test('the bare summary of an empty run has no findings', async () => {
    await expect(convertFixture('checkov', 'empty-summary.json')).resolves.toEqual([]);
  });

  test('auto-detection picks checkov for all three shapes', () => {
    for (const name of ['single.json', 'array.json', 'empty-summary.json']) {
      expect(detectParser({ text: fixtureText('checkov', name), complete: true }, PARSERS).id).toBe('checkov');
    }
    expect(checkovParser.detect({ text: '{"passed": 1}', complete: true })).toBeUndefined();
  });

  test('refuses a report without checks', async () => {
    await expect(collect(convert({ tool: 'checkov', input: memorySource('{"results": []}'), context: SCAN, fileName: 'x.json' })))
      .rejects.toThrow('x.json: not the expected report');
  });
});
