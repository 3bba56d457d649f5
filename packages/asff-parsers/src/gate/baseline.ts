import { AwsSecurityFinding, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { correlationKeyOf, fingerprintOf } from '../asff/correlation';
import { systemClock } from '../importer/clock';
import { listFindings } from '../importer/list-findings';
import { scopeFilters } from '../importer/scope';
import { GET_FINDINGS_RATE, TokenBucket } from '../importer/token-bucket';

/** What the baseline knows about a finding of the build. */
export interface BaselineMatch {
  /** When the issue was first observed on the baseline (its FirstObservedAt, else CreatedAt). */
  readonly firstObservedAt?: string;
}

/**
 * The findings a build is compared with in `new` and `sla` gating: the
 * default branch's ACTIVE findings of the same stage and tools. A finding of
 * the build is "existing" when the baseline has the same issue: the same
 * fingerprint (the Id without the branch), the same Id, or, for a
 * vulnerability in a package, the same correlation key (another tool saw it).
 */
export class Baseline {
  /** Builds a baseline from findings (a findings file, or GetFindings). ARCHIVED ones are fixed and do not count. */
  static async from(findings: AsyncIterable<AwsSecurityFinding> | Iterable<AwsSecurityFinding>): Promise<Baseline> {
    const baseline = new Baseline();
    for await (const finding of findings) baseline.add(finding);
    return baseline;
  }

  private readonly firstSeen = new Map<string, number>();
  private count = 0;

  /** Distinct ACTIVE baseline findings (a finding read twice, e.g. from overlapping sources, counts once). */
  get size(): number {
    return this.count;
  }

  add(finding: AwsSecurityFinding): void {
    if (finding.RecordState === 'ARCHIVED') return;
    if (!this.firstSeen.has(`id:${finding.Id}`)) this.count++;
    const observed = Date.parse(finding.FirstObservedAt ?? finding.CreatedAt ?? '');
    const at = Number.isNaN(observed) ? Number.POSITIVE_INFINITY : observed;
    for (const key of keysOf(finding)) {
      const known = this.firstSeen.get(key);
      if (known === undefined || at < known) this.firstSeen.set(key, at);
    }
  }

  /** Undefined when the finding is new (not in the baseline). */
  match(finding: AwsSecurityFinding): BaselineMatch | undefined {
    let earliest: number | undefined;
    for (const key of keysOf(finding)) {
      const at = this.firstSeen.get(key);
      if (at !== undefined && (earliest === undefined || at < earliest)) earliest = at;
    }
    if (earliest === undefined) return undefined;
    return Number.isFinite(earliest) ? { firstObservedAt: new Date(earliest).toISOString() } : {};
  }
}

function keysOf(finding: AwsSecurityFinding): string[] {
  const keys = [`fingerprint:${fingerprintOf(finding)}`, `id:${finding.Id}`];
  const correlation = correlationKeyOf(finding);
  if (correlation !== undefined) keys.push(`correlation:${correlation}`);
  return keys;
}

/**
 * The ACTIVE findings of the given scopes in Security Hub (the default
 * branch's scopes of this stage's tools), paged at the GetFindings quota.
 */
export async function* findingsOfScopes(client: SecurityHubClient, scopes: readonly string[]): AsyncIterable<AwsSecurityFinding> {
  const bucket = new TokenBucket(GET_FINDINGS_RATE);
  const counters = { requests: 0, throttled: 0, retried: 0 };
  for (const scope of scopes) {
    yield* listFindings(scopeFilters(scope), { client, bucket, maxAttempts: 10, clock: systemClock, random: Math.random, counters });
  }
}
