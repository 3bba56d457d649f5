import { Metrics } from '@aws-lambda-powertools/metrics';
import { AwsSecurityFinding, BatchImportFindingsCommand } from '@aws-sdk/client-securityhub';
import {
  DEFAULT_FINDINGS_SLA,
  emitFindingMetrics,
  FindingTally,
  observeImports,
  parseFindingsSla,
} from '../../src/lambda/finding-metrics';
import { FakeSecurityHub } from '../support/fake-security-hub';
import { sampleFinding } from '../support/fake-security-hub/sample-findings';

const DAY = 86_400_000;
const NOW = new Date('2026-06-30T12:00:00.000Z');
const STARTED = new Date(NOW.getTime() - 60_000);
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();

function finding(id: string, severity: string, firstObservedAt: string | undefined, extra: Partial<AwsSecurityFinding> = {}): AwsSecurityFinding {
  return sampleFinding(id, { Severity: { Label: severity as 'HIGH' }, FirstObservedAt: firstObservedAt, RecordState: 'ACTIVE', ...extra });
}

/** Captures the EMF documents Powertools prints on stdout. */
function captureEmf(): { documents: () => Array<Record<string, any>>; restore: () => void } {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
    const text = String(chunk);
    if (!text.includes('"_aws"')) return (write as any)(chunk, ...rest);
    lines.push(...text.trim().split('\n'));
    return true;
  }) as typeof process.stdout.write);
  return { documents: () => lines.map((line) => JSON.parse(line)), restore: () => spy.mockRestore() };
}

describe('FINDINGS_SLA', () => {
  test('reads per-severity maximum ages written as in the policy\'s gate.sla', () => {
    expect(parseFindingsSla('critical=3d, HIGH=12h')).toEqual({ CRITICAL: { text: '3d', ms: 3 * DAY }, HIGH: { text: '12h', ms: 12 * 3_600_000 } });
  });

  test('none turns overdue counting off', () => {
    expect(parseFindingsSla('none')).toEqual({});
  });

  test.each([
    ['INFORMATIONAL=7d', /not <severity>=<age>/],
    ['HIGH', /whole number of days or hours/],
    ['HIGH=7 days', /whole number of days or hours/],
    ['HIGH=0d', /whole number of days or hours/],
  ])('refuses %s', (text, message) => {
    expect(() => parseFindingsSla(text)).toThrow(message);
  });

  test('defaults to CRITICAL 7d, HIGH 30d, MEDIUM 90d and LOW 180d', () => {
    const days = Object.fromEntries(Object.entries(DEFAULT_FINDINGS_SLA).map(([label, limit]) => [label, limit!.ms / DAY]));
    expect(days).toEqual({ CRITICAL: 7, HIGH: 30, MEDIUM: 90, LOW: 180 });
  });
});

describe('FindingTally', () => {
  const tally = () => new FindingTally({ sla: DEFAULT_FINDINGS_SLA, importStarted: STARTED, now: () => NOW });

  test('counts open, new and overdue findings of the report by severity', () => {
    const t = tally();
    t.add(finding('c-new', 'CRITICAL', NOW.toISOString()), 'report');
    t.add(finding('c-8d', 'CRITICAL', daysAgo(8)), 'report');
    t.add(finding('c-6d', 'CRITICAL', daysAgo(6)), 'report');
    t.add(finding('h-31d', 'HIGH', daysAgo(31)), 'report');
    t.add(finding('m-91d', 'MEDIUM', daysAgo(91)), 'report');
    t.add(finding('l-seen-by-tool', 'LOW', daysAgo(2)), 'report');
    t.add(finding('i-new', 'INFORMATIONAL', NOW.toISOString()), 'report');
    const figures = Object.fromEntries(t.bySeverity());
    expect(figures.CRITICAL).toMatchObject({ open: 3, new: 1, overdue: 1 });
    expect(figures.HIGH).toMatchObject({ open: 1, new: 0, overdue: 1 });
    expect(figures.MEDIUM).toMatchObject({ open: 1, new: 0, overdue: 1 });
    expect(figures.LOW).toMatchObject({ open: 1, new: 0, overdue: 0 });
    expect(figures.INFORMATIONAL).toBeUndefined();
  });

  test('counts a finding sent twice (a retry after a lost response) once', () => {
    const t = tally();
    t.add(finding('h', 'HIGH', daysAgo(40)), 'report');
    t.add(finding('h', 'HIGH', daysAgo(40)), 'report');
    expect(t.bySeverity().get('HIGH')).toMatchObject({ open: 1, overdue: 1 });
  });

  test('resolves archived findings with their age at closure, from FirstObservedAt or else CreatedAt', () => {
    const t = tally();
    t.add(finding('h-10d', 'HIGH', daysAgo(10), { RecordState: 'ARCHIVED' }), 'archive');
    t.add(finding('h-created-4d', 'HIGH', undefined, { RecordState: 'ARCHIVED', CreatedAt: daysAgo(4) }), 'archive');
    expect(t.bySeverity().get('HIGH')).toEqual({ open: 0, overdue: 0, new: 0, resolved: 2, resolvedAgeSeconds: 14 * 86_400 });
  });

  test('does not resolve a finding the tool itself reports closed: it comes ARCHIVED in every report', () => {
    const t = tally();
    t.add(finding('closed-by-tool', 'HIGH', daysAgo(10), { RecordState: 'ARCHIVED' }), 'report');
    expect(t.bySeverity().get('HIGH')).toEqual({ open: 0, overdue: 0, new: 0, resolved: 0, resolvedAgeSeconds: 0 });
  });

  test('a finding without any timestamp counts as overdue, as the gate judges it, and not as new', () => {
    const t = tally();
    t.add(finding('h-unknown', 'HIGH', undefined, { CreatedAt: undefined }), 'report');
    expect(t.bySeverity().get('HIGH')).toMatchObject({ open: 1, overdue: 1, new: 0 });
  });

  test('a severity without an SLA is never overdue', () => {
    const t = new FindingTally({ sla: { CRITICAL: DEFAULT_FINDINGS_SLA.CRITICAL }, importStarted: STARTED, now: () => NOW });
    t.add(finding('h-400d', 'HIGH', daysAgo(400)), 'report');
    expect(t.bySeverity().get('HIGH')).toMatchObject({ open: 1, overdue: 0 });
  });
});

