import { SeverityLabel, Threshold } from '../policy/severity';

/** How the gate judged one finding. */
export type GateStatus = 'blocking' | 'below-threshold' | 'suppressed' | 'archived';

/** The part of a finding the gate's reports need (kept small: reports can hold many findings). */
export interface GatedFinding {
  readonly id: string;
  readonly title: string;
  readonly severity: SeverityLabel;
  /** Rule or vulnerability id. */
  readonly rule: string;
  /** File (with line when known) or resource the finding points at. */
  readonly location?: string;
  readonly file?: string;
  readonly line?: number;
  readonly status: GateStatus;
  /** Why it is suppressed (policy reason, Workflow SUPPRESSED or the tool's own suppression). */
  readonly suppressedBecause?: string;
  /** An expired policy suppression that no longer applies to it. */
  readonly expiredSuppression?: { readonly reason: string; readonly expires: string };
  readonly remediationUrl?: string;
}

export interface GateResult {
  readonly stage: string;
  readonly threshold: Threshold;
  /** False when at least one finding is blocking. */
  readonly passed: boolean;
  /** Unsuppressed ACTIVE findings by severity. */
  readonly counts: Readonly<Record<SeverityLabel, number>>;
  readonly blocking: number;
  readonly suppressed: number;
  readonly archived: number;
  /** Findings that a now-expired suppression would have covered. */
  readonly expiredSuppressions: number;
  /** Every ACTIVE finding, worst first (blocking, then by severity). */
  readonly findings: readonly GatedFinding[];
}
