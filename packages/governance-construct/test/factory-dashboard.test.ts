import { nagViolations } from '@devsecops-factory/test-kit';
import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { FactoryDashboard } from '../src';
import { newStack } from './support/stack';

/** The dashboard body as an object: Fn::Join parts joined, references written as `<Ref:LogicalId>`. */
function dashboardBody(template: Template): any {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0].Properties.DashboardBody;
  const text = typeof body === 'string' ? body : (body['Fn::Join'][1] as unknown[]).map((part) => {
    if (typeof part === 'string') return part;
    const ref = (part as any).Ref ?? (part as any)['Fn::GetAtt']?.join('.');
    return ref ? `<Ref:${ref}>` : '<token>';
  }).join('');
  return JSON.parse(text);
}

interface Widget {
  readonly type: string;
  readonly properties: { title?: string; markdown?: string; metrics?: unknown[][]; setPeriodToTimeRange?: boolean; stacked?: boolean };
}

const widgets = (body: any): Widget[] => body.widgets;
const byTitle = (body: any, title: string): Widget => {
  const widget = widgets(body).find((w) => w.properties.title === title);
  if (!widget) throw new Error(`no widget titled '${title}': ${widgets(body).map((w) => w.properties.title).join(', ')}`);
  return widget;
};
/** The `expression` of each metric-math line of a widget. */
const expressions = (widget: Widget) =>
  (widget.properties.metrics ?? [])
    .map(
      (line) =>
        line.find((part) => typeof part === 'object' && part !== null && 'expression' in (part as object)) as
          { expression?: string; label?: string; visible?: boolean } | undefined,
    )
    .filter((options): options is { expression: string; label?: string; visible?: boolean } => options?.expression !== undefined);

