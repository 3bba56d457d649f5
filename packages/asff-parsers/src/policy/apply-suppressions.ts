import {
  AwsSecurityFinding,
  AwsSecurityFindingIdentifier,
  BatchUpdateFindingsCommand,
  BatchUpdateFindingsCommandOutput,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { findSuppression } from './match-suppression';
import { inSourceSuppressionsOf, SecurityPolicy, Suppression } from './security-policy';
import { toolSuppressionOf } from '../asff/tool-suppression';
import { BackoffOptions } from '../importer/backoff';
import { Clock, systemClock } from '../importer/clock';
import { isRetryableFindingCode } from '../importer/errors';
import { listFindings } from '../importer/list-findings';
import { pacedSend } from '../importer/paced-send';
import { isTransient, PacedRequestContext, recordRequestFailure, RequestCounters, startAttempt } from '../importer/request-retry';
import { scopeFilters, scopeOf } from '../importer/scope';
import { BATCH_UPDATE_RATE, GET_FINDINGS_RATE, RateLimit, TokenBucket } from '../importer/token-bucket';

/** Note.UpdatedBy of the notes the policy writes: how a later run recognises its own suppressions. */
export const POLICY_NOTE_AUTHOR = 'asff-policy';
const MAX_NOTE_CHARS = 512;
const MAX_IDENTIFIERS = 100;

export interface ApplySuppressionsOptions {
  /** A client created with `maxAttempts: 1` (pacing and retries happen here). */
  readonly client: SecurityHubClient;
  readonly policy: SecurityPolicy;
  /** The scope whose ACTIVE findings the policy is applied to. */
  readonly scope: string;
  /** The stage, for suppressions limited to some stages. Default: suppressions of every stage apply. */
  readonly stage?: string;
  /** Default: now. */
  readonly now?: Date;
  readonly batchUpdateRate?: RateLimit;
  readonly getFindingsRate?: RateLimit;
  readonly maxAttempts?: number;
  readonly backoff?: BackoffOptions;
  readonly clock?: Clock;
  readonly random?: () => number;
}

export interface SuppressionSummary {
  /** Findings set to SUPPRESSED with the policy's note. */
  readonly suppressed: number;
  /** Findings the policy had suppressed whose suppression expired or was removed: back to NEW. */
  readonly unsuppressed: number;
  /** Updates Security Hub refused after retries. */
  readonly failed: number;
  readonly requests: number;
  readonly throttled: number;
  readonly retried: number;
}

/** The note recorded on a suppressed finding: reason and expiry, so the triage view explains itself. */
export function suppressionNote(suppression: Suppression): string {
  return truncate(`Suppressed by policy until ${suppression.expires}: ${suppression.reason}`);
}

/**
 * The note on a finding the scanner itself reported as suppressed (Dependency-Check
 * suppressedVulnerability, Checkov skipped checks, tfsec ignores, VEX not_affected):
 * the decision was made in the application repository, so Security Hub shows it too.
 */
export function scannerSuppressionNote(reason: string): string {
  return truncate(`${SCANNER_NOTE_PREFIX}${reason}`);
}
const SCANNER_NOTE_PREFIX = 'Suppressed in the scanner configuration: ';

function truncate(text: string): string {
  return text.length > MAX_NOTE_CHARS ? `${text.slice(0, MAX_NOTE_CHARS - 1)}…` : text;
}

interface Update {
  readonly status: 'SUPPRESSED' | 'NEW';
  readonly note: string;
  readonly identifiers: AwsSecurityFindingIdentifier[];
}

/**
 * Makes Security Hub reflect the policy for one scope: findings under an
 * active suppression, or reported as suppressed by the scanner itself
 * (ProductFields.Suppressed; one written in the scanned content only when the
 * policy honours in-source suppressions), become SUPPRESSED with a note giving the reason
 * (BatchUpdateFindings, the customer's API for Workflow); findings this
 * policy suppressed earlier whose suppression expired or was removed go back
 * to NEW. Findings already in the wanted state are not touched, so running
 * it again changes nothing, and suppressions made by hand are left alone.
 */
export async function applySuppressions(options: ApplySuppressionsOptions): Promise<SuppressionSummary> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const now = options.now ?? new Date(clock.now());
  const maxAttempts = options.maxAttempts ?? 10;
  const counters: RequestCounters = { requests: 0, throttled: 0, retried: 0 };
  const updates = new Map<string, Update>();
  const honourInSource = inSourceSuppressionsOf(options.policy) === 'honour';
  const plan = (finding: AwsSecurityFinding, status: Update['status'], note: string) => {
    const key = `${status}\u0000${note}`;
    let update = updates.get(key);
    if (!update) updates.set(key, (update = { status, note, identifiers: [] }));
    update.identifiers.push({ Id: finding.Id, ProductArn: finding.ProductArn });
  };

  const listing = listFindings(scopeFilters(options.scope), {
    client: options.client,
    bucket: new TokenBucket(options.getFindingsRate ?? GET_FINDINGS_RATE, clock),
    maxAttempts,
    backoff: options.backoff,
    clock,
    random,
    counters,
  });
  for await (const finding of listing) {
    if (scopeOf(finding) !== options.scope) continue;
    const match = findSuppression(options.policy, finding, options.stage, now);
    // An in-source suppression (written by the scanned commit) counts only where the policy honours them, as in the gate.
    const tool = toolSuppressionOf(finding);
    const scannerReason = tool !== undefined && (tool.kind === 'external' || honourInSource) ? tool.reason : undefined;
    const status = finding.Workflow?.Status;
    const wanted = match?.active ? suppressionNote(match.suppression)
      : scannerReason ? scannerSuppressionNote(scannerReason)
        : undefined;
    if (wanted) {
      if (status !== 'SUPPRESSED' || finding.Note?.Text !== wanted) plan(finding, 'SUPPRESSED', wanted);
    } else if (status === 'SUPPRESSED' && finding.Note?.UpdatedBy === POLICY_NOTE_AUTHOR) {
      const note = match
        ? `Suppression expired on ${match.suppression.expires}: ${match.suppression.reason}`
        : finding.Note.Text?.startsWith(SCANNER_NOTE_PREFIX)
          ? 'The scanner no longer suppresses this finding'
          : 'Suppression removed from the policy';
      plan(finding, 'NEW', truncate(note));
    }
  }

  const bucket = new TokenBucket(options.batchUpdateRate ?? BATCH_UPDATE_RATE, clock);
  const result = { suppressed: 0, unsuppressed: 0, failed: 0 };
  for (const update of updates.values()) {
    for (let i = 0; i < update.identifiers.length; i += MAX_IDENTIFIERS) {
      const chunk = update.identifiers.slice(i, i + MAX_IDENTIFIERS);
      const { processed, failed } = await sendUpdate(
        update,
        chunk,
        { client: options.client, bucket, maxAttempts, backoff: options.backoff, clock, random, counters },
      );
      result[update.status === 'SUPPRESSED' ? 'suppressed' : 'unsuppressed'] += processed;
      result.failed += failed;
    }
  }
  return { ...result, ...counters };
}

