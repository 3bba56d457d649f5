import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { buildFinding } from '../../src/asff/builder';
import { validateFinding } from '../../src/asff/validate';
import { SCAN } from '../support/convert-helpers';
import { draft } from '../support/drafts';

function valid(): AwsSecurityFinding {
  return buildFinding(draft(), { id: 'example', displayName: 'Example' }, SCAN);
}

function pathsOf(f: AwsSecurityFinding): string[] {
  return validateFinding(f).map((i) => i.path);
}

describe('validateFinding', () => {
  test('accepts a built finding', () => {
    expect(validateFinding(valid())).toEqual([]);
  });

  test.each<[string, (f: AwsSecurityFinding) => void, string]>([
    ['a missing Title', (f) => delete f.Title, 'Title'],
    ['a blank Description', (f) => (f.Description = '   '), 'Description'],
    ['a long Title', (f) => (f.Title = 'x'.repeat(257)), 'Title'],
    ['a long Description', (f) => (f.Description = 'x'.repeat(1025)), 'Description'],
    ['a bad account', (f) => (f.AwsAccountId = '12345'), 'AwsAccountId'],
    [
      'a ProductArn of another account',
      (f) => (f.ProductArn = 'arn:aws:securityhub:eu-west-1:999999999999:product/999999999999/default'),
      'ProductArn',
    ],
    [
      'a ProductArn with an unknown partition',
      (f) => (f.ProductArn = 'arn:aws-xx:securityhub:eu-west-1:123456789012:product/123456789012/default'),
      'ProductArn',
    ],
    ['a timestamp without offset', (f) => (f.CreatedAt = '2026-01-01 10:00:00'), 'CreatedAt'],
    ['an unknown severity label', (f) => (f.Severity = { Label: 'SEVERE' as never }), 'Severity.Label'],
    ['a long Severity.Original', (f) => (f.Severity = { Label: 'LOW', Original: 'x'.repeat(65) }), 'Severity.Original'],
    ['a type outside the taxonomy', (f) => (f.Types = ['Bad Namespace/Thing']), 'Types.0'],
    ['a repeated type', (f) => (f.Types = ['TTPs', 'TTPs']), 'Types'],
    ['no resources', (f) => (f.Resources = []), 'Resources'],
    ['33 resources', (f) => (f.Resources = Array.from({ length: 33 }, (_, i) => ({ Type: 'Other', Id: String(i) }))), 'Resources'],
    ['a resource in an unknown partition', (f) => (f.Resources![0].Partition = 'aws-xx' as never), 'Resources.0.Partition'],
    ['51 product fields', (f) => (f.ProductFields = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']))), 'ProductFields'],
    ['a reserved product field', (f) => (f.ProductFields = { 'aws/securityhub/X': 'v' }), 'ProductFields.aws/securityhub/X'],
    ['a long product field value', (f) => (f.ProductFields = { k: 'v'.repeat(2049) }), 'ProductFields.k'],
    ['a long remediation', (f) => (f.Remediation = { Recommendation: { Text: 'x'.repeat(513) } }), 'Remediation.Recommendation.Text'],
    ['a vulnerability without Id', (f) => (f.Vulnerabilities = [{ Id: '' }]), 'Vulnerabilities.0.Id'],
    ['a CVSS score above 10', (f) => (f.Vulnerabilities = [{ Id: 'CVE-1', Cvss: [{ BaseScore: 11 }] }]), 'Vulnerabilities.0.Cvss.0.BaseScore'],
    ['a 33 KB string', (f) => (f.SourceUrl = 'x'.repeat(33 * 1024)), 'SourceUrl'],
    ['a finding over 240 KB', (f) => (f.Resources = Array.from({ length: 10 }, (_, i) => ({ Type: 'Other', Id: `${i}${'x'.repeat(30_000)}` }))), ''],
  ])('rejects %s', (_name, mutate, path) => {
    const finding = valid();
    mutate(finding);
    expect(pathsOf(finding)).toContain(path);
  });
});
