import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { AwsSecurityFinding, SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { SlaLimits } from '../policy/security-policy';
import { SeverityLabel, severityOf } from '../policy/severity';

/**
 * The severities the findings metrics are kept for. INFORMATIONAL is left out: it has no SLA, is not acted
 * on, and every label costs one CloudWatch metric per repository, stage and tool.
 */
export const METRIC_SEVERITIES: readonly SeverityLabel[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];

/** The metric names the processor emits per import (docs/importer.md, "Findings metrics"). */
export const FINDINGS_METRICS = {
  /** Gauge: ACTIVE findings of the scope after this import. Dimensions: Repository, Stage, Tool, Severity. */
  open: 'OpenFindings',
  /** Gauge: those of them open longer than their severity's SLA. Same dimensions. */
  overdue: 'OverdueFindings',
  /** Count: findings first observed by this import. Dimensions: Stage, Tool, Severity. */
  new: 'NewFindings',
  /** Count: findings this import archived because the report no longer has them. Stage, Tool, Severity. */
  resolved: 'ResolvedFindings',
  /** Seconds: the sum of their ages (closure minus first observation); divided by `resolved`, the MTTR. */
  resolvedAge: 'ResolvedFindingsAge',
} as const;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The SLA the processor judges overdue findings by when `FINDINGS_SLA` is not set: CRITICAL 7d, HIGH 30d,
 * MEDIUM 90d, LOW 180d. The policy's `gate.sla` has no default (a severity without one has no SLA); give the
 * processor the same ages as the stages' policy so that the dashboard and the gate agree.
 */
export const DEFAULT_FINDINGS_SLA: SlaLimits = {
  CRITICAL: { text: '7d', ms: 7 * DAY_MS },
  HIGH: { text: '30d', ms: 30 * DAY_MS },
  MEDIUM: { text: '90d', ms: 90 * DAY_MS },
  LOW: { text: '180d', ms: 180 * DAY_MS },
};

/** The same durations as the policy's `gate.sla` (`7d`, `12h`). */
const DURATION = /^([1-9]\d{0,4})([dh])$/;

/**
 * Reads `FINDINGS_SLA`: `CRITICAL=7d,HIGH=30d,...`, durations written as in the policy's `gate.sla`. A severity
 * left out has no SLA (none of its findings is overdue); `none` alone turns overdue counting off.
 */
export function parseFindingsSla(text: string): SlaLimits {
  if (text.trim().toLowerCase() === 'none') return {};
  const sla: Partial<Record<SeverityLabel, { text: string; ms: number }>> = {};
  for (const entry of text.split(',').map((part) => part.trim()).filter((part) => part.length > 0)) {
    const [label, age, ...rest] = entry.split('=').map((part) => part.trim());
    const severity = label.toUpperCase() as SeverityLabel;
    if (!METRIC_SEVERITIES.includes(severity) || rest.length > 0) {
      throw new Error(`FINDINGS_SLA: '${entry.slice(0, 40)}' is not <severity>=<age> with a severity of ${METRIC_SEVERITIES.join(', ')}`);
    }
    const match = DURATION.exec(age ?? '');
    if (!match) {
      throw new Error(
        `FINDINGS_SLA: the maximum age of ${severity} must be a whole number of days or hours such as 7d or 12h, got '${(age ?? '').slice(0, 20)}'`,
      );
    }
    sla[severity] = { text: age, ms: Number(match[1]) * (match[2] === 'd' ? 24 : 1) * 60 * 60 * 1000 };
  }
  return sla;
}

/** One severity's figures for one import. */
export interface SeverityTally {
  open: number;
  overdue: number;
  new: number;
  resolved: number;
  /** Sum of the resolved findings' ages, in seconds. */
  resolvedAgeSeconds: number;
}

/** Which part of an import a finding was sent in: the report's findings, or the archiving of absent ones. */
export type ImportPhase = 'report' | 'archive';

export interface FindingTallyOptions {
  /** Maximum age per severity; a severity without one is never overdue. */
  readonly sla: SlaLimits;
  /**
   * When this import started, taken before the importer is created: the importer stamps a finding it has
   * never stored with a FirstObservedAt of its own start, which is not earlier than this.
   */
  readonly importStarted: Date;
  /** Default: now. */
  readonly now?: () => Date;
  /** The figures of the earlier invocations of an import that continues from a checkpoint. */
  readonly carried?: Partial<Record<SeverityLabel, SeverityTally>>;
}

/**
 * Counts, per severity, what one import did to Security Hub, from the findings Security Hub accepted: each
 * finding once (a request retried after a lost response sends it again). Age comes from the FirstObservedAt
 * the importer sent (the stored one kept, see SecurityHubImporter), CreatedAt for findings stored before the
 * importer kept it.
 */
export class FindingTally {
  private readonly counted = new Set<string>();
  private readonly tallies = new Map<SeverityLabel, SeverityTally>();
  private readonly now: () => Date;
  private readonly startedMs: number;

  constructor(private readonly options: FindingTallyOptions) {
    this.now = options.now ?? (() => new Date());
    this.startedMs = options.importStarted.getTime();
    for (const label of METRIC_SEVERITIES) {
      this.tallies.set(label, { open: 0, overdue: 0, new: 0, resolved: 0, resolvedAgeSeconds: 0, ...options.carried?.[label] });
    }
  }

  /** One finding Security Hub accepted in `phase`. */
  add(finding: AwsSecurityFinding, phase: ImportPhase): void {
    const key = `${finding.ProductArn}\u0000${finding.Id}`;
    if (this.counted.has(key)) return;
    this.counted.add(key);
    const tally = this.tallies.get(severityOf(finding));
    if (!tally) return;
    const first = Date.parse(finding.FirstObservedAt ?? finding.CreatedAt ?? '');
    const nowMs = this.now().getTime();
    if (phase === 'archive') {
      // Only archiveMissing resolves: a finding the tool itself reports closed is sent ARCHIVED in every
      // report, and counting it would resolve it again on each build.
      if (finding.RecordState !== 'ARCHIVED') return;
      tally.resolved++;
      if (!Number.isNaN(first)) tally.resolvedAgeSeconds += Math.max(0, Math.round((nowMs - first) / 1000));
      return;
    }
    if (finding.RecordState === 'ARCHIVED') return;
    tally.open++;
    if (!Number.isNaN(first) && first >= this.startedMs) tally.new++;
    const sla = this.options.sla[severityOf(finding)];
    // As in the gate's SLA check: a finding without a timestamp has an unknown age, never assumed young.
    if (sla && (Number.isNaN(first) || nowMs - first > sla.ms)) tally.overdue++;
  }

  /** The figures of each of {@link METRIC_SEVERITIES}. */
  bySeverity(): ReadonlyMap<SeverityLabel, Readonly<SeverityTally>> {
    return this.tallies;
  }
}

/** The middleware name, unique so that it can be taken off the shared client again. */
const OBSERVER_NAME = 'findingsMetricsObserver';

/**
 * Lets `tally` see every BatchImportFindings request sent through `client` and the findings Security Hub
 * accepted in it (those not in FailedFindings); `phase()` says which part of the import is running. The
 * importer is the other helper's and returns no findings, so its requests are observed, not changed.
 * Returns the function that removes the observer; call it before the client serves another import.
 */
export function observeImports(client: SecurityHubClient, tally: FindingTally, phase: () => ImportPhase): () => void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if ((context as { commandName?: string }).commandName === 'BatchImportFindingsCommand') {
        const sent = ((args.input as { Findings?: AwsSecurityFinding[] }).Findings) ?? [];
        const failed = new Set(((result.output as { FailedFindings?: Array<{ Id?: string }> }).FailedFindings ?? []).map((f) => f.Id));
        const current = phase();
        for (const finding of sent) if (!failed.has(finding.Id)) tally.add(finding, current);
      }
      return result;
    },
    { step: 'initialize', name: OBSERVER_NAME, override: true },
  );
  return () => {
    client.middlewareStack.remove(OBSERVER_NAME);
  };
}

