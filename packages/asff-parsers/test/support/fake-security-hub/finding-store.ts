import { matchesFilters } from './filters';

type Json = Record<string, any>;

/** Fields that belong to the customer: Security Hub ignores them when a provider updates an existing finding. */
export const CUSTOMER_FIELDS = ['Workflow', 'WorkflowState', 'Note', 'UserDefinedFields', 'VerificationState'] as const;

export interface StoreStatistics {
  /** Findings stored for the first time. */
  created: number;
  /** Updates applied because UpdatedAt was later. */
  updated: number;
  /** Imports silently ignored because UpdatedAt was not later (still reported as success). */
  ignoredNotLater: number;
  /** Imports of an existing finding that carried customer-owned fields (ignored, but a client bug). */
  customerFieldsOnUpdate: number;
  /** How many times each finding key was created: a value above 1 would be a duplicate. */
  readonly creationsByKey: Map<string, number>;
}

/** Security Hub's finding table: keyed by ProductArn + Id, with its update rules. */
export class FindingStore {
  static key(productArn: string, id: string): string {
    return `${productArn}\u0000${id}`;
  }

  readonly stats: StoreStatistics = {
    created: 0,
    updated: 0,
    ignoredNotLater: 0,
    customerFieldsOnUpdate: 0,
    creationsByKey: new Map(),
  };
  private readonly findings = new Map<string, Json>();


  get size(): number {
    return this.findings.size;
  }

  get(productArn: string, id: string): Json | undefined {
    return this.findings.get(FindingStore.key(productArn, id));
  }

  all(): Json[] {
    return [...this.findings.values()];
  }

  /** Applies one validated import following the BatchImportFindings rules. */
  import(incoming: Json, processedAt: string): void {
    const key = FindingStore.key(incoming.ProductArn, incoming.Id);
    const stored = this.findings.get(key);
    if (!stored) {
      const created: Json = {
        RecordState: 'ACTIVE',
        ...incoming,
        Workflow: { Status: incoming.Workflow?.Status ?? 'NEW' },
        ProcessedAt: processedAt,
      };
      this.findings.set(key, created);
      this.stats.created++;
      this.stats.creationsByKey.set(key, (this.stats.creationsByKey.get(key) ?? 0) + 1);
      return;
    }
    if (CUSTOMER_FIELDS.some((field) => incoming[field] !== undefined)) this.stats.customerFieldsOnUpdate++;
    if (Date.parse(incoming.UpdatedAt) <= Date.parse(stored.UpdatedAt)) {
      this.stats.ignoredNotLater++;
      return;
    }
    const next: Json = { ...incoming, ProcessedAt: processedAt };
    for (const field of CUSTOMER_FIELDS) {
      delete next[field];
      if (stored[field] !== undefined) next[field] = stored[field];
    }
    next.RecordState = incoming.RecordState ?? stored.RecordState;
    if (stored.RecordState === 'ARCHIVED' && next.RecordState === 'ACTIVE' && ['NOTIFIED', 'RESOLVED'].includes(next.Workflow?.Status)) {
      next.Workflow = { ...next.Workflow, Status: 'NEW' };
    }
    this.findings.set(key, next);
    this.stats.updated++;
  }

  /** BatchUpdateFindings: customer fields only, UpdatedAt untouched. */
  updateCustomerFields(productArn: string, id: string, update: Json, now: string): boolean {
    const stored = this.findings.get(FindingStore.key(productArn, id));
    if (!stored) return false;
    if (update.Workflow?.Status) stored.Workflow = { Status: update.Workflow.Status };
    if (update.Note) stored.Note = { Text: update.Note.Text, UpdatedBy: update.Note.UpdatedBy, UpdatedAt: now };
    if (update.UserDefinedFields) stored.UserDefinedFields = update.UserDefinedFields;
    if (update.VerificationState) stored.VerificationState = update.VerificationState;
    if (update.Severity) stored.Severity = { ...stored.Severity, ...update.Severity };
    return true;
  }

  /** Findings as GetFindings returns them, with the fields Security Hub adds. */
  query(filters: Json): Json[] {
    return this.matching(filters).map((finding) => this.presented(finding));
  }

  /** The stored findings the filters select, as stored (a page is presented after sorting and slicing, not all of them). */
  matching(filters: Json): Json[] {
    return this.all().filter((finding) => matchesFilters(finding, filters));
  }

  /** A stored finding as GetFindings returns it, with the fields Security Hub adds. */
  presented(finding: Json): Json {
    return {
      ...finding,
      ProductName: 'Default',
      CompanyName: 'Personal',
      Region: finding.ProductArn.split(':')[3],
      WorkflowState: finding.Workflow?.Status === 'NEW' ? 'NEW' : 'ASSIGNED',
      ProductFields: {
        ...finding.ProductFields,
        'aws/securityhub/FindingId': `${finding.ProductArn}/${finding.Id}`,
        'aws/securityhub/ProductName': 'Default',
        'aws/securityhub/CompanyName': 'Personal',
      },
    };
  }
}
