import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * Properties of {@link FactoryDashboard}.
 */
export interface FactoryDashboardProps {
  /**
   * Name of the dashboard (letters, digits, `-` and `_`).
   *
   * @default - a name CloudFormation generates
   */
  readonly dashboardName?: string;

  /**
   * The pipelines whose health is shown: failed executions and execution duration from the `AWS/CodePipeline`
   * metrics that V2 pipelines publish (not in the China and AWS GovCloud (US) Regions, where these graphs stay
   * empty).
   *
   * @default - no pipeline health row
   */
  readonly pipelines?: codepipeline.IPipeline[];

  /**
   * CloudWatch namespace of the findings processor's EMF metrics (its `POWERTOOLS_METRICS_NAMESPACE`).
   *
   * @default 'DevSecOpsFactory' (the FindingsProcessor construct's)
   */
  readonly findingsMetricsNamespace?: string;

  /**
   * The processor's `service` dimension (its `POWERTOOLS_SERVICE_NAME`).
   *
   * @default 'findings-processor' (the FindingsProcessor construct's)
   */
  readonly findingsServiceName?: string;

  /**
   * Scan stages (the `Stage` dimension: `policyStage` of the scan stages, e.g. `secrets`, `code`, `image`) whose
   * open findings get a line each.
   *
   * @default - no open-findings-by-stage graph
   */
  readonly stages?: string[];

  /**
   * The findings processor function: its errors and throttles.
   *
   * @default - the processor's own metrics only (dead letters, rejected reports, throttled requests)
   */
  readonly processorFunction?: lambda.IFunction;

  /**
   * Queues whose messages are failed processor invocations (the processor's dead-letter queue).
   *
   * @default - none shown
   */
  readonly deadLetterQueues?: sqs.IQueue[];

  /**
   * Time range the dashboard opens with. Open and overdue counts repeat each scope's last import within the
   * range shown, so a range shorter than the builds' interval shows fewer findings than are open.
   *
   * @default Duration.days(28)
   */
  readonly defaultInterval?: Duration;
}

/** Severities the processor keeps findings metrics for, most severe first. */
const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
const SEVERITY_COLORS: Record<(typeof SEVERITIES)[number], string> = {
  CRITICAL: '#7b1fa2',
  HIGH: '#d62728',
  MEDIUM: '#ff7f0e',
  LOW: '#1f77b4',
};
const GAUGE_DIMENSIONS = ['Repository', 'Severity', 'Stage', 'Tool', 'service'];
const COUNT_DIMENSIONS = ['Severity', 'Stage', 'Tool', 'service'];
const DAY = Duration.days(1);
const HOUR = Duration.hours(1);

/**
 * A CloudWatch dashboard of the factory: pipeline health (CodePipeline V2 metrics), findings (open and overdue
 * by severity and stage, new per day, resolved per day, mean time to resolve) from the findings processor's EMF
 * metrics, and the processor's own health (errors, dead letters, rejected reports).
 *
 * Open and overdue counts are gauges each import sets for its scope (repository, branch, stage, tool): a graph
 * takes each series' latest value (`FILL(..., REPEAT)` of its hourly `Maximum`) and adds them up. MTTR is the
 * sum of the resolved findings' ages divided by their number, over the period.
 */
export class FactoryDashboard extends Construct {
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;

  private readonly namespace: string;
  private readonly service: string;