/**
 * Dimension values of one import. Each is bounded, so the metrics stay a fixed set: the repository is the
 * one the report's key names (each scan project may write only under its repository's prefix, so there are
 * as many as the factory has applications), the stage is one of the factory's scan stages and the tool one
 * of `asff tools`. None holds finding text.
 */
export interface FindingMetricDimensions {
  readonly repository: string;
  readonly stage: string;
  readonly tool: string;
}

/** A dimension value as CloudWatch accepts it: 1 to 1024 characters, no leading colon. */
function dimensionValue(value: string): string {
  const trimmed = value.trim().replace(/^:+/, '').slice(0, 255);
  return trimmed.length > 0 ? trimmed : 'unknown';
}

/**
 * Emits the figures as EMF. Gauges (open, overdue) carry the repository, are emitted for every severity,
 * zeros included, so that a dashboard can repeat a scope's last value until its next import; counts (new,
 * resolved and their age) leave the repository out (they add up across repositories) and are emitted
 * only when not zero.
 */
export function emitFindingMetrics(metrics: Metrics, dimensions: FindingMetricDimensions, tally: FindingTally): void {
  const stage = dimensionValue(dimensions.stage);
  const tool = dimensionValue(dimensions.tool);
  const repository = dimensionValue(dimensions.repository);
  for (const [severity, figures] of tally.bySeverity()) {
    // addDimension, not addDimensions: the latter would publish a second dimension set (a second metric).
    const gauge = (name: string, value: number) => metrics.singleMetric()
      .addDimension('Repository', repository).addDimension('Stage', stage).addDimension('Tool', tool).addDimension('Severity', severity)
      .addMetric(name, MetricUnit.Count, value);
    gauge(FINDINGS_METRICS.open, figures.open);
    gauge(FINDINGS_METRICS.overdue, figures.overdue);
    const count = (name: string, unit: typeof MetricUnit.Count | typeof MetricUnit.Seconds, value: number) => {
      if (value > 0) {
        metrics.singleMetric()
          .addDimension('Stage', stage).addDimension('Tool', tool).addDimension('Severity', severity)
          .addMetric(name, unit, value);
      }
    };
    count(FINDINGS_METRICS.new, MetricUnit.Count, figures.new);
    count(FINDINGS_METRICS.resolved, MetricUnit.Count, figures.resolved);
    count(FINDINGS_METRICS.resolvedAge, MetricUnit.Seconds, figures.resolvedAgeSeconds);
  }
}
