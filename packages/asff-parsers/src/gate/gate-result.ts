import { GateMode } from '../policy/security-policy';
import { SeverityLabel, Threshold } from '../policy/severity';

/**
 * How the gate judged one finding: `within-sla` meets the threshold but the
 * stage's mode lets it pass (an existing finding within its SLA, or in `sla`
 * mode a new one); `correlated` is the same vulnerability as another finding
 * of the build (another tool), counted once with that one.
 */
export type GateStatus = 'blocking' | 'below-threshold' | 'within-sla' | 'correlated' | 'suppressed' | 'archived';

/**
 * Where a finding stands against the baseline: absent from it, in it and
 * within its SLA (or without one), or in it for longer than its SLA.
 */
export type FindingAge = 'new' | 'existing' | 'overdue';

/** The part of a finding the gate's reports need (kept small: reports can hold many findings). */
export interface GatedFinding {
  readonly id: string;
  readonly title: string;
  readonly severity: SeverityLabel;
  /** The tool that reported it (the GeneratorId's first segment, e.g. `grype`), when the gate judges several. */
  readonly tool?: string;
  /** Rule or vulnerability id. */
  readonly rule: string;
  /** File (with line when known) or resource the finding points at. */
  readonly location?: string;
  readonly file?: string;
  readonly line?: number;
  readonly status: GateStatus;
  /** Why it is suppressed (policy reason, Workflow SUPPRESSED or the tool's own suppression). */
  readonly suppressedBecause?: string;
  /**
   * The tool reported it suppressed in the scanned content (`# nosemgrep`, `#checkov:skip=`), with this reason, and
   * the policy does not honour that (`gate.inSourceSuppressions: ignore`): judged like any other finding, and the
   * reports say so, so that reviewers see the attempt.
   */
  readonly inSourceSuppression?: string;
  /** An expired policy suppression that no longer applies to it. */
  readonly expiredSuppression?: { readonly reason: string; readonly expires: string };
  readonly remediationUrl?: string;
  /** Against the baseline; undefined when the gate had none. */
  readonly age?: FindingAge;
  /** First observation on the baseline, for existing and overdue findings. */
  readonly firstObservedAt?: string;
  /** The SLA that applies to its severity, e.g. `7d`. */
  readonly sla?: string;
  /** For a `correlated` finding: the Id of the finding it is counted with. */
  readonly correlatedWith?: string;
}

/** Unsuppressed ACTIVE findings (each vulnerability once) by their standing against the baseline. */
export interface AgeCounts {
  readonly new: number;
  readonly existing: number;
  readonly overdue: number;
}

export interface GateResult {
  readonly stage: string;
  readonly threshold: Threshold;
  /** The stage's gate mode. */
  readonly mode: GateMode;
  /** ACTIVE findings in the baseline; undefined when the gate had none. */
  readonly baselineSize?: number;
  /** Present when the gate had a baseline. */
  readonly ages?: AgeCounts;
  /** Findings counted with another finding of the same vulnerability (another tool). */
  readonly correlated: number;
  /** False when at least one finding is blocking. */
  readonly passed: boolean;
  /** Unsuppressed ACTIVE findings by severity, each vulnerability once (at its highest severity). */
  readonly counts: Readonly<Record<SeverityLabel, number>>;
  readonly blocking: number;
  readonly suppressed: number;
  readonly archived: number;
  /** Findings that a now-expired suppression would have covered. */
  readonly expiredSuppressions: number;
  /** Findings the tool reported suppressed in the scanned content, judged anyway (`gate.inSourceSuppressions: ignore`). */
  readonly ignoredInSourceSuppressions: number;
  /** Every ACTIVE finding, worst first (blocking, then by severity). */
  readonly findings: readonly GatedFinding[];
}

/** Whether the findings come from more than one tool, so that reports name each finding's tool. */
export function severalTools(findings: readonly GatedFinding[]): boolean {
  const tools = new Set(findings.map((f) => f.tool));
  return tools.size > 1;
}

/** `new`, `existing since 2026-01-05 (SLA 30d)`, `overdue: since 2026-01-05 (SLA 7d)`; undefined without a baseline. */
export function ageLabel(f: GatedFinding): string | undefined {
  if (f.age === undefined) return undefined;
  if (f.age === 'new') return 'new';
  const since = f.firstObservedAt ? ` since ${f.firstObservedAt.slice(0, 10)}` : '';
  const sla = f.sla ? ` (SLA ${f.sla})` : ' (no SLA)';
  return f.age === 'overdue' ? `overdue:${since}${sla}` : `existing${since}${sla}`;
}

/** The sentence the reports give a finding whose in-source suppression the gate did not honour. */
export function inSourceNote(f: GatedFinding): string | undefined {
  if (f.inSourceSuppression === undefined) return undefined;
  return `the tool reports it suppressed in the source (${f.inSourceSuppression}); not honoured: gate.inSourceSuppressions is ignore`;
}

/** The verdict line's stage description: the mode only when it is not the default `all`. */
export function gateHeading(result: GateResult): string {
  return `stage ${result.stage}, threshold ${result.threshold}${result.mode === 'all' ? '' : `, mode ${result.mode}`}`;
}