  constructor(scope: Construct, id: string, props: FactoryDashboardProps = {}) {
    super(scope, id);
    this.namespace = searchable(props.findingsMetricsNamespace ?? 'DevSecOpsFactory', 'findingsMetricsNamespace');
    this.service = searchable(props.findingsServiceName ?? 'findings-processor', 'findingsServiceName');
    const stages = (props.stages ?? []).map((stage) => searchable(stage, 'stages'));
    if (props.dashboardName !== undefined && !Token.isUnresolved(props.dashboardName) && !/^[A-Za-z0-9_-]{1,255}$/.test(props.dashboardName)) {
      throw new Error(`dashboardName may hold only letters, digits, '-' and '_' (1 to 255), got '${props.dashboardName}'`);
    }

    const rows: cloudwatch.IWidget[][] = [];
    const pipelines = props.pipelines ?? [];
    if (pipelines.length > 0) {
      rows.push(
        [this.header('Pipelines', 'CodePipeline V2 metrics: failed executions (a retried action counts again) and execution duration.')],
        this.pipelineHealth(pipelines),
      );
    }
    rows.push(
      [this.header('Findings', 'Open and overdue: ACTIVE findings of each scope at its latest import (overdue: older than the processor\'s '
        + '`FINDINGS_SLA` for their severity). INFORMATIONAL is not counted.')],
      [
        this.bySeverity('Open findings by severity', 'OpenFindings'),
        this.bySeverity('Overdue findings by severity', 'OverdueFindings'),
        ...(stages.length > 0 ? [this.openByStage(stages)] : []),
      ],
      [
        this.perDay('New findings per day', 'NewFindings'),
        this.perDay('Resolved findings per day', 'ResolvedFindings'),
        this.meanTimeToResolve(),
      ],
      [this.header('Findings processor', 'Imports that did not reach Security Hub: refused findings, rejected reports, failed invocations.')],
      this.processorHealth(props.processorFunction, props.deadLetterQueues ?? []),
    );

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: props.defaultInterval ?? Duration.days(28),
      widgets: rows,
    });
  }

  private header(title: string, text: string): cloudwatch.TextWidget {
    return new cloudwatch.TextWidget({ markdown: `## ${title}\n${text}`, width: 24, height: 2 });
  }

  private pipelineHealth(pipelines: codepipeline.IPipeline[]): cloudwatch.IWidget[] {
    const metric = (pipeline: codepipeline.IPipeline, metricName: string, statistic: string) => new cloudwatch.Metric({
      namespace: 'AWS/CodePipeline',
      metricName,
      dimensionsMap: { PipelineName: pipeline.pipelineName },
      statistic,
      period: DAY,
      // The pipeline name may be a token; the dimension value is the label either way.
      label: '${PROP(\'Dim.PipelineName\')}',
    });
    return [
      new cloudwatch.GraphWidget({
        title: 'Failed pipeline executions per day',
        left: pipelines.map((pipeline) => metric(pipeline, 'FailedPipelineExecutions', cloudwatch.Stats.SUM)),
        leftYAxis: { min: 0, showUnits: false },
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Pipeline execution duration (average per day)',
        left: pipelines.map((pipeline) => metric(pipeline, 'PipelineDuration', cloudwatch.Stats.AVERAGE)),
        leftYAxis: { min: 0 },
        width: 12,
      }),
    ];
  }

  /**
   * `SEARCH` over one dimension schema of the processor's metrics, exact matches only. With a period, the
   * graph keeps it whatever range is shown (FILL repeats hourly values); without, it takes the widget's.
   */
  private search(metricName: string, dimensions: string[], filters: Record<string, string>, statistic: string, period?: Duration): string {
    const terms = [
      `MetricName="${metricName}"`,
      `service="${this.service}"`,
      ...Object.entries(filters).map(([name, value]) => `${name}="${value}"`),
    ];
    return `SEARCH('{"${this.namespace}",${dimensions.join(',')}} ${terms.join(' ')}', '${statistic}'${period ? `, ${period.toSeconds()}` : ''})`;
  }

  /** The latest value of every gauge series that matches, added up. */
  private gaugeTotal(metricName: string, filters: Record<string, string>, label: string, color?: string): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: `SUM(FILL(${this.search(metricName, GAUGE_DIMENSIONS, filters, 'Maximum', HOUR)}, REPEAT))`,
      label,
      color,
      period: HOUR,
    });
  }

  /** The counts of every series that matches, added up per `period`, or per the widget's period without one. */
  private countTotal(
    metricName: string, filters: Record<string, string>, label: string, period?: Duration, color?: string,
  ): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: `SUM(${this.search(metricName, COUNT_DIMENSIONS, filters, 'Sum', period)})`,
      label,
      color,
      period,
    });
  }

  private bySeverity(title: string, metricName: string): cloudwatch.GraphWidget {
    return new cloudwatch.GraphWidget({
      title,
      left: SEVERITIES.map((severity) => this.gaugeTotal(metricName, { Severity: severity }, severity, SEVERITY_COLORS[severity])),
      stacked: true,
      leftYAxis: { min: 0, showUnits: false },
      width: 8,
    });
  }

  private openByStage(stages: string[]): cloudwatch.GraphWidget {
    return new cloudwatch.GraphWidget({
      title: 'Open findings by stage',
      left: stages.map((stage) => this.gaugeTotal('OpenFindings', { Stage: stage }, stage)),
      stacked: true,
      leftYAxis: { min: 0, showUnits: false },
      width: 8,
    });
  }

  private perDay(title: string, metricName: string): cloudwatch.GraphWidget {
    return new cloudwatch.GraphWidget({
      title,
      left: SEVERITIES.map((severity) => this.countTotal(metricName, { Severity: severity }, severity, DAY, SEVERITY_COLORS[severity])),
      stacked: true,
      leftYAxis: { min: 0, showUnits: false },
      width: 8,
    });
  }

  /** Σ age at closure / Σ resolved, in days, over the whole range shown. */
  private meanTimeToResolve(): cloudwatch.SingleValueWidget {
    return new cloudwatch.SingleValueWidget({
      title: 'Mean time to resolve (days, over the range shown)',
      metrics: SEVERITIES.map((severity) => {
        const key = severity.toLowerCase();
        return new cloudwatch.MathExpression({
          expression: `age${key} / resolved${key} / 86400`,
          usingMetrics: {
            // No period of their own: the widget's is the whole range shown (setPeriodToTimeRange).
            [`age${key}`]: this.countTotal('ResolvedFindingsAge', { Severity: severity }, `${severity} age`),
            [`resolved${key}`]: this.countTotal('ResolvedFindings', { Severity: severity }, `${severity} resolved`),
          },
          label: severity,
          color: SEVERITY_COLORS[severity],
        });
      }),
      setPeriodToTimeRange: true,
      width: 8,
      height: 6,
    });
  }

  private processorHealth(fn: lambda.IFunction | undefined, queues: sqs.IQueue[]): cloudwatch.IWidget[] {
    const own = (metricName: string, label: string) => new cloudwatch.Metric({
      namespace: this.namespace,
      metricName,
      dimensionsMap: { service: this.service },
      statistic: cloudwatch.Stats.SUM,
      period: HOUR,
      label,
    });
    const widgets: cloudwatch.IWidget[] = [
      new cloudwatch.GraphWidget({
        title: 'Findings processor: refused findings and reports',
        left: [
          own('DeadLetters', 'findings refused by Security Hub (dead-letter/ objects)'),
          own('RejectedReports', 'reports rejected (unreadable or wrong metadata)'),
          own('ThrottledRequests', 'throttled Security Hub requests'),
        ],
        leftYAxis: { min: 0, showUnits: false },
        width: 8,
      }),
    ];
    if (fn) {
      widgets.push(new cloudwatch.GraphWidget({
        title: 'Findings processor: errors and throttles',
        left: [
          fn.metricErrors({ period: HOUR, statistic: cloudwatch.Stats.SUM, label: 'errors' }),
          fn.metricThrottles({ period: HOUR, statistic: cloudwatch.Stats.SUM, label: 'throttles' }),
        ],
        leftYAxis: { min: 0, showUnits: false },
        width: 8,
      }));
    }
    if (queues.length > 0) {
      widgets.push(new cloudwatch.GraphWidget({
        title: 'Findings processor: dead-letter queue messages',
        left: queues.map((queue) => queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: cloudwatch.Stats.MAXIMUM,
          label: '${PROP(\'Dim.QueueName\')}',
        })),
        leftYAxis: { min: 0, showUnits: false },
        width: 8,
      }));
    }
    return widgets;
  }
}

/** A value placed inside a SEARCH expression's quotes: no quote or backslash can end them early. */
function searchable(value: string, prop: string): string {
  if (Token.isUnresolved(value)) throw new Error(`${prop} must be a literal: it is written into the dashboard's SEARCH expressions`);
  if (value.length === 0 || /["'\\]/.test(value)) throw new Error(`${prop} must be non-empty and hold no quote or backslash, got '${value}'`);
  return value;
}
