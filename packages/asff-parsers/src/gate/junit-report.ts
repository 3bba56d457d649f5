import { ageLabel, GatedFinding, GateResult, inSourceNote, severalTools } from './gate-result';

function xml(text: string): string {
  // Characters XML 1.0 cannot carry at all are dropped; the rest are escaped.
  return text
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/**
 * JUnit XML for CodeBuild test reports: one test case for the stage's verdict,
 * one per ACTIVE finding (failed when blocking, skipped when suppressed), so
 * the report view lists exactly what fails the build and why.
 */
export function junitReport(result: GateResult): string {
  const cases: string[] = [];
  const verdictMessage = `${result.blocking} finding(s) at or above ${result.threshold}${result.mode === 'all' ? '' : ` (mode ${result.mode})`}`;
  const verdictFailure = result.passed ? '' : `<failure message="${xml(verdictMessage)}"/>`;
  const verdictName = `threshold ${result.threshold}${result.mode === 'all' ? '' : ` mode ${result.mode}`}`;
  cases.push(`    <testcase classname="asff.gate.${xml(result.stage)}" name="${xml(verdictName)}">${verdictFailure}</testcase>`);
  const byTool = severalTools(result.findings);
  for (const f of result.findings) {
    const name = xml(`${f.severity} ${f.title} [${f.id}]`);
    // Grouped by tool when the stage ran several, then by standing when there is a baseline, so the report view
    // separates each tool's new, existing and overdue findings.
    const classname = xml(`${result.stage}.${byTool && f.tool ? `${f.tool}.` : ''}${f.age ? `${f.age}.` : ''}${f.rule}`);
    const age = ageLabel(f);
    let body = '';
    if (f.status === 'blocking') {
      const details = [
        `${f.severity} meets the ${result.stage} threshold ${result.threshold}`,
        blockingReason(f, result.mode),
        f.location ? `at ${f.location}` : undefined,
        inSourceNote(f),
        f.remediationUrl,
      ].filter(Boolean).join('\n');
      body = `<failure message="${xml(`${f.severity} ${f.rule}${age ? ` (${age})` : ''}`)}" type="${f.severity}">${xml(details)}</failure>`;
    } else if (f.status === 'suppressed') {
      body = `<skipped message="${xml(`suppressed: ${f.suppressedBecause ?? ''}`)}"/>`;
    } else if (f.status === 'correlated') {
      body = `<skipped message="${xml(`same vulnerability as ${f.correlatedWith ?? ''}, counted once`)}"/>`;
    } else if (age || f.inSourceSuppression !== undefined) {
      body = `<system-out>${xml([age, inSourceNote(f)].filter(Boolean).join('\n'))}</system-out>`;
    }
    cases.push(`    <testcase classname="${classname}" name="${name}">${body}</testcase>`);
  }
  const failures = result.findings.filter((f) => f.status === 'blocking').length + (result.passed ? 0 : 1);
  const skipped = result.findings.filter((f) => f.status === 'suppressed' || f.status === 'correlated').length;
  const properties = result.ages
    ? [
      '    <properties>',
      `      <property name="mode" value="${result.mode}"/>`,
      ...Object.entries(result.ages).map(([key, value]) => `      <property name="${key}" value="${value}"/>`),
      `      <property name="baseline" value="${result.baselineSize ?? 0}"/>`,
      '    </properties>',
    ]
    : [];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="asff gate" tests="${cases.length}" failures="${failures}">`,
    `  <testsuite name="${xml(`security gate: ${result.stage}`)}" tests="${cases.length}" failures="${failures}" skipped="${skipped}" errors="0">`,
    ...properties,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function blockingReason(f: GatedFinding, mode: GateResult['mode']): string | undefined {
  if (f.age === 'overdue') return `open since ${f.firstObservedAt?.slice(0, 10) ?? 'an unknown date'}, longer than its SLA of ${f.sla}`;
  if (mode === 'new' && f.age === 'new') return 'new: not on the default branch';
  return undefined;
}