async function sendUpdate(
  update: Update,
  identifiers: AwsSecurityFindingIdentifier[],
  context: PacedRequestContext,
): Promise<{ processed: number; failed: number }> {
  let pending = identifiers;
  let processed = 0;
  let failed = 0;
  for (let attempt = 1; pending.length > 0; attempt++) {
    await startAttempt(attempt, context);
    const exhausted = attempt >= context.maxAttempts;
    let response: BatchUpdateFindingsCommandOutput;
    try {
      response = await pacedSend<BatchUpdateFindingsCommandOutput>(
        context.client,
        new BatchUpdateFindingsCommand({
          FindingIdentifiers: pending,
          Workflow: { Status: update.status },
          Note: { Text: update.note, UpdatedBy: POLICY_NOTE_AUTHOR },
        }),
        context.bucket,
      );
    } catch (error) {
      if (isTransient(recordRequestFailure(error, context)) && !exhausted) continue;
      return { processed, failed: failed + pending.length };
    }
    processed += response.ProcessedFindings?.length ?? 0;
    const unprocessed = response.UnprocessedFindings ?? [];
    const retry = unprocessed.filter((u) => isRetryableFindingCode(u.ErrorCode ?? ''));
    failed += unprocessed.length - retry.length;
    if (exhausted) return { processed, failed: failed + retry.length };
    pending = retry.map((u) => u.FindingIdentifier!);
  }
  return { processed, failed };
}
