import { LicenseExpression, LicenseTerm, termName } from './spdx-expression';
import type { SeverityLabel } from '../parsers/parser';
import { severityRank } from '../policy/severity';

/**
 * What to do with a component whose licence cannot be judged (none declared, or an id on no list):
 * `pass` ignores it, `report` files an INFORMATIONAL finding (seen in Security Hub, never blocking at a threshold
 * above INFORMATIONAL), `fail` files a violation at the policy's severity.
 */
export type UnlicensedTreatment = 'pass' | 'report' | 'fail';

/** Least strict first. */
export const UNLICENSED_TREATMENTS: readonly UnlicensedTreatment[] = ['pass', 'report', 'fail'];

/** A `licenses:` block as written (the section itself, or one of its `stages:` entries): what it sets. */
export interface LicenseRuleSettings {
  /** Licences that are violations wherever they appear (canonical names, `L` or `L WITH E`). */
  readonly deny?: readonly string[];
  /** When set, every licence not on it is a violation. */
  readonly allow?: readonly string[];
  /** Severity of a violation (default HIGH). */
  readonly severity?: SeverityLabel;
  readonly unlicensed?: UnlicensedTreatment;
}

/** The `licenses:` section of a policy file. */
export interface LicensePolicy extends LicenseRuleSettings {
  /** Per stage: each key set there replaces the section's for that stage. */
  readonly stages?: Readonly<Record<string, LicenseRuleSettings>>;
}

/** The rules that judge one stage's SBOM. */
export interface LicenseRules {
  readonly deny: readonly string[];
  readonly allow?: readonly string[];
  readonly severity: SeverityLabel;
  readonly unlicensed: UnlicensedTreatment;
}

export const DEFAULT_VIOLATION_SEVERITY: SeverityLabel = 'HIGH';

/**
 * The stage's rules: the stage's entry, key by key, else the section's. Undefined when the policy sets no licence
 * rule for the stage (nothing to judge). Without `unlicensed`, a component without a licence fails when an allow
 * list applies (a licence nobody can name is not on it) and is reported otherwise.
 */
export function licenseRulesFor(policy: LicensePolicy | undefined, stage: string): LicenseRules | undefined {
  if (policy === undefined) return undefined;
  const own = policy.stages?.[stage] ?? {};
  const deny = own.deny ?? policy.deny;
  const allow = own.allow ?? policy.allow;
  if (deny === undefined && allow === undefined) return undefined;
  const unlicensed = own.unlicensed ?? policy.unlicensed;
  return {
    deny: deny ?? [],
    ...(allow !== undefined ? { allow } : {}),
    severity: own.severity ?? policy.severity ?? DEFAULT_VIOLATION_SEVERITY,
    unlicensed: unlicensed ?? (allow !== undefined ? 'fail' : 'report'),
  };
}

/** Whether `list` covers the licence `name` (`L` or `L WITH E`): the same entry, or `L` for `L WITH E`. */
export function listCovers(list: readonly string[], name: string): boolean {
  if (list.includes(name)) return true;
  const withAt = name.indexOf(' WITH ');
  return withAt > 0 && list.includes(name.slice(0, withAt));
}

/**
 * The rules of the factory's policy for a stage, tightened by the repository's: the repository may only add to
 * the deny list, narrow the allow list (an entry counts only when both lists cover it; a repository allow list
 * where the factory has none applies as it is), raise the severity and treat unlicensed components more strictly.
 * Nothing the factory denies can be allowed back. Returns the rules and a note per tightening.
 */
