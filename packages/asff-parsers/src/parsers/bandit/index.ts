import { FindingTypes } from '../../asff/finding-types';
import { MalformedInputError } from '../../errors';
import { streamJsonElements } from '../../streams/json-elements';
import { peekSource, type ReportSource } from '../../streams/report-source';
import { codeLocationId, portablePath } from '../code-location';
import { asArray, asNumber, asRecord, asString, joinNonEmpty } from '../json-values';
import type { FindingDraft, ParseContext, Parser, ReportHead, SeverityTable } from '../parser';
import { RepeatFilter } from '../repeat-filter';
import { severityFrom } from '../severity';

const BANDIT_SEVERITIES: SeverityTable = {
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  undefined: 'INFORMATIONAL',
};

/** Tests whose issue text quotes the password they found. */
const HARDCODED_PASSWORD_TESTS = new Set(['B105', 'B106', 'B107']);

/** Bandit `-f json`: `{errors[], generated_at, metrics{}, results[]}`. */
export const banditParser: Parser = {
  id: 'bandit',
  displayName: 'Bandit',
  countingUnit:
    'one per results[] entry: a test (Bxxx) at one file, line and column; an entry repeated verbatim at the same spot is counted once',
  formats: ['Bandit JSON'],
  severityTable: BANDIT_SEVERITIES,
  detect(head: ReportHead): number | undefined {
    const text = head.text;
    if (!/^\s*\{/.test(text) || !text.includes('"generated_at"')) return undefined;
    // Bandit writes per-file metrics before the results: on a big run `results` is past the head.
    if (text.includes('"metrics"') && /"(SEVERITY|CONFIDENCE)\.(HIGH|MEDIUM|LOW|UNDEFINED)"/.test(text)) return 0.9;
    if (text.includes('"results"') && (text.includes('"test_id"') || text.includes('"metrics"'))) return 0.8;
    return undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseBandit(source, context);
  },
};

async function* parseBandit(source: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  const peeked = await peekSource(source);
  // Bandit writes generated_at before anything else; Semgrep and tfsec reports also have `results`.
  if (!peeked.head.toString('utf8').includes('"generated_at"')) throw new MalformedInputError('not a Bandit report: no generated_at', 'unrecognised');
  const repeats = new RepeatFilter();
  for await (const element of streamJsonElements(peeked.source, { elements: ['results.*'] })) {
    const result = asRecord(element.value);
    const testId = asString(result.test_id);
    if (testId === undefined) throw new MalformedInputError('not a Bandit report: results[] entries have no test_id', 'unrecognised');
    const file = portablePath(asString(result.filename) ?? 'unknown-file');
    const line = asNumber(result.line_number);
    const column = asNumber(result.col_offset);
    const locationKey = `${file}:${line ?? ''}:${column ?? ''}`;
    if (!repeats.first({ ruleId: testId, locationKey })) continue;
    yield banditFinding(result, testId, file, line, column, locationKey, context);
  }
}

function banditFinding(
  result: Record<string, unknown>,
  testId: string,
  file: string,
  line: number | undefined,
  column: number | undefined,
  locationKey: string,
  context: ParseContext,
): FindingDraft {
  const testName = asString(result.test_name);
  const text = asString(result.issue_text) ?? testName ?? testId;
  const confidence = asString(result.issue_confidence);
  const cwe = asNumber(asRecord(result.issue_cwe).id);
  const lineRange = asArray(result.line_range).map(asNumber).filter((n): n is number => n !== undefined);
  const where = `${file}${line === undefined ? '' : `:${line}`}`;
  const moreInfo = asString(result.more_info);
  // `code` is left out on purpose: for B105-B107 (hard-coded passwords) it is the password,
  // which issue_text quotes too: that quote goes to the builder for redaction.
  const password = HARDCODED_PASSWORD_TESTS.has(testId) ? quotedPassword(text) : undefined;
  return {
    ruleId: testId,
    locationKey,
    title: `${joinNonEmpty([testId, testName], ' ')}: ${text}`,
    description: joinNonEmpty([
      text,
      `In ${where}.`,
      confidence ? `Bandit confidence: ${confidence}.` : undefined,
      cwe !== undefined ? `CWE-${cwe}.` : undefined,
    ], '\n\n'),
    severity: severityFrom(BANDIT_SEVERITIES, result.issue_severity),
    types: [FindingTypes.CODE_VULNERABILITY],
    resources: [{ type: 'Other', id: codeLocationId(context.scan, file, line) }],
    secrets: password === undefined ? undefined : [password],
    remediation: moreInfo ? { text: `See the Bandit documentation of ${testId}${testName ? ` (${testName})` : ''}.`, url: moreInfo } : undefined,
    productFields: {
      File: file,
      ...(line !== undefined ? { Line: String(line) } : {}),
      ...(column !== undefined ? { Column: String(column) } : {}),
      ...(lineRange.length > 1 ? { LineRange: `${lineRange[0]}-${lineRange[lineRange.length - 1]}` } : {}),
      ...(confidence ? { Confidence: confidence } : {}),
      ...(cwe !== undefined ? { CWE: `CWE-${cwe}` } : {}),
    },
  };
}

/** Where a quote after `password:` may open: each match is a distinct `password:` and the blanks after it. */
const PASSWORD_QUOTE = /password:\s*'/gi;
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;

/**
 * The password B105-B107 quote in issue_text (`Possible hardcoded password:
 * 'hunter2'`): what `/password:\s*'(.+)'\s*$/i` captures, found without it.
 * The text is report-controlled, and that regex rescans the rest of the text
 * at every `password: '` when the text does not end in a quote; here each
 * `password:` is matched once and the closing quote is found from the end.
 */
export function quotedPassword(text: string): string | undefined {
  const trimmed = text.trimEnd();
  const close = trimmed.length - 1;
  if (close < 0 || trimmed[close] !== "'") return undefined;
  // `.` matches no line terminator, so the password starts after the last one.
  let lastBreak = -1;
  for (let i = close - 1; i >= 0; i--) {
    if (LINE_TERMINATOR.test(trimmed[i])) {
      lastBreak = i;
      break;
    }
  }
  for (const match of trimmed.matchAll(PASSWORD_QUOTE)) {
    const open = match.index + match[0].length - 1;
    if (open > lastBreak && open < close - 1) return trimmed.slice(open + 1, close);
  }
  return undefined;
}
