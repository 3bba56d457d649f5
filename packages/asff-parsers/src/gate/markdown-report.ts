import { ageLabel, GateResult, severalTools } from './gate-result';
import { SEVERITY_LABELS } from '../policy/severity';

function cell(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').replace(/</g, '&lt;').slice(0, 200);
}

/** A Markdown summary for pull requests and build pages: verdict, counts, worst findings. */
export function markdownReport(result: GateResult, worst = 20): string {
  const lines = [
    `## Security gate \`${cell(result.stage)}\`: ${result.passed ? '✅ passed' : `❌ failed (${result.blocking} blocking)`}`,
    '',
    `Threshold: **${result.threshold}**. Mode: **${result.mode}**. Suppressed: ${result.suppressed}. Archived: ${result.archived}.`
      + ` Expired suppressions: ${result.expiredSuppressions}.`
      + (result.correlated > 0 ? ` Counted once with another tool's finding of the same vulnerability: ${result.correlated}.` : ''),
    '',
    `| ${[...SEVERITY_LABELS].reverse().join(' | ')} |`,
    `|${[...SEVERITY_LABELS].map(() => '---:').join('|')}|`,
    `| ${[...SEVERITY_LABELS].reverse().map((l) => result.counts[l]).join(' | ')} |`,
  ];
  if (result.ages) {
    lines.push(
      '',
      '| New | Existing within SLA | Overdue | Baseline |',
      '|---:|---:|---:|---:|',
      `| ${result.ages.new} | ${result.ages.existing} | ${result.ages.overdue} | ${result.baselineSize} |`,
    );
  }
  const shown = result.findings.filter((f) => f.status !== 'suppressed' && f.status !== 'correlated').slice(0, worst);
  if (shown.length > 0) {
    const withAge = result.ages !== undefined;
    const withTool = severalTools(result.findings);
    const header = ['', 'Severity', ...(withTool ? ['Tool'] : []), 'Finding', 'Location', ...(withAge ? ['Age'] : [])];
    lines.push('', `|${header.map((h) => (h ? ` ${h} ` : ' ')).join('|')}|`, `|${header.map(() => '---').join('|')}|`);
    for (const f of shown) {
      const cells = [
        f.status === 'blocking' ? '❌' : '',
        f.severity,
        ...(withTool ? [cell(f.tool ?? '')] : []),
        cell(f.title),
        f.location ? `\`${cell(f.location)}\`` : '',
        ...(withAge ? [cell(ageLabel(f) ?? '')] : []),
      ];
      lines.push(`|${cells.map((c) => (c ? ` ${c} ` : ' ')).join('|')}|`);
    }
  }
  const inSource = result.findings.filter((f) => f.inSourceSuppression !== undefined);
  if (inSource.length > 0) {
    // Reviewers see every attempt of the change to switch a finding off from inside the code.
    lines.push('', '### Suppressed in the source, not honoured', '', 'The tool reports these findings suppressed by the scanned code itself '
      + '(such as `# nosemgrep`); the factory policy does not honour that (`gate.inSourceSuppressions: ignore`), so they are judged.', '');
    for (const f of inSource.slice(0, worst)) {
      const where = f.location ? ` at \`${cell(f.location)}\`` : '';
      lines.push(`- ${f.severity} ${cell(f.title)}${where} (\`${cell(f.rule)}\`): ${cell(f.inSourceSuppression!)}`);
    }
  }
  const expired = result.findings.filter((f) => f.expiredSuppression);
  if (expired.length > 0) {
    lines.push('', '### Expired suppressions', '');
    for (const f of expired.slice(0, worst)) {
      lines.push(`- \`${cell(f.id)}\`: expired ${f.expiredSuppression!.expires} (${cell(f.expiredSuppression!.reason)})`);
    }
  }
  return `${lines.join('\n')}\n`;
}
