/** Request limits of BatchImportFindings and BatchUpdateFindings. */
export interface BatchLimits {
  /** Findings per request. Security Hub: 100. */
  readonly maxFindings: number;
  /** Serialized request body. Security Hub: 6 MB; a little is kept back for the envelope. */
  readonly maxBytes: number;
  /** Serialized finding. Security Hub: 240 KB. */
  readonly maxFindingBytes: number;
}

export const SECURITY_HUB_BATCH_LIMITS: BatchLimits = {
  maxFindings: 100,
  maxBytes: 6 * 1024 * 1024 - 4096,
  maxFindingBytes: 240 * 1024,
};
