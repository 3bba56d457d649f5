import { DEFAULT_REPOSITORY_RULES, expiryInstant, RepositoryRules, SecurityPolicy, Suppression } from './security-policy';
import { severityRank, Threshold } from './severity';

/** A suppression of the repository's policy file that the factory's rules do not allow, and why. */
export interface RejectedSuppression {
  readonly suppression: Suppression;
  readonly reason: string;
}

/** The policy a stage is gated with: the factory's, tightened and extended by the repository's within its rules. */
export interface CombinedPolicy {
  readonly policy: SecurityPolicy;
  /** Repository suppressions that count (each also in `policy.suppressions`). */
  readonly accepted: readonly Suppression[];
  readonly rejected: readonly RejectedSuppression[];
  /** Stage (or `default`) -> the stricter threshold the repository set. */
  readonly tightened: Readonly<Record<string, Threshold>>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Lower is stricter: INFORMATIONAL fails on anything, NONE never fails. */
function strictness(threshold: Threshold): number {
  return threshold === 'NONE' ? Number.POSITIVE_INFINITY : severityRank(threshold);
}

/**
 * The repository's suppressions that the factory's rules accept: only when the factory allows repository
 * suppressions at all, and only those that end within `maxSuppressionDays` of `now` (a suppression written
 * to expire in 9999 is refused, not shortened: the author must choose a date the factory accepts).
 */
export function acceptRepositorySuppressions(
  suppressions: readonly Suppression[],
  rules: RepositoryRules,
  now: Date,
): { accepted: Suppression[]; rejected: RejectedSuppression[] } {
  const accepted: Suppression[] = [];
  const rejected: RejectedSuppression[] = [];
  const latest = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + rules.maxSuppressionDays * DAY_MS);
  const latestDay = latest.toISOString().slice(0, 10);
  for (const suppression of suppressions) {
    if (!rules.allowSuppressions) {
      rejected.push({ suppression, reason: 'the factory policy accepts no suppressions from the repository' });
    } else if (expiryInstant(suppression) > latest.getTime()) {
      rejected.push({ suppression, reason: `expires ${suppression.expires}, later than the factory's maximum of ${rules.maxSuppressionDays} days (${latestDay})` });
    } else {
      accepted.push(suppression);
    }
  }
  return { accepted, rejected };
}

/**
 * Combines the factory-owned policy (thresholds, rules for repositories, its own suppressions) with the
 * policy file of the application repository, which may only tighten thresholds and propose suppressions
 * that count within the factory's rules. A repository threshold looser than the factory's is ignored.
 */
export function combinePolicies(factory: SecurityPolicy, repository: SecurityPolicy | undefined, now: Date): CombinedPolicy {
  if (!repository) return { policy: factory, accepted: [], rejected: [], tightened: {} };
  const stages: Record<string, Threshold> = { ...factory.stages };
  const tightened: Record<string, Threshold> = {};
  for (const [stage, threshold] of Object.entries(repository.stages)) {
    const own = factory.stages[stage] ?? factory.defaultThreshold;
    if (own === undefined || strictness(threshold) < strictness(own)) {
      stages[stage] = threshold;
      tightened[stage] = threshold;
    } else {
      // Pinned to the factory's: a stricter repository default below must not make a looser stage entry stricter still.
      stages[stage] = own;
    }
  }
  let defaultThreshold = factory.defaultThreshold;
  const repositoryDefault = repository.defaultThreshold;
  if (repositoryDefault !== undefined && (defaultThreshold === undefined || strictness(repositoryDefault) < strictness(defaultThreshold))) {
    // A stricter repository default applies to the stages the factory only covers by its default.
    defaultThreshold = repositoryDefault;
    tightened.default = repositoryDefault;
  }
  const { accepted, rejected } = acceptRepositorySuppressions(repository.suppressions, factory.repositoryRules ?? DEFAULT_REPOSITORY_RULES, now);
  return {
    policy: {
      fileName: factory.fileName,
      stages,
      defaultThreshold,
      suppressions: [...factory.suppressions, ...accepted],
      repositoryRules: factory.repositoryRules,
    },
    accepted,
    rejected,
    tightened,
  };
}

/** The lines `asff gate` prints about the repository's policy file: what it tightened, which suppressions did not count. */
export function combinationNotes(combined: CombinedPolicy, repositoryFile: string): string[] {
  return [
    ...Object.entries(combined.tightened).map(([stage, threshold]) => `  note: ${repositoryFile} tightens ${stage === 'default' ? 'the default threshold' : `stage ${stage}`} to ${threshold}`),
    ...combined.accepted.map((s) => `  note: ${repositoryFile}:${s.line}: suppression of ${s.rule ?? s.id} accepted until ${s.expires} (${s.reason.replace(/\s+/g, ' ').slice(0, 120)})`),
    ...combined.rejected.map((r) => `  note: ${repositoryFile}:${r.suppression.line}: suppression of ${r.suppression.rule ?? r.suppression.id} rejected: ${r.reason}`),
  ];
}
