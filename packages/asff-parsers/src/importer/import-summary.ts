/** What an import run did: the one JSON line `asff import` prints. */
export interface ImportSummary {
  /** Findings Security Hub accepted (an unchanged re-import counts: Security Hub reports it as a success). */
  readonly imported: number;
  /** Findings written to the dead letter. */
  readonly failed: number;
  /** Findings of the scope absent from the report, re-imported as ARCHIVED. */
  readonly archived: number;
  /** Requests sent to Security Hub (all operations, retries included). */
  readonly requests: number;
  /** Requests refused with HTTP 429. */
  readonly throttled: number;
  /** Requests that repeated an earlier one (after throttling, a 5xx or retryable FailedFindings). */
  readonly retried: number;
  /** Wall-clock duration of the run. */
  readonly seconds: number;
}

/** Progress reported after each response, for a progress bar. */
export interface ImportProgress {
  readonly imported: number;
  readonly failed: number;
  readonly requests: number;
  readonly throttled: number;
}
