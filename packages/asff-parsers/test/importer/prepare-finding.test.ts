import { asProviderFinding, CUSTOMER_OWNED_FIELDS, withoutCustomerFields } from '../../src/importer/prepare-finding';
import { sampleFinding } from '../support/fake-security-hub/sample-findings';

describe('prepare-finding', () => {
  const triaged = sampleFinding('a', {
    Workflow: { Status: 'SUPPRESSED' },
    WorkflowState: 'ASSIGNED',
    Note: { Text: 'n', UpdatedBy: 'u', UpdatedAt: '2026-01-01T00:00:00Z' },
    UserDefinedFields: { ticket: '1' },
    VerificationState: 'FALSE_POSITIVE',
  });

  test('removes every customer-owned field and nothing else', () => {
    const stripped = withoutCustomerFields(triaged);
    for (const field of CUSTOMER_OWNED_FIELDS) expect(stripped).not.toHaveProperty(field);
    expect(stripped).toEqual(sampleFinding('a'));
  });

  test('turns a stored finding back into an importable one without the reserved aws/ ProductFields', () => {
    const stored = {
      ...triaged,
      ProcessedAt: '2026-01-01T00:00:00Z',
      ProductName: 'Default',
      CompanyName: 'Personal',
      Region: 'us-east-1',
      ProductFields: { 'aws/securityhub/FindingId': 'x', 'rule': 'R1' },
    };
    const provider = asProviderFinding(stored);
    expect(provider.ProductFields).toEqual({ rule: 'R1' });
    for (const field of ['ProcessedAt', 'ProductName', 'CompanyName', 'Region', 'Workflow', 'Note']) expect(provider).not.toHaveProperty(field);
  });
});
