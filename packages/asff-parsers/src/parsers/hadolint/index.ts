import { FindingTypes } from '../../asff/finding-types';
import { MalformedInputError } from '../../errors';
import { streamJsonElements } from '../../streams/json-elements';
import { peekSource, type ReportSource } from '../../streams/report-source';
import { codeLocationId, portablePath } from '../code-location';
import { asNumber, asRecord, asString } from '../json-values';
import type { FindingDraft, ParseContext, Parser, ReportHead, SeverityTable } from '../parser';
import { RepeatFilter } from '../repeat-filter';
import { severityFrom } from '../severity';

/**
 * Lint levels are about Dockerfile hygiene, not exploitable flaws: an `error`
 * (e.g. ADD of a remote URL) is HIGH, not CRITICAL, so it does not outrank
 * known-exploitable CVEs in the same Security Hub view.
 */
const HADOLINT_SEVERITIES: SeverityTable = {
  error: 'HIGH',
  warning: 'MEDIUM',
  info: 'LOW',
  style: 'INFORMATIONAL',
  ignore: 'INFORMATIONAL',
  none: 'INFORMATIONAL',
};

/** hadolint `--format json`: a top-level array of `{line, code, message, column, file, level}`. */
export const hadolintParser: Parser = {
  id: 'hadolint',
  displayName: 'Hadolint',
  countingUnit:
    'one per array entry: a rule (DLxxxx or ShellCheck SCxxxx) at one Dockerfile line and column; an entry repeated verbatim is counted once',
  formats: ['hadolint JSON (array)'],
  severityTable: HADOLINT_SEVERITIES,
  detect(head: ReportHead): number | undefined {
    const text = head.text;
    // An empty report carries no tool marker; a file name that names the tool is the only honest hint.
    if (head.complete && ['[]'].includes(text.replace(/\s+/g, '')) && /hadolint/i.test(head.fileName?.split(/[\\/]/).pop() ?? '')) return 0.3;
    if (!/^\s*\[/.test(text)) return undefined;
    if (/"code"\s*:\s*"(DL|SC)\d+"/.test(text) && text.includes('"level"') && text.includes('"message"')) return 0.9;
    return undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseHadolint(source, context);
  },
};

async function* parseHadolint(source: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  const peeked = await peekSource(source);
  if (!/^\s*\[/.test(peeked.head.toString('utf8').replace(/^\uFEFF/, ''))) {
    throw new MalformedInputError('not a hadolint report: expected a top-level array', 'unrecognised');
  }
  const repeats = new RepeatFilter();
  for await (const element of streamJsonElements(peeked.source, { elements: ['*'] })) {
    const entry = asRecord(element.value);
    const code = asString(entry.code);
    if (code === undefined) {
      throw new MalformedInputError('not a hadolint report: expected an array of {code, line, file, level, message}', 'unrecognised');
    }
    const file = portablePath(asString(entry.file) ?? 'Dockerfile');
    const line = asNumber(entry.line);
    const column = asNumber(entry.column);
    const locationKey = `${file}:${line ?? ''}:${column ?? ''}`;
    // hadolint prints an entry twice when a rule fires twice at one spot; it is one finding.
    if (!repeats.first({ ruleId: code, locationKey })) continue;
    const message = asString(entry.message) ?? code;
    const where = line === undefined ? file : `${file}:${line}${column === undefined ? '' : `:${column}`}`;
    yield {
      ruleId: code,
      locationKey,
      title: `${code}: ${message}`,
      description: `${message}\n\nIn ${where}.`,
      severity: severityFrom(HADOLINT_SEVERITIES, entry.level),
      types: [FindingTypes.CONFIGURATION],
      resources: [{ type: 'Other', id: codeLocationId(context.scan, file, line) }],
      remediation: { text: message, url: ruleUrl(code) },
      productFields: {
        File: file,
        ...(line !== undefined ? { Line: String(line) } : {}),
        ...(column !== undefined ? { Column: String(column) } : {}),
      },
    };
  }
}

/** DL rules are documented in hadolint's wiki, SC rules (embedded ShellCheck) in ShellCheck's. */
function ruleUrl(code: string): string {
  return code.startsWith('SC') ? `https://www.shellcheck.net/wiki/${code}` : `https://github.com/hadolint/hadolint/wiki/${code}`;
}
