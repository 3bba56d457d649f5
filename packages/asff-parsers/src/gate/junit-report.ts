import { GateResult } from './gate-result';

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
  const verdictFailure = result.passed ? '' : `<failure message="${xml(`${result.blocking} finding(s) at or above ${result.threshold}`)}"/>`;
  cases.push(`    <testcase classname="asff.gate.${xml(result.stage)}" name="${xml(`threshold ${result.threshold}`)}">${verdictFailure}</testcase>`);
  for (const f of result.findings) {
    const name = xml(`${f.severity} ${f.title} [${f.id}]`);
    const classname = xml(`${result.stage}.${f.rule}`);
    let body = '';
    if (f.status === 'blocking') {
      const details = [`${f.severity} meets the ${result.stage} threshold ${result.threshold}`, f.location ? `at ${f.location}` : undefined, f.remediationUrl].filter(Boolean).join('\n');
      body = `<failure message="${xml(`${f.severity} ${f.rule}`)}" type="${f.severity}">${xml(details)}</failure>`;
    } else if (f.status === 'suppressed') {
      body = `<skipped message="${xml(`suppressed: ${f.suppressedBecause ?? ''}`)}"/>`;
    }
    cases.push(`    <testcase classname="${classname}" name="${name}">${body}</testcase>`);
  }
  const failures = result.findings.filter((f) => f.status === 'blocking').length + (result.passed ? 0 : 1);
  const skipped = result.findings.filter((f) => f.status === 'suppressed').length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="asff gate" tests="${cases.length}" failures="${failures}">`,
    `  <testsuite name="${xml(`security gate: ${result.stage}`)}" tests="${cases.length}" failures="${failures}" skipped="${skipped}" errors="0">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
