import { AwsSecurityFinding, AwsSecurityFindingFilters, GetFindingsCommand, GetFindingsCommandOutput } from '@aws-sdk/client-securityhub';
import { pacedSend } from './paced-send';
import { isTransient, PacedRequestContext, recordRequestFailure, startAttempt } from './request-retry';

/** GetFindings is paced at its own quota (3 requests/s, burst 6 in Security Hub). */
export type ListFindingsOptions = PacedRequestContext;

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
    await startAttempt(attempt, options);
    try {
      return await pacedSend<GetFindingsCommandOutput>(
        options.client,
        new GetFindingsCommand({ Filters: filters, MaxResults: 100, NextToken: nextToken }),
        options.bucket,
      );
    } catch (error) {
      if (!isTransient(recordRequestFailure(error, options)) || attempt >= options.maxAttempts) throw error;
    }
  }
}
