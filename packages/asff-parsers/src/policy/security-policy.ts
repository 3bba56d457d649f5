import { ReportError } from '../errors';
import { SeverityLabel, Threshold } from './severity';
import type { LicensePolicy } from '../licenses/license-rules';

/** One accepted risk, written in the policy file with its reason and expiry. */
export interface Suppression {
  /** Suppresses exactly this finding Id. */
  readonly id?: string;
  /** Suppresses findings of this rule or vulnerability (e.g. `CVE-2024-1234`, `js/sql-injection`). */
  readonly rule?: string;
  /** With `rule`: only findings at a path matching this glob (e.g. `test/**`). */
  readonly path?: string;
  /** Why the risk is accepted; recorded in the Security Hub note. */
  readonly reason: string;
  /** The day the suppression ends (YYYY-MM-DD): it suppresses up to the end of the day before, UTC. */
  readonly expires: string;
  /** Only in these stages. Default: every stage. */
  readonly stages?: readonly string[];
  /** Line in the policy file, for messages. */
  readonly line: number;
}

/**
 * What an application repository's own policy file may add to the factory's policy (the `repository:`
 * section, read from the factory-owned policy only).
 */
export interface RepositoryRules {
  /** Whether the repository may propose suppressions at all. */
  readonly allowSuppressions: boolean;
  /** Longest a repository suppression may last, in days from the day of the build. */
  readonly maxSuppressionDays: number;
}

/** The rules when the factory policy has no `repository:` section: suppressions for at most 90 days. */
export const DEFAULT_REPOSITORY_RULES: RepositoryRules = { allowSuppressions: true, maxSuppressionDays: 90 };

/**
 * How a stage's findings count (docs/policy.md):
 * - `all`: every unsuppressed finding at or above the threshold fails the stage;
 * - `new`: only findings absent from the baseline (the default branch) fail, and existing ones once past their SLA;
 * - `sla`: only findings past their SLA (per-severity maximum age since first observed) fail.
 */
export type GateMode = 'all' | 'new' | 'sla';

/** Strictest first: `all` fails on a superset of what `new` fails on, which fails on a superset of `sla`'s. */
export const GATE_MODES: readonly GateMode[] = ['all', 'new', 'sla'];

/**
 * `gate.inSourceSuppressions`: whether the gate honours the suppressions a tool reports as written in the
 * scanned content itself (`# nosemgrep`, `#checkov:skip=`, a SARIF suppression of kind `inSource`): `ignore`
 * (the default) judges those findings like any other, since the commit under scan wrote the suppression;
 * `honour` lets them pass as suppressed. The stage's scanners also get their flags that turn such comments
 * off (`semgrep --disable-nosem`, `bandit --ignore-nosec`), read from the same setting (`asff policy`).
 */
export type InSourceSuppressions = 'honour' | 'ignore';

/** Stricter first: `ignore` gates on a superset of what `honour` gates on. */
export const IN_SOURCE_SUPPRESSIONS: readonly InSourceSuppressions[] = ['ignore', 'honour'];

/** The setting when the policy does not choose: the commit under scan does not switch off its own findings. */
export const DEFAULT_IN_SOURCE_SUPPRESSIONS: InSourceSuppressions = 'ignore';

/** A maximum age, as written (`7d`, `12h`) and in milliseconds. */
export interface SlaLimit {
  readonly text: string;
  readonly ms: number;
}

/** Maximum age per severity; a severity without one has no SLA. */
export type SlaLimits = Readonly<Partial<Record<SeverityLabel, SlaLimit>>>;

/** The parsed policy file. */
export interface SecurityPolicy {
  /** The file it was read from, for messages. */
  readonly fileName: string;
  /** Threshold per stage name. */
  readonly stages: Readonly<Record<string, Threshold>>;
  /** Threshold of stages the file does not list; undefined makes an unlisted stage an error. */
  readonly defaultThreshold?: Threshold;
  readonly suppressions: readonly Suppression[];
  /** The `repository:` section, when the file has one (meaningful in a factory policy). */
  readonly repositoryRules?: RepositoryRules;
  /** `gate.mode`: the mode of stages without their own. Undefined: `all`. */
  readonly defaultMode?: GateMode;
  /** `mode` of the stages that set one. */
  readonly stageModes?: Readonly<Record<string, GateMode>>;
  /** `gate.sla`. */
  readonly sla?: SlaLimits;
  /** `gate.inSourceSuppressions`; undefined: {@link DEFAULT_IN_SOURCE_SUPPRESSIONS}. */
  readonly inSourceSuppressions?: InSourceSuppressions;
  /** `licenses:`: the licence rules `asff licenses` judges an SBOM with. */
  readonly licenses?: LicensePolicy;
}

/** The gate mode of a stage: its own, else the policy's, else `all`. */
export function modeFor(policy: SecurityPolicy, stage: string): GateMode {
  return policy.stageModes?.[stage] ?? policy.defaultMode ?? 'all';
}

/** Whether the gate honours the suppressions tools report as written in the scanned content. */
export function inSourceSuppressionsOf(policy: SecurityPolicy): InSourceSuppressions {
  return policy.inSourceSuppressions ?? DEFAULT_IN_SOURCE_SUPPRESSIONS;
}

/** Lower is stricter. */
export function modeStrictness(mode: GateMode): number {
  return GATE_MODES.indexOf(mode);
}

/** The instant a suppression stops applying. */
export function expiryInstant(suppression: Suppression): number {
  return Date.parse(`${suppression.expires}T00:00:00.000Z`);
}

export function isExpired(suppression: Suppression, now: Date): boolean {
  return now.getTime() >= expiryInstant(suppression);
}

/** The stage's threshold; throws when the stage is neither listed nor covered by a default. */
export function thresholdFor(policy: SecurityPolicy, stage: string): Threshold {
  const threshold = policy.stages[stage] ?? policy.defaultThreshold;
  if (threshold === undefined) {
    const stages = Object.keys(policy.stages).join(', ') || 'none';
    throw new ReportError(policy.fileName, `stage '${stage}' has no threshold (stages: ${stages}; add it or a default)`);
  }
  return threshold;
}
