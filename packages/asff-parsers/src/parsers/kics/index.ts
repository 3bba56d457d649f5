import { FindingTypes } from '../../asff/finding-types';
import { sha256Hex } from '../../asff/sha256';
import { streamJsonElements } from '../../streams/json-elements';
import type { ReportSource } from '../../streams/report-source';
import { codeLocationId, portablePath } from '../code-location';
import { asArray, asNumber, asRecord, asString, joinNonEmpty } from '../json-values';
import type { FindingDraft, ParseContext, Parser, ReportHead, SeverityTable } from '../parser';
import { RepeatFilter } from '../repeat-filter';
import { severityFrom } from '../severity';

/** KICS query severities (INFO and TRACE are informational). */
const KICS_SEVERITIES: SeverityTable = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  info: 'INFORMATIONAL',
  trace: 'INFORMATIONAL',
};

/** A severity KICS did not give (or one added after this table) is rated as KICS' default query severity. */
const UNRATED = 'MEDIUM';

/** The category of KICS' hard-coded secret queries: their values are the secret. */
const SECRET_CATEGORY = 'secret management';

/** KICS `kics scan --report-formats json`: `{queries[{query_name, query_id, severity, platform, category, files[]}], severity_counters, total_counter}`. */
export const kicsParser: Parser = {
  id: 'kics',
  displayName: 'KICS',
  countingUnit:
    'one per queries[].files[] entry: a query at one file, line, search key and expected value; an entry repeated verbatim counts once; the values ' +
    'of Secret Management queries are never copied',
  formats: ['KICS JSON report (kics scan --report-formats json)'],
  severityTable: KICS_SEVERITIES,
  detect(head: ReportHead): number | undefined {
    const text = head.text;
    if (!/^\s*\{/.test(text) || !/"queries"\s*:/.test(text)) return undefined;
    if (
      /"(kics_version|queries_total|severity_counters|files_scanned)"\s*:/.test(text)
      && /"query_(name|id)"\s*:|"queries"\s*:\s*\[\s*\]/.test(text)
    ) {
      return 0.95;
    }
    if (/"query_id"\s*:/.test(text) && /"search_key"\s*:/.test(text)) return 0.8;
    return undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseKics(source, context);
  },
};

async function* parseKics(source: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  const repeats = new RepeatFilter();
  for await (const element of streamJsonElements(source, { elements: ['queries.*'] })) {
    const query = asRecord(element.value);
    for (const file of asArray(query.files).map(asRecord)) {
      const draft = kicsFinding(query, file, context);
      // The key holds KICS' expected value (free text): digested natively before the filter's character-by-character hash.
      if (repeats.first({ ruleId: draft.ruleId, locationKey: sha256Hex(draft.locationKey) })) yield draft;
    }
  }
}

function kicsFinding(query: Record<string, unknown>, file: Record<string, unknown>, context: ParseContext): FindingDraft {
  const queryId = asString(query.query_id) ?? asString(query.query_name) ?? 'unknown-query';
  const name = asString(query.query_name) ?? queryId;
  const category = asString(query.category);
  const platform = asString(query.platform);
  const path = portablePath(asString(file.file_name) ?? 'unknown-file');
  const line = asNumber(file.line);
  const searchKey = asString(file.search_key);
  const issueType = asString(file.issue_type);
  const isSecret = category?.toLowerCase() === SECRET_CATEGORY;
  // A secret query's actual/search value is the credential it found: kept out of the finding, and redacted should
  // it appear elsewhere (a search key that quotes it).
  const secretValues = isSecret
    ? [file.search_value, file.actual_value, file.value].map(asString).filter((v): v is string => v !== undefined && v.length >= 4)
    : [];
  const expected = asString(file.expected_value);
  const where = `${path}${line === undefined ? '' : `:${line}`}`;
  const actual = isSecret ? undefined : asString(file.actual_value);
  return {
    ruleId: queryId,
    // The search key names the resource attribute (`module.x.password`) and the expected value the part of it
    // (`rules[0].verbs`): two findings of one query at one line differ by them.
    locationKey: joinNonEmpty([where, searchKey, issueType, expected], '|'),
    title: `${category ? `${category}: ` : ''}${name}`,
    description: joinNonEmpty(
      [
        asString(query.description) ?? name,
        `In ${where}${searchKey ? ` (${searchKey})` : ''}.`,
        expected ? `Expected: ${expected}` : undefined,
        actual ? `Actual: ${actual}` : undefined,
      ],
      '\n\n',
    ),
    severity: severityFrom(KICS_SEVERITIES, query.severity, UNRATED),
    types: [isSecret ? FindingTypes.SECRET : FindingTypes.CONFIGURATION],
    resources: [{ type: 'Other', id: codeLocationId(context.scan, path, line) }],
    remediation: { text: expected, url: asString(query.query_url) },
    sourceUrl: asString(query.query_url),
    productFields: {
      QueryId: queryId,
      File: path,
      ...(line !== undefined ? { Line: String(line) } : {}),
      ...(platform ? { Platform: platform } : {}),
      ...(category ? { Category: category } : {}),
      ...(issueType ? { IssueType: issueType } : {}),
      ...(asString(query.cwe) ? { CWE: `CWE-${asString(query.cwe)}` } : {}),
    },
    secrets: secretValues,
  };
}
