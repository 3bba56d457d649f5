import {
  DEFAULT_REPOSITORY_RULES,
  expiryInstant,
  GateMode,
  inSourceSuppressionsOf,
  InSourceSuppressions,
  modeFor,
  modeStrictness,
  RepositoryRules,
  SecurityPolicy,
  SlaLimit,
  SlaLimits,
  Suppression,
} from './security-policy';
import { SEVERITY_LABELS, SeverityLabel, severityRank, Threshold } from './severity';

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
  /** What the repository made stricter in the gate rules (modes, SLAs, in-source suppressions), one note each. */
  readonly tightenedGate?: readonly string[];
  /** Looser gate rules the repository asked for and did not get, one note each. */
  readonly refusedGate?: readonly string[];
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
      rejected.push({
        suppression,
        reason: `expires ${suppression.expires}, later than the factory's maximum of ${rules.maxSuppressionDays} days (${latestDay})`,
      });
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
  const gate = combineGateRules(factory, repository);
  return {
    policy: {
      fileName: factory.fileName,
      stages,
      defaultThreshold,
      suppressions: [...factory.suppressions, ...accepted],
      repositoryRules: factory.repositoryRules,
      ...(gate.defaultMode ? { defaultMode: gate.defaultMode } : {}),
      ...(Object.keys(gate.stageModes).length > 0 ? { stageModes: gate.stageModes } : {}),
      ...(Object.keys(gate.sla).length > 0 ? { sla: gate.sla } : {}),
      ...(gate.inSourceSuppressions ? { inSourceSuppressions: gate.inSourceSuppressions } : {}),
    },
    accepted,
    rejected,
    tightened,
    tightenedGate: gate.notes,
    ...(gate.refused.length > 0 ? { refusedGate: gate.refused } : {}),
  };
}

function stricterMode(a: GateMode, b: GateMode | undefined): GateMode {
  return b !== undefined && modeStrictness(b) < modeStrictness(a) ? b : a;
}

/**
 * Gate modes, SLAs and in-source suppressions: the repository may only make them stricter. Each stage
 * either policy names gets the stricter of the factory's mode for it and the
 * repository's (its own, else its default); the default mode is the stricter
 * default; each SLA is the shorter one (a repository may add an SLA where the
 * factory has none: that makes existing findings fail sooner, never later); a repository may stop the gate
 * honouring in-source suppressions (`ignore`), never make it honour them when the factory does not.
 */
function combineGateRules(factory: SecurityPolicy, repository: SecurityPolicy): {
  defaultMode?: GateMode;
  stageModes: Record<string, GateMode>;
  sla: Partial<Record<SeverityLabel, SlaLimit>>;
  inSourceSuppressions?: InSourceSuppressions;
  notes: string[];
  refused: string[];
} {
  const notes: string[] = [];
  const factoryDefault = factory.defaultMode ?? 'all';
  const defaultMode = stricterMode(factoryDefault, repository.defaultMode);
  if (defaultMode !== factoryDefault) notes.push(`the default gate mode to ${defaultMode}`);
  const stageModes: Record<string, GateMode> = {};
  const maps = [factory.stages, repository.stages, factory.stageModes ?? {}, repository.stageModes ?? {}];
  const named = new Set(maps.flatMap((map) => Object.keys(map)));
  for (const stage of named) {
    const own = modeFor(factory, stage);
    const asked = repository.stageModes?.[stage] ?? repository.defaultMode;
    const mode = stricterMode(own, asked);
    const explicit = factory.stageModes?.[stage] !== undefined || repository.stageModes?.[stage] !== undefined;
    if (mode !== defaultMode || explicit) stageModes[stage] = mode;
    if (mode !== own && repository.stageModes?.[stage] !== undefined) notes.push(`stage ${stage} to gate mode ${mode}`);
  }
  const sla: Partial<Record<SeverityLabel, SlaLimit>> = { ...(factory.sla ?? {}) };
  for (const label of [...SEVERITY_LABELS].reverse()) {
    const asked = (repository.sla as SlaLimits | undefined)?.[label];
    const own = factory.sla?.[label];
    if (asked !== undefined && (own === undefined || asked.ms < own.ms)) {
      sla[label] = asked;
      notes.push(`the ${label} SLA to ${asked.text}`);
    }
  }
  let inSourceSuppressions = factory.inSourceSuppressions;
  if (inSourceSuppressionsOf(factory) === 'honour' && repository.inSourceSuppressions === 'ignore') {
    inSourceSuppressions = 'ignore';
    notes.push('gate.inSourceSuppressions to ignore');
  }
  const refused: string[] = [];
  if (inSourceSuppressionsOf(factory) === 'ignore' && repository.inSourceSuppressions === 'honour') {
    // Said aloud: the author may believe the comments in the code count, and reviewers should see that they do not.
    refused.push('gate.inSourceSuppressions honour (only the factory policy can honour in-source suppressions)');
  }
  const mode = factory.defaultMode === undefined && defaultMode === 'all' ? undefined : defaultMode;
  return { defaultMode: mode, stageModes, sla, inSourceSuppressions, notes, refused };
}

/** The lines `asff gate` prints about the repository's policy file: what it tightened, which suppressions did not count. */
export function combinationNotes(combined: CombinedPolicy, repositoryFile: string): string[] {
  return [
    ...Object.entries(combined.tightened).map(([stage, threshold]) => {
      const what = stage === 'default' ? 'the default threshold' : `stage ${stage}`;
      return `  note: ${repositoryFile} tightens ${what} to ${threshold}`;
    }),
    ...(combined.tightenedGate ?? []).map((what) => `  note: ${repositoryFile} tightens ${what}`),
    ...(combined.refusedGate ?? []).map((what) => `  note: ${repositoryFile} asks for ${what}: not applied`),
    ...combined.accepted.map(
      (s) => `  note: ${repositoryFile}:${s.line}: suppression of ${s.rule ?? s.id} accepted until ${s.expires}` +
        ` (${s.reason.replace(/\s+/g, ' ').slice(0, 120)})`,
    ),
    ...combined.rejected.map(
      (r) => `  note: ${repositoryFile}:${r.suppression.line}: suppression of ${r.suppression.rule ?? r.suppression.id} rejected: ${r.reason}`,
    ),
  ];
}