export function combineLicenseRules(
  factory: LicensePolicy | undefined,
  repository: LicensePolicy | undefined,
  stage: string,
): { rules?: LicenseRules; notes: string[] } {
  const own = licenseRulesFor(factory, stage);
  const asked = licenseRulesFor(repository, stage);
  if (asked === undefined) return { rules: own, notes: [] };
  if (own === undefined) return { rules: asked, notes: [`licence rules for stage ${stage}`] };
  const notes: string[] = [];
  const added = asked.deny.filter((name) => !listCovers(own.deny, name));
  const deny = [...own.deny, ...added];
  if (added.length > 0) notes.push(`the licence deny list of stage ${stage} with ${added.join(', ')}`);
  let allow = own.allow;
  if (asked.allow !== undefined) {
    const candidates = own.allow === undefined ? asked.allow : [...new Set([...own.allow, ...asked.allow])];
    const both = candidates.filter((name) => (own.allow === undefined || listCovers(own.allow, name)) && listCovers(asked.allow!, name));
    if (own.allow === undefined || both.length < own.allow.length || both.some((name) => !own.allow!.includes(name))) {
      notes.push(`the licence allow list of stage ${stage} to ${both.length > 0 ? both.join(', ') : 'nothing'}`);
    }
    allow = both;
  }
  const severity = severityRank(asked.severity) > severityRank(own.severity) ? asked.severity : own.severity;
  if (severity !== own.severity) notes.push(`licence violations of stage ${stage} to ${severity}`);
  // The repository's unlicensed treatment counts only when it wrote one: its default must not loosen nor tighten silently.
  const repositoryUnlicensed = repository?.stages?.[stage]?.unlicensed ?? repository?.unlicensed;
  let unlicensed = own.unlicensed;
  if (repositoryUnlicensed !== undefined && UNLICENSED_TREATMENTS.indexOf(repositoryUnlicensed) > UNLICENSED_TREATMENTS.indexOf(own.unlicensed)) {
    unlicensed = repositoryUnlicensed;
    notes.push(`unlicensed components of stage ${stage} to ${unlicensed}`);
  }
  return { rules: { deny, ...(allow !== undefined ? { allow } : {}), severity, unlicensed }, notes };
}

/** Why a licence is a violation. */
export type ViolationReason = 'denied' | 'not-allowed' | 'unrecognised' | 'unlicensed';

/** One violated licence of a component. */
export interface LicenseViolation {
  /** The licence as named in the finding (`GPL-3.0-only`, `LicenseRef-x`, an unrecognised name; `NOASSERTION` for none). */
  readonly license: string;
  readonly reason: ViolationReason;
  readonly severity: SeverityLabel;
}

/** The name a component without any licence is filed under (SPDX's own word for "no licence information"). */
export const NO_LICENSE = 'NOASSERTION';

/**
 * The violations of one component whose licences are `expressions` (all of which apply: SBOMs list a package's
 * licences side by side). `AND`: every part must be acceptable, each unacceptable part is reported. `OR`: the
 * component is acceptable when one choice is; when none is, the least severe choices are reported (the one the
 * owner would take), every licence in them. Deduplicated by licence, in order of appearance.
 */
export function evaluateLicenses(expressions: readonly LicenseExpression[], rules: LicenseRules): LicenseViolation[] {
  if (expressions.length === 0) {
    return rules.unlicensed === 'pass' ? [] : [{ license: NO_LICENSE, reason: 'unlicensed', severity: unlicensedSeverity(rules) }];
  }
  const unique = new Map<string, LicenseViolation>();
  for (const violation of expressions.flatMap((expression) => judge(expression, rules))) {
    if (!unique.has(violation.license)) unique.set(violation.license, violation);
  }
  return [...unique.values()];
}

function unlicensedSeverity(rules: LicenseRules): SeverityLabel {
  return rules.unlicensed === 'fail' ? rules.severity : 'INFORMATIONAL';
}

function judge(expression: LicenseExpression, rules: LicenseRules): LicenseViolation[] {
  if (expression.kind === 'license') return judgeTerm(expression, rules);
  const parts = expression.terms.map((t) => judge(t, rules));
  if (expression.kind === 'and') return parts.flat();
  if (parts.some((p) => p.length === 0)) return [];
  const worst = parts.map((p) => Math.max(...p.map((v) => severityRank(v.severity))));
  const best = Math.min(...worst);
  return parts.filter((_, i) => worst[i] === best).flat();
}

function judgeTerm(term: LicenseTerm, rules: LicenseRules): LicenseViolation[] {
  const name = termName(term);
  // Deny first: nothing a deny list names is let through by an allow list.
  if (listCovers(rules.deny, name)) return [{ license: name, reason: 'denied', severity: rules.severity }];
  if (rules.allow !== undefined) {
    return listCovers(rules.allow, name) ? [] : [{ license: name, reason: term.known ? 'not-allowed' : 'unrecognised', severity: rules.severity }];
  }
  if (!term.known && rules.unlicensed !== 'pass') return [{ license: name, reason: 'unrecognised', severity: unlicensedSeverity(rules) }];
  return [];
}
