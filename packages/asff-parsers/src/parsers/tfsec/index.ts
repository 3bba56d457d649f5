import { FindingTypes } from '../../asff/finding-types';
import { MalformedInputError } from '../../errors';
import { streamJsonElements } from '../../streams/json-elements';
import { peekSource, type ReportSource } from '../../streams/report-source';
import { codeLocationId, portablePath } from '../code-location';
import { asArray, asNumber, asRecord, asString, joinNonEmpty } from '../json-values';
import type { FindingDraft, ParseContext, Parser, ReportHead, SeverityTable } from '../parser';
import { RepeatFilter } from '../repeat-filter';
import { severityFrom } from '../severity';

/** Legacy tfsec (< 0.40) said ERROR/WARNING/INFO; current tfsec says CRITICAL/HIGH/MEDIUM/LOW. */
const TFSEC_SEVERITIES: SeverityTable = {
  critical: 'CRITICAL',
  high: 'HIGH',
  error: 'HIGH',
  medium: 'MEDIUM',
  warning: 'MEDIUM',
  low: 'LOW',
  info: 'LOW',
};

/**
 * tfsec `--format json`: `{results[] | null}`. Legacy results carry
 * `passed`, current ones `status` (0 or "failed", 1 or "passed", 2 or "ignored").
 */
export const tfsecParser: Parser = {
  id: 'tfsec',
  displayName: 'tfsec',
  countingUnit:
    'one per failed rule per Terraform resource at one location (rule, file, lines, resource address): a module used twice gives two findings at ' +
    'the same lines; passed checks are not findings, ignored ones are imported as suppressed',
  formats: ['tfsec JSON (legacy, with passed)', 'tfsec JSON (current, with status and long ids)'],
  severityTable: TFSEC_SEVERITIES,
  detect(head: ReportHead): number | undefined {
    const text = head.text;
    if (!/^\s*\{/.test(text)) return undefined;
    if (text.includes('"results"') && text.includes('"rule_id"') && (text.includes('"rule_provider"') || text.includes('"location"'))) return 0.9;
    // A clean tfsec run is nothing but `{"results": null}`.
    if (head.complete && /^\s*\{\s*"results"\s*:\s*(null|\[\s*\])\s*\}\s*$/.test(text)) return 0.4;
    return undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseTfsec(source, context);
  },
};

async function* parseTfsec(source: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  const peeked = await peekSource(source);
  const head = peeked.head.toString('utf8');
  // tfsec writes nothing but `results`; Semgrep and Bandit reports carry an `errors` list beside theirs.
  if (head.includes('"errors"') && !head.includes('"rule_id"')) {
    throw new MalformedInputError('not a tfsec report: it has an errors list (Semgrep or Bandit)', 'unrecognised');
  }
  const repeats = new RepeatFilter();
  for await (const element of streamJsonElements(peeked.source, { elements: ['results.*'] })) {
    const result = asRecord(element.value);
    const status = statusOf(result);
    if (status === 'passed') continue;
    // Versions that name the resource nowhere report module instances at the same lines: the description tells them apart.
    const draft = repeats.admit(tfsecFinding(result, status === 'ignored', context), [asString(result.description)]);
    if (draft !== undefined) yield draft;
  }
}

function statusOf(result: Record<string, unknown>): 'failed' | 'passed' | 'ignored' {
  if (result.passed === true) return 'passed';
  const status = result.status;
  if (status === 1 || status === 'passed') return 'passed';
  if (status === 2 || status === 'ignored') return 'ignored';
  return 'failed';
}

function tfsecFinding(result: Record<string, unknown>, ignored: boolean, context: ParseContext): FindingDraft {
  const ruleId = asString(result.long_id) ?? asString(result.rule_id);
  if (ruleId === undefined) throw new MalformedInputError('not a tfsec report: a result has no rule_id', 'unrecognised');
  const location = asRecord(result.location);
  const file = portablePath(asString(location.filename) ?? 'unknown-file');
  const start = asNumber(location.start_line);
  const end = asNumber(location.end_line);
  const description = asString(result.description);
  const resource = asString(result.resource) ?? resourceNamedIn(description);
  const links = [...asArray(result.links).map(asString), asString(result.link)].filter((l): l is string => l !== undefined);
  const ruleDescription = asString(result.rule_description) ?? ruleId;
  const lines = start === undefined ? undefined : `${start}-${end ?? start}`;
  const otherIds = [asString(result.rule_id), asString(result.legacy_rule_id)].filter((id): id is string => id !== undefined && id !== ruleId);
  return {
    ruleId,
    locationKey: joinNonEmpty([file, lines, resource], '|'),
    title: `${ruleId}: ${ruleDescription}`,
    description: joinNonEmpty([
      description ?? ruleDescription,
      asString(result.impact) ? `Impact: ${asString(result.impact)}.` : undefined,
      `In ${file}${lines ? ` (lines ${lines})` : ''}.`,
    ], '\n\n'),
    severity: severityFrom(TFSEC_SEVERITIES, result.severity),
    types: [FindingTypes.CONFIGURATION],
    resources: [{ type: 'Other', id: codeLocationId(context.scan, file, start) }],
    remediation: asString(result.resolution) || links.length ? { text: asString(result.resolution), url: links[0] } : undefined,
    productFields: {
      File: file,
      ...(lines ? { Lines: lines } : {}),
      ...(resource ? { Resource: resource } : {}),
      ...(asString(result.rule_provider) ? { Provider: asString(result.rule_provider)! } : {}),
      ...(otherIds.length ? { OtherRuleIds: otherIds.join(', ') } : {}),
    },
    suppressed: ignored ? { reason: 'ignored with a tfsec:ignore comment', kind: 'inSource' } : undefined,
  };
}

/** Results of some tfsec versions name the resource only in their description: `Resource 'module.x:aws_y.z' ...`. */
function resourceNamedIn(description: string | undefined): string | undefined {
  return description === undefined ? undefined : /^Resource '([^']+)'/.exec(description)?.[1];
}
