import { AwsSecurityFinding } from '@aws-sdk/client-securityhub';

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';
export const PRODUCT_ARN = `arn:aws:securityhub:${REGION}:${ACCOUNT}:product/${ACCOUNT}/default`;

/** A minimal valid finding for tests, written from the ASFF contract (not from any scanner report). */
export function sampleFinding(id: string, overrides: Partial<AwsSecurityFinding> = {}): AwsSecurityFinding {
  return {
    SchemaVersion: '2018-10-08',
    Id: id,
    ProductArn: PRODUCT_ARN,
    GeneratorId: `sample/rule-${id.length % 7}`,
    AwsAccountId: ACCOUNT,
    Types: ['Software and Configuration Checks/Vulnerabilities/CVE'],
    CreatedAt: '2026-01-01T00:00:00.000Z',
    UpdatedAt: '2026-01-01T00:00:00.000Z',
    Severity: { Label: 'HIGH', Original: 'High' },
    Title: `Sample finding ${id}`,
    Description: 'A sample vulnerability used by the tests.',
    Resources: [{ Type: 'Other', Id: `repo/src/file-${id}.ts` }],
    ...overrides,
  };
}

export function sampleFindings(count: number, prefix = 'f'): AwsSecurityFinding[] {
  return Array.from({ length: count }, (_, i) => sampleFinding(`${prefix}-${i}`));
}
