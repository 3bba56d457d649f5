/** How the importer reacts to a failed request. */
export type FailureKind = 'throttled' | 'retryable' | 'splittable' | 'permanent';

interface ServiceErrorLike {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const THROTTLING_NAMES = new Set([
  'TooManyRequestsException', 'ThrottlingException', 'ThrottledException', 'LimitExceededException', 'RequestLimitExceeded',
]);

/** Classifies an error thrown by the SDK for a whole request. */
export function classifyRequestError(error: unknown): FailureKind {
  const e = (error ?? {}) as ServiceErrorLike;
  const status = e.$metadata?.httpStatusCode;
  if (status === 429 || THROTTLING_NAMES.has(e.name ?? '')) return 'throttled';
  if (status === undefined || status >= 500 || e.name === 'InternalException') return 'retryable';
  // A batch refused as a whole may hold a single bad finding: halving it isolates the culprit.
  if (status === 400 || status === 413) return 'splittable';
  return 'permanent';
}

export function errorCodeOf(error: unknown): string {
  const e = (error ?? {}) as ServiceErrorLike;
  return e.name || 'UnknownError';
}

export function errorMessageOf(error: unknown): string {
  const e = (error ?? {}) as ServiceErrorLike;
  return (e.message || String(error)).slice(0, 1024);
}

/**
 * Per-finding ErrorCodes that will fail the same way on every retry. Any other
 * code (InternalFailure, ConcurrentUpdateError, a code Security Hub adds
 * later...) is retried: retrying a permanent failure costs a request, while
 * not retrying a transient one loses a finding to the dead letter.
 */
const PERMANENT_FINDING_CODES = new Set([
  'InvalidInput',
  'InvalidInputException',
  'InvalidAccess',
  'InvalidAccessException',
  'AccessDenied',
  'AccessDeniedException',
  'FindingSizeExceeded',
  'DuplicatedFindingIdentifier',
  'FindingNotFound',
]);

export function isRetryableFindingCode(code: string): boolean {
  return !PERMANENT_FINDING_CODES.has(code);
}
