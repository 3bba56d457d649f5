import { AwsSecurityFinding } from '@aws-sdk/client-securityhub';

/**
 * Fields owned by the customer. Security Hub ignores them on import for an
 * existing finding; they are stripped always so that a re-import can never
 * look as if it tried to reset a triage decision.
 */
export const CUSTOMER_OWNED_FIELDS = ['Workflow', 'WorkflowState', 'Note', 'UserDefinedFields', 'VerificationState'] as const;

/** Fields Security Hub adds to a stored finding that a provider does not send back. */
const SERVICE_ADDED_FIELDS = ['ProcessedAt', 'AwsAccountName', 'ProductName', 'CompanyName', 'Region', 'Sample'] as const;

/** A copy without customer-owned fields. */
export function withoutCustomerFields(finding: AwsSecurityFinding): AwsSecurityFinding {
  const copy: Record<string, unknown> = { ...finding };
  for (const field of CUSTOMER_OWNED_FIELDS) delete copy[field];
  return copy as unknown as AwsSecurityFinding;
}

/**
 * A finding read with GetFindings turned back into something the provider may
 * import: no customer fields, no service-added fields, and no `aws/` ProductFields
 * (that prefix is reserved for Security Hub).
 */
export function asProviderFinding(stored: AwsSecurityFinding): AwsSecurityFinding {
  const copy: Record<string, unknown> = { ...withoutCustomerFields(stored) };
  for (const field of SERVICE_ADDED_FIELDS) delete copy[field];
  if (stored.ProductFields) {
    copy.ProductFields = Object.fromEntries(Object.entries(stored.ProductFields).filter(([key]) => !key.startsWith('aws/')));
  }
  return copy as unknown as AwsSecurityFinding;
}