describe('emitFindingMetrics', () => {
  let emf: ReturnType<typeof captureEmf>;
  beforeEach(() => {
    emf = captureEmf();
  });
  afterEach(() => emf.restore());

  test('emits gauges per repository, stage, tool and severity, zeros included, and counts without the repository', () => {
    const t = new FindingTally({ sla: DEFAULT_FINDINGS_SLA, importStarted: STARTED, now: () => NOW });
    t.add(finding('h-new', 'HIGH', NOW.toISOString()), 'report');
    t.add(finding('h-40d', 'HIGH', daysAgo(40)), 'report');
    t.add(finding('c-2d', 'CRITICAL', daysAgo(2), { RecordState: 'ARCHIVED' }), 'archive');
    emitFindingMetrics(new Metrics({ namespace: 'Test', serviceName: 'processor' }), { repository: 'shop', stage: 'image', tool: 'grype' }, t);
    const documents = emf.documents();
    const value = (name: string, severity: string) => documents.filter((d) => d[name] !== undefined && d.Severity === severity).map((d) => d[name]);

    expect(value('OpenFindings', 'HIGH')).toEqual([2]);
    expect(value('OverdueFindings', 'HIGH')).toEqual([1]);
    expect(value('NewFindings', 'HIGH')).toEqual([1]);
    expect(value('OpenFindings', 'LOW')).toEqual([0]);
    expect(value('ResolvedFindings', 'CRITICAL')).toEqual([1]);
    expect(value('ResolvedFindingsAge', 'CRITICAL')).toEqual([2 * 86_400]);
    // Zero counts are not emitted: only gauges need a value after every import.
    expect(value('NewFindings', 'LOW')).toEqual([]);

    const open = documents.find((d) => d.OpenFindings !== undefined)!;
    expect(open._aws.CloudWatchMetrics).toEqual([{
      Namespace: 'Test',
      Dimensions: [['service', 'Repository', 'Stage', 'Tool', 'Severity']],
      Metrics: [{ Name: 'OpenFindings', Unit: 'Count' }],
    }]);
    expect(open).toMatchObject({ service: 'processor', Repository: 'shop', Stage: 'image', Tool: 'grype' });
    const resolved = documents.find((d) => d.ResolvedFindingsAge !== undefined)!;
    expect(resolved._aws.CloudWatchMetrics[0]).toMatchObject({
      Dimensions: [['service', 'Stage', 'Tool', 'Severity']],
      Metrics: [{ Name: 'ResolvedFindingsAge', Unit: 'Seconds' }],
    });
    expect(resolved.Repository).toBeUndefined();
    // Four severities, two gauges each, plus the three non-zero counts.
    expect(documents).toHaveLength(11);
  });
});

describe('observeImports', () => {
  let fake: FakeSecurityHub;
  beforeEach(async () => {
    fake = await FakeSecurityHub.start();
  });
  afterEach(async () => fake.close());

  test('tallies the findings Security Hub accepted, not those it refused, and stops when removed', async () => {
    const client = fake.client();
    fake.faults = { failFinding: (_operation, id) => (id === 'refused' ? { code: 'InvalidInput', message: 'refused by the test' } : undefined) };
    const t = new FindingTally({ sla: DEFAULT_FINDINGS_SLA, importStarted: STARTED, now: () => NOW });
    const stop = observeImports(client, t, () => 'report');
    await client.send(
      new BatchImportFindingsCommand({ Findings: [finding('accepted', 'HIGH', daysAgo(1)), finding('refused', 'HIGH', daysAgo(1))] }),
    );
    stop();
    await client.send(new BatchImportFindingsCommand({ Findings: [finding('after', 'HIGH', daysAgo(1))] }));
    expect(t.bySeverity().get('HIGH')).toMatchObject({ open: 1 });
  });
});
