import { AwsSecurityFinding, AwsSecurityFindingFilters, GetFindingsCommand, GetFindingsCommandOutput, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { BackoffOptions, fullJitterDelay } from './backoff';
import { Clock } from './clock';
import { classifyRequestError } from './errors';
import { pacedSend } from './paced-send';
import { TokenBucket } from './token-bucket';

/** Request counters shared by the steps of one run. */
export interface RequestCounters {
  requests: number;
  throttled: number;
  retried: number;
}

export interface ListFindingsOptions {
  readonly client: SecurityHubClient;
  /** GetFindings pacing (3 requests/s, burst 6 in Security Hub). */
  readonly bucket: TokenBucket;
  readonly maxAttempts: number;
  readonly backoff?: BackoffOptions;
  readonly clock: Clock;
  readonly random: () => number;
  readonly counters: RequestCounters;
}

/**
 * Every finding matching the filters, page by page (100 per page), paced and
 * retried. A page that still fails throws: callers act on the complete list
 * or not at all (archiving on a partial list would archive live findings).
 */
export async function* listFindings(filters: AwsSecurityFindingFilters, options: ListFindingsOptions): AsyncIterable<AwsSecurityFinding> {
  let nextToken: string | undefined;
  do {
    const page = await getPage(filters, nextToken, options);
    yield* page.Findings ?? [];
    nextToken = page.NextToken;
  } while (nextToken);
}

async function getPage(
  filters: AwsSecurityFindingFilters,
  nextToken: string | undefined,
  options: ListFindingsOptions,
): Promise<GetFindingsCommandOutput> {
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1) {
      options.counters.retried++;
      await options.clock.sleep(fullJitterDelay(attempt - 1, options.backoff, options.random));
    }
    options.counters.requests++;
    try {
      return await pacedSend<GetFindingsCommandOutput>(
        options.client,
        new GetFindingsCommand({ Filters: filters, MaxResults: 100, NextToken: nextToken }),
        options.bucket,
      );
    } catch (error) {
      const kind = classifyRequestError(error);
      if (kind === 'throttled') {
        options.counters.throttled++;
        options.bucket.drain();
      }
      if ((kind !== 'throttled' && kind !== 'retryable') || attempt >= options.maxAttempts) throw error;
    }
  }
}
