import { ageLabel, gateHeading, GateResult, inSourceNote } from './gate-result';
import { SEVERITY_LABELS } from '../policy/severity';

/** The lines `asff gate` prints: verdict, counts by severity, the worst findings. */
export function textSummary(result: GateResult, worst = 10): string {
  const verdict = result.passed ? 'PASSED' : `FAILED (${result.blocking} blocking)`;
  const counts = [...SEVERITY_LABELS].reverse().map((label) => `${label} ${result.counts[label]}`).join('  ');
  const lines = [
    `asff gate: ${gateHeading(result)}: ${verdict}`,
    `  ${counts}  (suppressed ${result.suppressed}, archived ${result.archived}, expired suppressions ${result.expiredSuppressions})`,
  ];
  const ages = result.ages;
  if (ages) {
    lines.push(`  new ${ages.new}  existing within SLA ${ages.existing}  overdue ${ages.overdue}  (baseline: ${result.baselineSize} findings)`);
  }
  if (result.ignoredInSourceSuppressions > 0) {
    const count = result.ignoredInSourceSuppressions;
    lines.push(`  ${count} finding(s) suppressed in the source by the tool, judged anyway (gate.inSourceSuppressions: ignore)`);
  }
  if (result.correlated > 0) lines.push(`  ${result.correlated} finding(s) of another tool about the same vulnerability counted once`);
  const shown = result.findings.filter((f) => f.status !== 'suppressed' && f.status !== 'correlated').slice(0, worst);
  if (shown.length > 0) {
    lines.push('worst findings:');
    const width = Math.max(...shown.map((f) => f.severity.length));
    for (const f of shown) {
      const age = ageLabel(f);
      const mark = f.status === 'blocking' ? '✗' : ' ';
      const location = f.location ? `  @ ${oneLine(f.location)}` : '';
      lines.push(`  ${mark} ${f.severity.padEnd(width)}  ${oneLine(f.title)}${location}  [${f.id}]${age ? `  ${age}` : ''}`);
    }
  }
  for (const f of result.findings.filter((x) => x.inSourceSuppression !== undefined).slice(0, worst)) {
    lines.push(`  note: ${f.id}: ${oneLine(inSourceNote(f)!)}`);
  }
  for (const f of result.findings.filter((x) => x.expiredSuppression).slice(0, worst)) {
    lines.push(`  note: suppression of ${f.id} expired on ${f.expiredSuppression!.expires} (${oneLine(f.expiredSuppression!.reason)})`);
  }
  return `${lines.join('\n')}\n`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 119)}…` : flat;
}
