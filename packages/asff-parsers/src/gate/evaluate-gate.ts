import { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { Baseline } from './baseline';
import { FindingAge, GatedFinding, GateResult, GateStatus } from './gate-result';
import { correlationKeyOf } from '../asff/correlation';
import { toolSuppressionOf } from '../asff/tool-suppression';
import { ReportError } from '../errors';
import { findSuppression } from '../policy/match-suppression';
import { GateMode, inSourceSuppressionsOf, modeFor, SecurityPolicy, thresholdFor } from '../policy/security-policy';
import { meetsThreshold, SEVERITY_LABELS, SeverityLabel, severityOf, severityRank, Threshold } from '../policy/severity';

export interface EvaluateGateOptions {
  readonly policy: SecurityPolicy;
  readonly stage: string;
  /** Default: now (decides which suppressions have expired and which findings are past their SLA). */
  readonly now?: Date;
  /**
   * The findings to compare with (the default branch's). Required by the
   * `new` and `sla` modes; in `all` mode it only adds the new/existing/overdue split.
   */
  readonly baseline?: Baseline;
}

const STATUS_ORDER: Record<GateStatus, number> = {
  'blocking': 0, 'within-sla': 1, 'below-threshold': 2, 'correlated': 3, 'suppressed': 4, 'archived': 5,
};

/** A finding on its way through the gate: what the reports keep, plus what judging it needs. */
interface Judged {
  gated: Omit<GatedFinding, 'status' | 'correlatedWith'> & { status?: GateStatus; correlatedWith?: string };
  readonly correlation?: string;
}

/**
 * Judges a stage. An ACTIVE finding that no active suppression covers and
 * that meets the stage's threshold fails it, depending on the stage's mode:
 * always (`all`), when it is absent from the baseline or past its SLA
 * (`new`), or only when past its SLA (`sla`). A finding counts as suppressed
 * when the policy suppresses it, when its Workflow is SUPPRESSED, or when the
 * tool itself reported it as suppressed (ProductFields.Suppressed) outside the
 * scanned content, or in it (`# nosemgrep`: SuppressionKind inSource) when the
 * policy honours in-source suppressions (`gate.inSourceSuppressions: honour`;
 * by default such a finding is judged like any other, and keeps the tool's
 * note for the reports); ARCHIVED findings (fixed, or closed by the tool)
 * never count. Findings of different
 * tools about the same vulnerability in the same package (one correlation
 * key) count once, at the highest severity any of them gives it.
 */
export async function evaluateGate(
  findings: AsyncIterable<AwsSecurityFinding> | Iterable<AwsSecurityFinding>,
  options: EvaluateGateOptions,
): Promise<GateResult> {
  const threshold = thresholdFor(options.policy, options.stage);
  const mode = modeFor(options.policy, options.stage);
  const honourInSource = inSourceSuppressionsOf(options.policy) === 'honour';
  const baseline = options.baseline;
  if (mode !== 'all' && baseline === undefined) {
    throw new ReportError(
      options.policy.fileName,
      `stage '${options.stage}' gates in mode ${mode}, which needs a baseline (the default branch's findings)`,
    );
  }
  const now = options.now ?? new Date();
  let archived = 0;
  let suppressed = 0;
  let expiredSuppressions = 0;
  let ignoredInSourceSuppressions = 0;
  const judged: Judged[] = [];
  for await (const finding of findings) {
    if (finding.RecordState === 'ARCHIVED') {
      archived++;
      continue;
    }
    const severity = severityOf(finding);
    const match = findSuppression(options.policy, finding, options.stage, now);
    const tool = toolSuppressionOf(finding);
    const toolCounts = tool !== undefined && (tool.kind === 'external' || honourInSource);
    const suppressedBecause = match?.active
      ? `policy: ${match.suppression.reason} (until ${match.suppression.expires})`
      : finding.Workflow?.Status === 'SUPPRESSED'
        ? 'Workflow SUPPRESSED in Security Hub'
        : toolCounts
          ? `tool${tool.kind === 'inSource' ? ' (in source)' : ''}: ${tool.reason}`
          : undefined;
    if (suppressedBecause) suppressed++;
    if (match && !match.active) expiredSuppressions++;
    const ignoredInSource = !suppressedBecause && tool?.kind === 'inSource' && !honourInSource;
    if (ignoredInSource) ignoredInSourceSuppressions++;
    judged.push({
      gated: {
        ...describe(finding, severity),
        ...ageOf(finding, severity, options.policy, baseline, now),
        status: suppressedBecause ? 'suppressed' : undefined,
        suppressedBecause,
        ...(ignoredInSource ? { inSourceSuppression: tool.reason } : {}),
        expiredSuppression: match && !match.active ? { reason: match.suppression.reason, expires: match.suppression.expires } : undefined,
      },
      correlation: suppressedBecause ? undefined : correlationKeyOf(finding),
    });
  }
  const correlated = mergeCorrelated(judged);
  const counts = Object.fromEntries(SEVERITY_LABELS.map((label) => [label, 0])) as Record<SeverityLabel, number>;
  const ages = { new: 0, existing: 0, overdue: 0 };
  for (const { gated } of judged) {
    if (gated.status !== undefined) continue;
    counts[gated.severity]++;
    if (gated.age) ages[gated.age]++;
    gated.status = statusOf(gated.severity, gated.age, threshold, mode);
  }
  const gated = judged.map((j) => j.gated as GatedFinding);
  gated.sort((
    a,
    b,
  ) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || severityRank(b.severity) - severityRank(a.severity) || a.title.localeCompare(b.title));
  const blocking = gated.filter((f) => f.status === 'blocking').length;
  return {
    stage: options.stage,
    threshold,
    mode,
    ...(baseline ? { baselineSize: baseline.size, ages } : {}),
    correlated,
    passed: blocking === 0,
    counts,
    blocking,
    suppressed,
    archived,
    expiredSuppressions,
    ignoredInSourceSuppressions,
    findings: gated,
  };
}

function statusOf(severity: SeverityLabel, age: FindingAge | undefined, threshold: Threshold, mode: GateMode): GateStatus {
  if (!meetsThreshold(severity, threshold)) return 'below-threshold';
  const fails = mode === 'all' || age === 'overdue' || (mode === 'new' && age === 'new');
  return fails ? 'blocking' : 'within-sla';
}

/** The finding's standing against the baseline and its severity's SLA. */
function ageOf(
  finding: AwsSecurityFinding,
  severity: SeverityLabel,
  policy: SecurityPolicy,
  baseline: Baseline | undefined,
  now: Date,
): Pick<GatedFinding, 'age' | 'firstObservedAt' | 'sla'> {
  if (baseline === undefined) return {};
  const sla = policy.sla?.[severity];
  const known = baseline.match(finding);
  if (known === undefined) return { age: 'new', ...(sla ? { sla: sla.text } : {}) };
  const first = known.firstObservedAt === undefined ? NaN : Date.parse(known.firstObservedAt);
  // A baseline finding without any timestamp is as old as can be: its age is unknown, never assumed young.
  const overdue = sla !== undefined && (Number.isNaN(first) || now.getTime() - first > sla.ms);
  return { age: overdue ? 'overdue' : 'existing', firstObservedAt: known.firstObservedAt, ...(sla ? { sla: sla.text } : {}) };
}

/**
 * Findings with the same correlation key are one vulnerability: the one with
 * the highest severity (the oldest standing on a tie) represents it, the
 * others are marked `correlated` and not counted. Returns how many were.
 */
function mergeCorrelated(judged: Judged[]): number {
  const AGE_RANK: Record<FindingAge, number> = { new: 0, existing: 1, overdue: 2 };
  const representative = new Map<string, Judged>();
  for (const entry of judged) {
    if (entry.correlation === undefined) continue;
    const current = representative.get(entry.correlation);
    const better = current === undefined
      || severityRank(entry.gated.severity) > severityRank(current.gated.severity)
      || (entry.gated.severity === current.gated.severity && AGE_RANK[entry.gated.age ?? 'new'] > AGE_RANK[current.gated.age ?? 'new']);
    if (better) representative.set(entry.correlation, entry);
  }
  let merged = 0;
  for (const entry of judged) {
    if (entry.correlation === undefined) continue;
    const chosen = representative.get(entry.correlation)!;
    if (chosen === entry) continue;
    entry.gated.status = 'correlated';
    entry.gated.correlatedWith = chosen.gated.id;
    merged++;
  }
  return merged;
}

function describe(finding: AwsSecurityFinding, severity: SeverityLabel): Omit<GatedFinding, 'status'> {
  const resource = finding.Resources?.find((r) => r.Details?.Other?.file) ?? finding.Resources?.[0];
  const file = resource?.Details?.Other?.file;
  const line = Number(resource?.Details?.Other?.line);
  const rule = finding.ProductFields?.RuleId ?? finding.Vulnerabilities?.[0]?.Id ?? finding.GeneratorId ?? 'unknown-rule';
  return {
    id: finding.Id!,
    title: finding.Title ?? finding.Id!,
    severity,
    tool: finding.GeneratorId?.split('/')[0] || finding.ProductName,
    rule,
    location: file ? (Number.isInteger(line) && line > 0 ? `${file}:${line}` : file) : resource?.Id,
    file,
    line: Number.isInteger(line) && line > 0 ? line : undefined,
    remediationUrl: finding.Remediation?.Recommendation?.Url,
  };
}