describe('FactoryDashboard', () => {
  let stack: Stack;
  let body: any;

  beforeAll(() => {
    stack = newStack();
    const pipelines = ['shop', 'billing'].map((name) =>
      codepipeline.Pipeline.fromPipelineArn(stack, `Pipeline-${name}`, `arn:aws:codepipeline:eu-west-1:111122223333:factory-${name}`),
    );
    const processorFunction = lambda.Function.fromFunctionArn(
      stack,
      'Processor',
      'arn:aws:lambda:eu-west-1:111122223333:function:findings-processor',
    );
    const dlq = sqs.Queue.fromQueueArn(stack, 'Dlq', 'arn:aws:sqs:eu-west-1:111122223333:findings-dlq');
    new FactoryDashboard(stack, 'Dashboard', {
      dashboardName: 'devsecops-factory',
      pipelines,
      findingsMetricsNamespace: 'Factory/Findings',
      findingsServiceName: 'processor',
      stages: ['secrets', 'image'],
      processorFunction,
      deadLetterQueues: [dlq],
      defaultInterval: Duration.days(14),
    });
    body = dashboardBody(Template.fromStack(stack));
  });

  test('shows failed executions and duration of each given pipeline from the CodePipeline V2 metrics', () => {
    const failed = byTitle(body, 'Failed pipeline executions per day').properties.metrics!;
    expect(failed.map((line) => line.slice(0, 4))).toEqual([
      ['AWS/CodePipeline', 'FailedPipelineExecutions', 'PipelineName', 'factory-shop'],
      ['AWS/CodePipeline', 'FailedPipelineExecutions', 'PipelineName', 'factory-billing'],
    ]);
    expect(failed[0][4]).toMatchObject({ stat: 'Sum', period: 86400 });
    const duration = byTitle(body, 'Pipeline execution duration (average per day)').properties.metrics!;
    expect(duration.map((line) => line[1])).toEqual(['PipelineDuration', 'PipelineDuration']);
  });

  test('adds up the latest open and overdue count of every scope, per severity, from the given namespace and service', () => {
    for (const [title, metricName] of [['Open findings by severity', 'OpenFindings'], ['Overdue findings by severity', 'OverdueFindings']]) {
      const lines = expressions(byTitle(body, title));
      expect(lines.map((line) => line.label)).toEqual(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']);
      expect(lines[1].expression).toBe(
        `SUM(FILL(SEARCH('{"Factory/Findings",Repository,Severity,Stage,Tool,service} MetricName="${metricName}" service="processor" `
          + 'Severity="HIGH"\', \'Maximum\', 3600), REPEAT))',
      );
    }
  });

  test('breaks open findings down by the given stages', () => {
    const lines = expressions(byTitle(body, 'Open findings by stage'));
    expect(lines.map((line) => line.label)).toEqual(['secrets', 'image']);
    expect(lines[0].expression).toContain('MetricName="OpenFindings" service="processor" Stage="secrets"');
  });

  test('counts new and resolved findings per day, across repositories', () => {
    const lines = expressions(byTitle(body, 'New findings per day'));
    expect(lines[0].expression).toBe('SUM(SEARCH(\'{"Factory/Findings",Severity,Stage,Tool,service} MetricName="NewFindings" service="processor" '
      + 'Severity="CRITICAL"\', \'Sum\', 86400))');
    expect(expressions(byTitle(body, 'Resolved findings per day'))[3].expression).toContain('MetricName="ResolvedFindings"');
  });

  test('computes the mean time to resolve in days from the age at closure over the range shown', () => {
    const widget = byTitle(body, 'Mean time to resolve (days, over the range shown)');
    expect(widget.properties.setPeriodToTimeRange).toBe(true);
    const lines = expressions(widget);
    const high = lines.find((line) => line.label === 'HIGH')!;
    expect(high.expression).toBe('agehigh / resolvedhigh / 86400');
    const hidden = lines.filter((line) => line.visible === false).map((line) => line.expression);
    expect(hidden).toContain('SUM(SEARCH(\'{"Factory/Findings",Severity,Stage,Tool,service} MetricName="ResolvedFindingsAge" service="processor" '
      + 'Severity="HIGH"\', \'Sum\'))');
    expect(hidden).toContain(
      'SUM(SEARCH(\'{"Factory/Findings",Severity,Stage,Tool,service} MetricName="ResolvedFindings" service="processor" Severity="HIGH"\', \'Sum\'))',
    );
  });

  test('shows the processor\'s dead letters, rejected reports, errors and dead-letter queue', () => {
    const own = byTitle(body, 'Findings processor: refused findings and reports').properties.metrics!;
    expect(own.map((line) => line.slice(0, 4))).toEqual([
      ['Factory/Findings', 'DeadLetters', 'service', 'processor'],
      ['Factory/Findings', 'RejectedReports', 'service', 'processor'],
      ['Factory/Findings', 'ThrottledRequests', 'service', 'processor'],
    ]);
    const errors = byTitle(body, 'Findings processor: errors and throttles').properties.metrics!;
    expect(errors.map((line) => line.slice(0, 4))).toEqual([
      ['AWS/Lambda', 'Errors', 'FunctionName', 'findings-processor'],
      ['AWS/Lambda', 'Throttles', 'FunctionName', 'findings-processor'],
    ]);
    const queue = byTitle(body, 'Findings processor: dead-letter queue messages').properties.metrics!;
    expect(queue[0].slice(0, 4)).toEqual(['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', 'findings-dlq']);
  });

  test('opens on the given range under the given name, without synthesis warnings, and passes the cdk-nag packs', () => {
    expect(body.start).toBe('-P14D');
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'devsecops-factory' });
    expect(nagViolations(stack)).toEqual([]);
  });

  test('leaves out the rows it was given nothing for', () => {
    const bare = newStack();
    new FactoryDashboard(bare, 'Dashboard');
    const titles = widgets(dashboardBody(Template.fromStack(bare))).map((w) => w.properties.title).filter((t) => t !== undefined);
    expect(titles).toEqual([
      'Open findings by severity',
      'Overdue findings by severity',
      'New findings per day',
      'Resolved findings per day',
      'Mean time to resolve (days, over the range shown)',
      'Findings processor: refused findings and reports',
    ]);
    expect(dashboardBody(Template.fromStack(bare)).widgets[1].properties.metrics[0][0].expression).toContain('{"DevSecOpsFactory",');
  });

  test.each([
    [{ findingsMetricsNamespace: 'a\'b' }, /findingsMetricsNamespace must be non-empty and hold no quote/],
    [{ stages: ['image"'] }, /stages must be non-empty and hold no quote/],
    [{ dashboardName: 'factory dashboard' }, /dashboardName may hold only/],
  ])('refuses %j', (props, message) => {
    expect(() => new FactoryDashboard(newStack(), 'Dashboard', props)).toThrow(message);
  });
});
