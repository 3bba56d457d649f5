import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { BackoffOptions, fullJitterDelay } from './backoff';
import { Clock } from './clock';
import { classifyRequestError, FailureKind } from './errors';
import { grantOf } from './paced-send';
import { TokenBucket } from './token-bucket';

/** Request counters shared by the steps of one run. */
export interface RequestCounters {
  requests: number;
  throttled: number;
  retried: number;
}

/** What a paced, retried Security Hub call needs: its client, its quota's bucket, the retry budget. */
export interface PacedRequestContext {
  readonly client: SecurityHubClient;
  /** Pacing for the operation's quota (BatchImportFindings 10/s burst 30, GetFindings 3/s burst 6, ...). */
  readonly bucket: TokenBucket;
  readonly maxAttempts: number;
  readonly backoff?: BackoffOptions;
  readonly clock: Clock;
  readonly random: () => number;
  readonly counters: RequestCounters;
}

/** Counts an attempt; from the second one on, first waits a full-jitter backoff and counts the retry. */
export async function startAttempt(attempt: number, context: Omit<PacedRequestContext, 'client' | 'bucket'>): Promise<void> {
  if (attempt > 1) {
    context.counters.retried++;
    await context.clock.sleep(fullJitterDelay(attempt - 1, context.backoff, context.random));
  }
  context.counters.requests++;
}

/**
 * Classifies a failed request. A throttled one also empties the bucket and
 * lowers its rate ({@link TokenBucket.throttled}): the service has just said
 * its quota is spent, by others too, so the next request waits for a fresh
 * token instead of spending the local burst.
 */
export function recordRequestFailure(error: unknown, context: Pick<PacedRequestContext, 'bucket' | 'counters'>): FailureKind {
  const kind = classifyRequestError(error);
  if (kind === 'throttled') {
    context.counters.throttled++;
    context.bucket.throttled(grantOf(error));
  }
  return kind;
}

/** Whether a failure of this kind is worth another attempt of the same request. */
export function isTransient(kind: FailureKind): boolean {
  return kind === 'throttled' || kind === 'retryable';
}
