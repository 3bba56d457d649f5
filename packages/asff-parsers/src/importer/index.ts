// The `@devsecops-factory/asff-parsers/importer` entry: the importer and what tunes it (pacing, batching, backoff,
// the scope recorded on findings). Request bookkeeping (pacedSend, startAttempt, error classification, update
// stamps) stays internal: it is how the importer works, not something to build on.
export { fullJitterDelay, type BackoffOptions } from './backoff';
export { SECURITY_HUB_BATCH_LIMITS, type BatchLimits } from './batch-limits';
export { systemClock, type Clock } from './clock';
export { FileDeadLetterSink, MemoryDeadLetterSink, type DeadLetter, type DeadLetterSink } from './dead-letter';
export type { ImportProgress, ImportSummary } from './import-summary';
export { SecurityHubImporter, type ImportOutcome, type ImportRun, type SecurityHubImporterOptions } from './importer';
export { CUSTOMER_OWNED_FIELDS, withoutCustomerFields } from './prepare-finding';
export { formatScope, SCOPE_PRODUCT_FIELD, scopeFilters, scopeOf, type ScopeParts } from './scope';
export {
  BATCH_IMPORT_RATE,
  BATCH_UPDATE_RATE,
  GET_FINDINGS_RATE,
  TokenBucket,
  type AdaptiveRateOptions,
  type Grant,
  type RateLimit,
} from './token-bucket';
