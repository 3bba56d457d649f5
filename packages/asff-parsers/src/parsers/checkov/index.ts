import { FindingTypes } from '../../asff/finding-types';
import { MalformedInputError } from '../../errors';
import { streamJsonElements } from '../../streams/json-elements';
import { peekSource, type ReportSource } from '../../streams/report-source';
import { codeLocationId, portablePath } from '../code-location';
import { asArray, asNumber, asRecord, asString, joinNonEmpty } from '../json-values';
import type { FindingDraft, ParseContext, Parser, ReportHead, SeverityTable } from '../parser';
import { RepeatFilter } from '../repeat-filter';
import { severityFrom } from '../severity';

const CHECKOV_SEVERITIES: SeverityTable = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  info: 'INFORMATIONAL',
};

/**
 * Open-source Checkov leaves `severity` null (only the Prisma Cloud platform
 * fills it in): a failed policy without one is MEDIUM, as DefectDojo files it.
 */
const UNRATED: 'MEDIUM' = 'MEDIUM';

/**
 * Checkov `-o json`: one check type is an object `{check_type, results, summary}`,
 * several are an array of those, and a run that found nothing to scan is a
 * bare summary `{passed, failed, skipped, parsing_errors, checkov_version}`.
 */
export const checkovParser: Parser = {
  id: 'checkov',
  displayName: 'Checkov',
  countingUnit:
    'one per failed check per resource (check id, file, resource, line range); skipped checks are imported as suppressed with their skip comment; ' +
    'passed checks are not findings',
  formats: ['Checkov JSON (single check type)', 'Checkov JSON (array of check types)', 'Checkov empty-run summary'],
  severityTable: CHECKOV_SEVERITIES,
  detect(head: ReportHead): number | undefined {
    const text = head.text;
    if (/^\s*[[{]/.test(text) && text.includes('"check_type"') && /"(failed|passed|skipped)_checks"/.test(text)) return 0.9;
    if (/^\s*\{/.test(text) && text.includes('"checkov_version"') && text.includes('"passed"') && text.includes('"failed"')) return 0.85;
    return undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseCheckov(source, context);
  },
};

async function* parseCheckov(source: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  const peeked = await peekSource(source);
  if (peeked.complete && isBareSummary(peeked.head.toString('utf8'))) return;
  const selection = {
    elements: ['results.failed_checks.*', 'results.skipped_checks.*', '*.results.failed_checks.*', '*.results.skipped_checks.*'],
    capture: ['check_type', '*.check_type'],
  };
  const repeats = new RepeatFilter();
  for await (const element of streamJsonElements(peeked.source, selection)) {
    const skipped = element.selector.includes('skipped');
    const checkType = asString(element.captured.check_type ?? element.captured['*.check_type']);
    const draft = checkovFinding(asRecord(element.value), checkType, skipped, context);
    if (!repeats.first(draft)) continue;
    yield draft;
  }
}

/** Checkov 2 prints only the summary when there was nothing to scan. */
function isBareSummary(text: string): boolean {
  try {
    const document = asRecord(JSON.parse(text.replace(/^\uFEFF/, '')));
    return document.checkov_version !== undefined && document.results === undefined && document.check_type === undefined;
  } catch {
    return false;
  }
}

function checkovFinding(check: Record<string, unknown>, checkType: string | undefined, skipped: boolean, context: ParseContext): FindingDraft {
  const checkId = asString(check.check_id);
  if (checkId === undefined) throw new MalformedInputError('not a Checkov report: a check has no check_id', 'unrecognised');
  const name = asString(check.check_name) ?? checkId;
  const file = portablePath(asString(check.repo_file_path) ?? asString(check.file_path) ?? 'unknown-file');
  const range = asArray(check.file_line_range).map(asNumber).filter((n): n is number => n !== undefined);
  const resource = asString(check.resource);
  const guideline = asString(check.guideline);
  const lines = range.length ? `${range[0]}-${range[range.length - 1]}` : undefined;
  const where = `${file}${range.length ? `:${range[0]}` : ''}`;
  const skipReason = asString(asRecord(check.check_result).suppress_comment);
  // code_block is left out: for the secrets framework it holds the (partly masked) secret.
  return {
    ruleId: checkId,
    locationKey: joinNonEmpty([checkType, file, resource, lines], '|'),
    title: `${checkId}: ${name}`,
    description: joinNonEmpty(
      [
        asString(check.description) ?? name,
        resource && checkType !== 'secrets'
          ? `Resource ${resource} in ${where}${lines ? ` (lines ${lines})` : ''}.`
          : `In ${where}${lines ? ` (lines ${lines})` : ''}.`,
      ],
      '\n\n',
    ),
    severity: severityFrom(CHECKOV_SEVERITIES, check.severity, UNRATED),
    types: [checkType === 'secrets' ? FindingTypes.SECRET : FindingTypes.CONFIGURATION],
    resources: [{ type: 'Other', id: codeLocationId(context.scan, file, range[0]) }],
    remediation: guideline ? { text: `Follow the guideline for ${checkId}: ${name}.`, url: guideline } : undefined,
    productFields: {
      File: file,
      ...(lines ? { Lines: lines } : {}),
      // For the secrets framework the "resource" is a hash of the secret: not worth handing out.
      ...(resource && checkType !== 'secrets' ? { Resource: resource } : {}),
      ...(checkType ? { CheckType: checkType } : {}),
      ...(asString(check.bc_check_id) ? { PlatformCheckId: asString(check.bc_check_id)! } : {}),
    },
    suppressed: skipped ? { reason: skipReason ?? 'skipped in Checkov', kind: 'inSource' } : undefined,
  };
}
