import {
  AwsSecurityFinding,
  AwsSecurityFindingFilters,
  BatchImportFindingsCommand,
  BatchImportFindingsCommandOutput,
  RelatedFinding,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { BackoffOptions } from './backoff';
import { BatchLimits, SECURITY_HUB_BATCH_LIMITS } from './batch-limits';
import { Clock, systemClock } from './clock';
import { DeadLetterSink, MemoryDeadLetterSink } from './dead-letter';
import { errorCodeOf, errorMessageOf, isRetryableFindingCode } from './errors';
import { ImportProgress, ImportSummary } from './import-summary';
import { listFindings } from './list-findings';
import { pacedSend } from './paced-send';
import { asProviderFinding, withoutCustomerFields } from './prepare-finding';
import { isTransient, recordRequestFailure, startAttempt } from './request-retry';
import { checkScope, scopeFilters, scopeOf, withScope } from './scope';
import { BATCH_IMPORT_RATE, GET_FINDINGS_RATE, RateLimit, TokenBucket } from './token-bucket';
import { UpdateStamps } from './update-stamp';
import { CORRELATION_GROUP_PRODUCT_FIELD, CORRELATION_PRODUCT_FIELD, MAX_RELATED_FINDINGS } from '../asff/correlation';

export interface SecurityHubImporterOptions {
  /**
   * The Security Hub client. Create it with `maxAttempts: 1`: the importer
   * paces, retries and counts requests itself, and SDK retries would hide
   * throttling from it. Endpoint and credentials resolve as for any SDK v3
   * client (so `AWS_ENDPOINT_URL_SECURITYHUB` works).
   */
  readonly client: SecurityHubClient;
  /** Where findings that still fail go. Default: kept in memory ({@link MemoryDeadLetterSink}). */
  readonly deadLetter?: DeadLetterSink;
  /**
   * The scope (repository + branch + stage/tool, see `formatScope`) recorded
   * on every finding; required by {@link SecurityHubImporter.archiveMissing}.
   */
  readonly scope?: string;
  /**
   * The product ARN of the findings, used to find the scope's stored findings
   * when the report is empty. Default: taken from the imported findings.
   */
  readonly productArn?: string;
  /**
   * With a scope: read the scope's stored findings (ACTIVE and ARCHIVED) once
   * before importing, so that each finding keeps its stored `CreatedAt` and
   * `FirstObservedAt` (Security Hub replaces both with whatever an update
   * carries) and {@link SecurityHubImporter.archiveMissing} needs no second
   * read. Default true; false imports without reading (age is then lost).
   */
  readonly keepObservations?: boolean;
  /**
   * With a scope: give each vulnerability finding with a correlation key the
   * other tools' ACTIVE findings of the same key as RelatedFindings, read with
   * one paged GetFindings pass per correlation group (repository, branch and
   * image) when the first such finding arrives. Default true.
   */
  readonly relateFindings?: boolean;
  /** BatchImportFindings pacing. Default 10 requests/s, burst 30 (the Security Hub quota). */
  readonly importRate?: RateLimit;
  /** GetFindings pacing. Default 3 requests/s, burst 6 (the Security Hub quota). */
  readonly getFindingsRate?: RateLimit;
  /**
   * The BatchImportFindings bucket to pace with instead of a new one at
   * `importRate`: imports run one after another by one process (the Lambda's
   * execution environment) share it, so the rate a throttle taught one import
   * is where the next one starts, as the SDK's adaptive mode keeps its rate per client.
   */
  readonly importBucket?: TokenBucket;
  /** The GetFindings bucket to share, as `importBucket`. */
  readonly getFindingsBucket?: TokenBucket;
  /**
   * When the run started, for a run that continues an earlier invocation's
   * (see {@link ImportRun.skip}): new findings are first observed, and all
   * last observed, at this time. Default: when the importer was created.
   */
  readonly runStarted?: Date;
  /** Requests in flight at once; enough to reach the rate when each takes a few hundred ms. Default 10. */
  readonly maxInFlight?: number;
  /** Requests per batch before its findings go to the dead letter. Default 10. */
  readonly maxAttempts?: number;
  readonly backoff?: BackoffOptions;
  readonly limits?: BatchLimits;
  readonly clock?: Clock;
  /** Source of jitter. Default Math.random. */
  readonly random?: () => number;
  readonly onProgress?: (progress: ImportProgress) => void;
}

/** How far one call of {@link SecurityHubImporter.import} may go. */
export interface ImportRun {
  /**
   * Asked before each new batch (after the first): true stops the import once
   * the batches already sent are answered, so that a run can end before the
   * time it has (a Lambda invocation's) and another continue it.
   */
  readonly shouldStop?: () => boolean;
  /**
   * Findings at the start of the input that an earlier run of the same report
   * already imported or dead-lettered ({@link ImportOutcome.findingsRead} of
   * that run): read again, so that archiving knows them, but not sent.
   */
  readonly skip?: number;
}

/** Where a call of {@link SecurityHubImporter.import} or {@link SecurityHubImporter.archiveMissing} ended. */
export interface ImportOutcome {
  /** False when `shouldStop` ended it before the input did. */
  readonly complete: boolean;
  /**
   * Findings of the input read and settled (imported or dead-lettered), the
   * skipped ones included: where a later run continues ({@link ImportRun.skip}).
   */
  readonly findingsRead: number;
}

/** A finding on its way, with what the dead letter needs to know about it. */
interface Pending {
  readonly finding: AwsSecurityFinding;
  attempts: number;
  possiblyImported: boolean;
}

const findingKey = (productArn: string | undefined, id: string | undefined) => `${productArn}\u0000${id}`;

/** What the importer keeps of a stored finding of its scope (one GetFindings pass, before importing). */
interface StoredFinding {
  readonly createdAt?: string;
  readonly firstObservedAt?: string;
  readonly updatedAt?: string;
  /**
   * The stored finding as JSON when it is ACTIVE and the importer's own, kept
   * for archiving it if the report no longer has it. A string costs a byte per
   * character; the parsed object would cost several times more.
   */
  readonly activeJson?: string;
}

/**
 * Imports findings into Security Hub at its rate limit without losing any:
 * each finding is accepted by Security Hub or written to the dead letter with
 * its error code. One instance is one run: counters, the UpdatedAt stamp and
 * the set of findings seen (for {@link archiveMissing}) belong to it.
 */
export class SecurityHubImporter {
  private readonly client: SecurityHubClient;
  private readonly deadLetter: DeadLetterSink;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly limits: BatchLimits;
  private readonly maxInFlight: number;
  private readonly maxAttempts: number;
  private readonly importBucket: TokenBucket;
  private readonly getBucket: TokenBucket;
  private readonly stamps: UpdateStamps;
  private readonly started: number;
  private readonly seen = new Set<string>();
  /** The scope's stored findings by key, once read; undefined before (or without a scope). */
  private stored?: Map<string, StoredFinding>;
  private readonly runStartIso: string;
  /** Correlation group -> (correlation key -> other tools' findings), per group once read. */
  private readonly related = new Map<string, Map<string, RelatedFinding[]>>();
  private readonly productArns = new Set<string>();
  /** Findings taken from the input of {@link import}, skipped ones included. */
  private read = 0;
  private readonly counts = { imported: 0, failed: 0, archived: 0, requests: 0, throttled: 0, retried: 0 };

  constructor(private readonly options: SecurityHubImporterOptions) {
    this.client = options.client;
    this.deadLetter = options.deadLetter ?? new MemoryDeadLetterSink();
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.limits = options.limits ?? SECURITY_HUB_BATCH_LIMITS;
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 10);
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 10);
    this.importBucket = options.importBucket ?? new TokenBucket(options.importRate ?? BATCH_IMPORT_RATE, this.clock);
    this.getBucket = options.getFindingsBucket ?? new TokenBucket(options.getFindingsRate ?? GET_FINDINGS_RATE, this.clock);
    this.stamps = new UpdateStamps(this.clock);
    this.started = this.clock.now();
    this.runStartIso = (options.runStarted ?? new Date(this.started)).toISOString();
    if (options.scope !== undefined) checkScope(options.scope);
    if (options.productArn) this.productArns.add(options.productArn);
  }

  /**
   * Imports the findings as ACTIVE, in requests of at most 100 findings and
   * 6 MB, paced at the quota. Customer-owned fields are stripped and UpdatedAt
   * is set later than any stored value, so updates apply and triage survives.
   */
  async import(findings: AsyncIterable<AwsSecurityFinding> | Iterable<AwsSecurityFinding>, run: ImportRun = {}): Promise<ImportOutcome> {
    const complete = await this.pump(this.prepareForImport(this.afterReadingStored(findings), run.skip ?? 0), run.shouldStop);
    return { complete, findingsRead: this.read };
  }

  /**
   * Re-imports as ARCHIVED every ACTIVE finding of the scope that this run has
   * not imported (the issue was fixed). Call after {@link import}, and only
   * when the whole report was read: an incomplete report would archive live findings.
   * Stopped by `shouldStop`, it can be continued by another importer of the
   * same scope: the findings archived so far are ARCHIVED when it reads the scope.
   */
  async archiveMissing(run: Pick<ImportRun, 'shouldStop'> = {}): Promise<ImportOutcome> {
    const scope = this.options.scope;
    if (scope === undefined) throw new Error('archiveMissing needs the scope the findings were imported with');
    // Read before the import (or now, when nothing was imported), never while
    // archiving: changing RecordState while paging would shift the pages.
    const stored = this.stored ?? await this.readStored(scope);
    const missing: AwsSecurityFinding[] = [];
    for (const [key, entry] of stored) {
      if (entry.activeJson === undefined || this.seen.has(key)) continue;
      const finding = JSON.parse(entry.activeJson) as AwsSecurityFinding;
      if (this.isOwnProduct(finding)) missing.push(finding);
    }
    const archived = missing.map((finding) => ({
      ...asProviderFinding(finding),
      RecordState: 'ARCHIVED' as const,
      UpdatedAt: this.stamps.forReplacing(finding.UpdatedAt),
    }));
    const before = this.counts.imported;
    const complete = await this.pump(archived, run.shouldStop);
    this.counts.archived += this.counts.imported - before;
    this.counts.imported = before;
    return { complete, findingsRead: this.read };
  }

  /** Counters of the run so far. */
  summary(): ImportSummary {
    return { ...this.counts, seconds: Math.round((this.clock.now() - this.started) / 10) / 100 };
  }

  /** Flushes the dead letter; returns the number of dead letters. */
  async close(): Promise<number> {
    return this.deadLetter.close();
  }

  private async *prepareForImport(
    source: AsyncIterable<AwsSecurityFinding> | Iterable<AwsSecurityFinding>,
    skip: number,
  ): AsyncIterable<AwsSecurityFinding> {
    for await (const raw of source) {
      this.read++;
      if (this.read <= skip) {
        // Settled by an earlier run: present in the report, so never archived.
        this.seen.add(findingKey(raw.ProductArn, raw.Id));
        if (raw.ProductArn) this.productArns.add(raw.ProductArn);
        continue;
      }
      const stored = this.stored?.get(findingKey(raw.ProductArn, raw.Id));
      let finding: AwsSecurityFinding = {
        ...withoutCustomerFields(raw),
        RecordState: raw.RecordState ?? 'ACTIVE',
        // Later than the stored value too: an update that is not later is silently ignored.
        UpdatedAt: this.stamps.forImport(latest(raw.UpdatedAt, stored?.updatedAt)),
        ...this.observations(raw, stored),
      };
      finding = withRelatedFindings(finding, await this.relatedFindingsOf(finding));
      if (this.options.scope !== undefined) finding = withScope(finding, this.options.scope);
      const key = findingKey(finding.ProductArn, finding.Id);
      if (this.seen.has(key)) {
        // A second finding with the same Id would silently overwrite the first in Security Hub.
        await this.reject(
          { finding, attempts: 0, possiblyImported: false },
          'DuplicateFindingId',
          'Another finding of this report has the same Id and ProductArn',
        );
        continue;
      }
      this.seen.add(key);
      if (finding.ProductArn) this.productArns.add(finding.ProductArn);
      yield finding;
    }
  }

  /**
   * Age fields: CreatedAt and FirstObservedAt as stored (or the earlier
   * observation the tool reports itself), LastObservedAt this run. Without a
   * read of the stored findings nothing is known, so only LastObservedAt is set.
   */
  private observations(raw: AwsSecurityFinding, stored: StoredFinding | undefined): Partial<AwsSecurityFinding> {
    const last = this.runStartIso;
    if (this.stored === undefined) return { LastObservedAt: latest(raw.LastObservedAt, last) };
    const first = earliest(stored?.firstObservedAt ?? stored?.createdAt, raw.FirstObservedAt) ?? last;
    return {
      CreatedAt: stored?.createdAt ?? raw.CreatedAt,
      FirstObservedAt: earliest(first, last),
      LastObservedAt: latest(raw.LastObservedAt, last),
    };
  }

  /**
   * Reads the scope's stored findings before the first finding is imported.
   * The first finding is taken from the source first, so that its ProductArn
   * narrows the query when the options did not give one.
   */
  private async *afterReadingStored(source: AsyncIterable<AwsSecurityFinding> | Iterable<AwsSecurityFinding>): AsyncIterable<AwsSecurityFinding> {
    const scope = this.options.scope;
    if (scope === undefined || this.options.keepObservations === false || this.stored !== undefined) {
      yield* source;
      return;
    }
    let read = false;
    for await (const finding of source) {
      if (!read) {
        if (finding.ProductArn && this.productArns.size === 0) this.productArns.add(finding.ProductArn);
        this.stored = await this.readStored(scope);
        read = true;
      }
      yield finding;
    }
    if (!read) this.stored = await this.readStored(scope);
  }

  /** The other tools' findings of the same vulnerability, from the finding's correlation group (read once). */
  private async relatedFindingsOf(finding: AwsSecurityFinding): Promise<readonly RelatedFinding[]> {
    const key = finding.ProductFields?.[CORRELATION_PRODUCT_FIELD];
    const group = finding.ProductFields?.[CORRELATION_GROUP_PRODUCT_FIELD];
    const scope = this.options.scope;
    if (key === undefined || group === undefined || scope === undefined || this.options.relateFindings === false) return [];
    let byKey = this.related.get(group);
    if (byKey === undefined) {
      byKey = new Map();
      this.related.set(group, byKey);
      const filters: AwsSecurityFindingFilters = {
        ProductFields: [{ Key: CORRELATION_GROUP_PRODUCT_FIELD, Value: group, Comparison: 'EQUALS' }],
        RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
        ...(finding.ProductArn ? { ProductArn: [{ Value: finding.ProductArn, Comparison: 'EQUALS' }] } : {}),
      };
      for await (const other of listFindings(filters, this.pacedGet())) {
        const otherKey = other.ProductFields?.[CORRELATION_PRODUCT_FIELD];
        // The scope's own findings are one tool's: relating them would relate a finding to itself or its own duplicates.
        if (otherKey === undefined || scopeOf(other) === scope || !other.Id || !other.ProductArn) continue;
        const list = byKey.get(otherKey) ?? [];
        if (list.length < MAX_RELATED_FINDINGS) list.push({ ProductArn: other.ProductArn, Id: other.Id });
        byKey.set(otherKey, list);
      }
    }
    return byKey.get(key) ?? [];
  }

  /** One paged GetFindings pass over the scope, ACTIVE and ARCHIVED. */
  private async readStored(scope: string): Promise<Map<string, StoredFinding>> {
    const stored = new Map<string, StoredFinding>();
    for await (const finding of this.findingsOfScope(scope)) {
      const own = this.isOwnProduct(finding);
      stored.set(findingKey(finding.ProductArn, finding.Id), {
        createdAt: finding.CreatedAt,
        firstObservedAt: finding.FirstObservedAt,
        updatedAt: finding.UpdatedAt,
        activeJson: own && finding.RecordState !== 'ARCHIVED' ? JSON.stringify(finding) : undefined,
      });
    }
    return stored;
  }

  private isOwnProduct(finding: AwsSecurityFinding): boolean {
    return this.productArns.size === 0
      ? /:product\/(\d{12})\/default$/.exec(finding.ProductArn ?? '')?.[1] === finding.AwsAccountId
      : this.productArns.has(finding.ProductArn ?? '');
  }

  private async *findingsOfScope(scope: string): AsyncIterable<AwsSecurityFinding> {
    // ARCHIVED ones too: a finding that reappears keeps its first observation.
    const { RecordState: _active, ...ofScope } = scopeFilters(scope);
    const filters = {
      ...ofScope,
      ...(this.productArns.size > 0
        ? { ProductArn: [...this.productArns].map((arn) => ({ Value: arn, Comparison: 'EQUALS' as const })) }
        : {}),
    };
    for await (const finding of listFindings(filters, this.pacedGet())) {
      if (scopeOf(finding) === scope) yield finding;
    }
  }

  private pacedGet() {
    return {
      client: this.client,
      bucket: this.getBucket,
      maxAttempts: this.maxAttempts,
      backoff: this.options.backoff,
      clock: this.clock,
      random: this.random,
      counters: this.counts,
    };
  }

  /**
   * Batches the findings and keeps up to maxInFlight requests going. Returns
   * false when `shouldStop` ended it early: then every finding taken from
   * the source was settled and the source was not read further.
   */
  private async pump(source: AsyncIterable<AwsSecurityFinding> | Iterable<AwsSecurityFinding>, shouldStop?: () => boolean): Promise<boolean> {
    const inFlight = new Set<Promise<void>>();
    let dispatched = 0;
    const dispatch = async (batch: Pending[]) => {
      while (inFlight.size >= this.maxInFlight) await Promise.race(inFlight);
      const sending: Promise<void> = this.sendBatch(batch).finally(() => inFlight.delete(sending));
      inFlight.add(sending);
      dispatched++;
    };
    const iterator = Symbol.asyncIterator in source
      ? (source as AsyncIterable<AwsSecurityFinding>)[Symbol.asyncIterator]()
      : (source as Iterable<AwsSecurityFinding>)[Symbol.iterator]();
    let batch: Pending[] = [];
    let batchBytes = 2;
    let complete = true;
    for (;;) {
      // Only between batches, and never before the first: each run moves the import on by at least one batch.
      if (batch.length === 0 && dispatched > 0 && shouldStop?.()) {
        complete = false;
        await iterator.return?.();
        break;
      }
      const next = await iterator.next();
      if (next.done) break;
      const finding = next.value;
      const bytes = Buffer.byteLength(JSON.stringify(finding)) + 1;
      if (bytes > this.limits.maxFindingBytes) {
        await this.reject(
          { finding, attempts: 0, possiblyImported: false },
          'FindingSizeExceeded',
          `The finding is ${bytes} bytes; Security Hub accepts at most ${this.limits.maxFindingBytes}`,
        );
        continue;
      }
      // One account per request: Security Hub refuses a whole call for one foreign finding.
      const accountChanged = batch.length > 0 && batch[0].finding.AwsAccountId !== finding.AwsAccountId;
      if (batch.length > 0 && (accountChanged || batchBytes + bytes > this.limits.maxBytes)) {
        await dispatch(batch);
        batch = [];
        batchBytes = 2;
      }
      batch.push({ finding, attempts: 0, possiblyImported: false });
      batchBytes += bytes;
      // A full batch leaves at once, so that a stop between batches leaves no finding taken but unsent.
      if (batch.length >= this.limits.maxFindings) {
        await dispatch(batch);
        batch = [];
        batchBytes = 2;
      }
    }
    if (batch.length > 0) await dispatch(batch);
    await Promise.all(inFlight);
    return complete;
  }

  private async sendBatch(batch: Pending[]): Promise<void> {
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      await startAttempt(
        attempt,
        { maxAttempts: this.maxAttempts, backoff: this.options.backoff, clock: this.clock, random: this.random, counters: this.counts },
      );
      for (const p of pending) p.attempts++;
      const exhausted = attempt >= this.maxAttempts;
      let response: BatchImportFindingsCommandOutput;
      try {
        response = await pacedSend<BatchImportFindingsCommandOutput>(
          this.client,
          new BatchImportFindingsCommand({ Findings: pending.map((p) => p.finding) }),
          this.importBucket,
        );
      } catch (error) {
        const kind = recordRequestFailure(error, { bucket: this.importBucket, counters: this.counts });
        if (kind === 'retryable') {
          // A 5xx or a lost connection may come after Security Hub stored the findings.
          for (const p of pending) p.possiblyImported = true;
        }
        if (isTransient(kind) && !exhausted) continue;
        if (kind === 'splittable' && pending.length > 1) {
          const half = Math.ceil(pending.length / 2);
          await Promise.all([this.sendBatch(pending.slice(0, half)), this.sendBatch(pending.slice(half))]);
          return;
        }
        for (const p of pending) await this.reject(p, errorCodeOf(error), errorMessageOf(error));
        this.progress();
        return;
      }
      const failures = new Map((response.FailedFindings ?? []).map((f) => [f.Id, f]));
      const retry: Pending[] = [];
      for (const p of pending) {
        const failure = failures.get(p.finding.Id);
        if (!failure) {
          this.counts.imported++;
        } else if (isRetryableFindingCode(failure.ErrorCode ?? '') && !exhausted) {
          retry.push(p);
        } else {
          await this.reject(p, failure.ErrorCode ?? 'UnknownError', failure.ErrorMessage ?? '');
        }
      }
      pending = retry;
      this.progress();
    }
  }

  private async reject(p: Pending, errorCode: string, errorMessage: string): Promise<void> {
    this.counts.failed++;
    await this.deadLetter.write({ finding: p.finding, errorCode, errorMessage, attempts: p.attempts, possiblyImported: p.possiblyImported });
  }

  private progress(): void {
    const { imported, failed, requests, throttled } = this.counts;
    this.options.onProgress?.({ imported, failed, requests, throttled });
  }
}

