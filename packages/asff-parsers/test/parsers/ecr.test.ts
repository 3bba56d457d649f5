import { validateFinding } from '../../src/asff/validate';
import { convertFixture } from '../support/convert-helpers';

describe('ecr parser', () => {
  test('basic scanning: attributes become package and CVSS, the image an ECR image resource', async () => {
    const findings = await convertFixture('ecr', 'basic.json', { context: { partition: 'aws-cn', region: 'cn-north-1' } });
    expect(findings).toHaveLength(2);
    const [medium, undefinedSeverity] = findings;
    expect(medium.Title).toBe('CVE-2024-80008 in e2fsx 1.46.5-2');
    expect(medium.Severity).toEqual({ Label: 'MEDIUM', Original: 'MEDIUM' });
    expect(medium.Vulnerabilities![0]).toMatchObject({
      Cvss: [{ BaseScore: 4.6, Version: '2', BaseVector: 'AV:L/AC:L/Au:N/C:P/I:P/A:P' }],
      VulnerablePackages: [{ Name: 'e2fsx', Version: '1.46.5-2' }],
    });
    expect(medium.Resources![0]).toMatchObject({
      Type: 'AwsEcrContainerImage',
      Id: 'arn:aws-cn:ecr:cn-north-1:210987654321:repository/shop/sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc',
      Partition: 'aws-cn',
      Details: { AwsEcrContainerImage: { RegistryId: '210987654321', RepositoryName: 'shop', ImageTags: ['1.4'] } },
    });
    expect(medium.ProductArn).toBe('arn:aws-cn:securityhub:cn-north-1:123456789012:product/123456789012/default');
    expect(undefinedSeverity.Severity).toEqual({ Label: 'INFORMATIONAL', Original: 'UNDEFINED' });
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('enhanced scanning: Inspector findings with epoch timestamps', async () => {
    const [finding] = await convertFixture('ecr', 'enhanced.json');
    expect(finding.Severity?.Label).toBe('CRITICAL');
    expect(finding.FirstObservedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(finding.Vulnerabilities![0]).toMatchObject({
      Id: 'CVE-2025-90009',
      FixAvailable: 'YES',
      VulnerablePackages: [{ Name: 'curlx', FixedInVersion: '8.5.1', Architecture: 'X86_64', Release: '1.amzn2023' }],
    });
    expect(finding.Resources![0]).toMatchObject({
      Type: 'AwsEcrContainerImage',
      Details: { AwsEcrContainerImage: { RepositoryName: 'shop', ImageDigest: expect.stringMatching(/^sha256:c+$/) } },
    });
    expect(validateFinding(finding)).toEqual([]);
  });
});