/** The later of two timestamps (either may be absent or invalid). */
function latest(a: string | undefined, b: string | undefined): string | undefined {
  return pick(a, b, (x, y) => x >= y);
}

/** The earlier of two timestamps (either may be absent or invalid). */
function earliest(a: string | undefined, b: string | undefined): string | undefined {
  return pick(a, b, (x, y) => x <= y);
}

function pick(a: string | undefined, b: string | undefined, first: (x: number, y: number) => boolean): string | undefined {
  const x = a ? Date.parse(a) : NaN;
  const y = b ? Date.parse(b) : NaN;
  if (Number.isNaN(x)) return Number.isNaN(y) ? undefined : b;
  if (Number.isNaN(y)) return a;
  return first(x, y) ? a : b;
}

/**
 * The finding with the related findings as the provider's (FindingProviderFields,
 * which Security Hub copies to the top level unless an analyst changed it there)
 * and at the top level, at most 10 as Security Hub allows, its own first.
 */
function withRelatedFindings(finding: AwsSecurityFinding, related: readonly RelatedFinding[]): AwsSecurityFinding {
  if (related.length === 0) return finding;
  const seen = new Set<string>();
  const merged = [...(finding.FindingProviderFields?.RelatedFindings ?? finding.RelatedFindings ?? []), ...related]
    .filter((r) => {
      const key = findingKey(r.ProductArn, r.Id);
      if (seen.has(key) || (r.Id === finding.Id && r.ProductArn === finding.ProductArn)) return false;
      seen.add(key);
      return true;
    })
    .slice(0, MAX_RELATED_FINDINGS);
  return { ...finding, RelatedFindings: merged, FindingProviderFields: { ...finding.FindingProviderFields, RelatedFindings: merged } };
}
