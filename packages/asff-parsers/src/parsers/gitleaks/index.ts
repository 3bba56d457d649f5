import { FindingTypes } from '../../asff/finding-types';
import { secretFingerprint } from '../../asff/redact';
import { MalformedInputError } from '../../errors';
import { streamJsonElements } from '../../streams/json-elements';
import { peekSource, type ReportSource } from '../../streams/report-source';
import { codeLocationId, portablePath } from '../code-location';
import { asArray, asNumber, asRecord, asString, joinNonEmpty } from '../json-values';
import type { FindingDraft, ParseContext, Parser, ReportHead, SeverityTable } from '../parser';
import { severityFrom } from '../severity';

/**
 * gitleaks rates nothing: a committed secret is HIGH (it must be rotated,
 * whatever it guards), the value Severity.Original records as `unrated`.
 */
const GITLEAKS_SEVERITIES: SeverityTable = { unrated: 'HIGH' };

/** What `gitleaks --redact` writes in place of Secret and Match. */
const REDACTED_BY_GITLEAKS = 'REDACTED';

/** Commits listed per finding; the count says how many there were. */
const MAX_LISTED_COMMITS = 10;

/**
 * gitleaks `--report-format json`: a top-level array (or `null` when clean).
 * v7 and earlier: `{line, lineNumber, offender, commit, rule, file, date, tags}`;
 * v8: `{RuleID, Description, StartLine, Secret, Match, File, Commit, Date, Tags}`.
 */
export const gitleaksParser: Parser = {
  id: 'gitleaks',
  displayName: 'Gitleaks',
  countingUnit:
    'one per distinct secret (by fingerprint) per rule, file and line: a history scan that finds the same leak in several commits gives one ' +
    'finding listing those commits; the secret itself never appears',
  formats: ['gitleaks JSON v7 and earlier', 'gitleaks JSON v8'],
  severityTable: GITLEAKS_SEVERITIES,
  detect(head: ReportHead): number | undefined {
    const text = head.text;
    // An empty report carries no tool marker; a file name that names the tool is the only honest hint.
    if (head.complete && ['null', '[]'].includes(text.replace(/\s+/g, '')) && /gitleaks/i.test(head.fileName?.split(/[\\/]/).pop() ?? '')) return 0.3;
    if (!/^\s*\[/.test(text)) return undefined;
    if (text.includes('"RuleID"') && (text.includes('"Secret"') || text.includes('"Match"')) && text.includes('"StartLine"')) return 0.9;
    if (text.includes('"offender"') && text.includes('"rule"') && text.includes('"commit"')) return 0.9;
    return undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseGitleaks(source, context);
  },
};

/** One leak as both report versions describe it. */
interface Leak {
  readonly rule: string;
  readonly description?: string;
  readonly file: string;
  readonly line?: number;
  readonly secret: string;
  /** Everything else in the entry that embeds the secret (the matched text, the whole line). */
  readonly secretContexts: readonly string[];
  readonly commit?: string;
  readonly date?: string;
  readonly tags: readonly string[];
  readonly entropy?: number;
  /**
   * What tells this secret apart from another at the same line: its value, or,
   * when gitleaks ran with `--redact` and wrote `REDACTED` instead, its column.
   */
  readonly identity: string;
}

/** The leaks found at one place, gathered across the commits of a history scan. */
interface LeakGroup {
  readonly first: Leak;
  readonly commits: string[];
  readonly secrets: Set<string>;
  occurrences: number;
  firstDate?: string;
  lastDate?: string;
}

async function* parseGitleaks(source: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  const peeked = await peekSource(source);
  const head = peeked.head.toString('utf8').replace(/^\uFEFF/, '');
  if (peeked.complete && head.trim() === 'null') return;
  if (!/^\s*\[/.test(head)) throw new MalformedInputError('not a gitleaks report: expected a top-level array of leaks (or null)', 'unrecognised');
  // Groups hold a few strings per distinct leak, not the report: memory follows the leaks, not the history length.
  const groups = new Map<string, LeakGroup>();
  for await (const element of streamJsonElements(peeked.source, { elements: ['*'] })) {
    const leak = toLeak(asRecord(element.value));
    const key = JSON.stringify([leak.rule, leak.file, leak.line ?? null, secretFingerprint(leak.identity)]);
    let group = groups.get(key);
    if (group === undefined) {
      group = { first: leak, commits: [], secrets: new Set(), occurrences: 0 };
      groups.set(key, group);
    }
    group.occurrences++;
    for (const value of [leak.secret, ...leak.secretContexts]) if (value !== REDACTED_BY_GITLEAKS) group.secrets.add(value);
    const listCommit = leak.commit !== undefined && !group.commits.includes(leak.commit) && group.commits.length < MAX_LISTED_COMMITS;
    if (listCommit) group.commits.push(leak.commit!);
    if (leak.date !== undefined && Number.isFinite(Date.parse(leak.date))) {
      if (group.firstDate === undefined || Date.parse(leak.date) < Date.parse(group.firstDate)) group.firstDate = leak.date;
      if (group.lastDate === undefined || Date.parse(leak.date) > Date.parse(group.lastDate)) group.lastDate = leak.date;
    }
  }
  for (const group of groups.values()) yield leakFinding(group, context);
}

function toLeak(entry: Record<string, unknown>): Leak {
  const v8 = entry.RuleID !== undefined || entry.Secret !== undefined;
  const rule = asString(v8 ? entry.RuleID : entry.rule);
  const secret = asString(v8 ? entry.Secret : entry.offender) ?? asString(v8 ? entry.Match : entry.line);
  if (rule === undefined || secret === undefined) {
    throw new MalformedInputError('not a gitleaks report: a leak has no rule or no secret', 'unrecognised');
  }
  const tags = v8 ? asArray(entry.Tags).map(asString) : (asString(entry.tags) ?? '').split(',').map((t) => t.trim());
  return {
    rule,
    description: asString(v8 ? entry.Description : undefined),
    file: portablePath(asString(v8 ? entry.File : entry.file) ?? 'unknown-file'),
    line: asNumber(v8 ? entry.StartLine : entry.lineNumber),
    secret,
    secretContexts: [asString(v8 ? entry.Match : entry.line)].filter((s): s is string => s !== undefined),
    commit: asString(v8 ? entry.Commit : entry.commit),
    date: asString(v8 ? entry.Date : entry.date),
    tags: tags.filter((t): t is string => t !== undefined && t !== ''),
    entropy: asNumber(entry.Entropy),
    identity: secret === REDACTED_BY_GITLEAKS ? `${REDACTED_BY_GITLEAKS}@${asNumber(entry.StartColumn) ?? ''}` : secret,
  };
}

function leakFinding(group: LeakGroup, context: ParseContext): FindingDraft {
  const leak = group.first;
  const fingerprint = secretFingerprint(leak.identity);
  const where = `${leak.file}${leak.line === undefined ? '' : `:${leak.line}`}`;
  const kind = leak.description ?? leak.rule;
  const commits = group.commits.length
    ? `Found in ${group.occurrences} ${group.occurrences === 1 ? 'entry' : 'entries'} of the report, ` +
      `commits: ${group.commits.join(', ')}${group.occurrences > group.commits.length ? ' …' : ''}.`
    : undefined;
  return {
    ruleId: leak.rule,
    locationKey: `${where}|${fingerprint}`,
    title: `Secret (${kind}) committed in ${where}`,
    description: joinNonEmpty([
      `gitleaks rule ${leak.rule} matched a secret (fingerprint ${fingerprint}) in ${where}.`,
      commits,
      'The value is withheld; rotate the secret, then remove it from the history.',
    ], '\n\n'),
    severity: severityFrom(GITLEAKS_SEVERITIES, 'unrated'),
    types: [FindingTypes.SECRET],
    resources: [{ type: 'Other', id: codeLocationId(context.scan, leak.file, leak.line) }],
    remediation: {
      text: 'Revoke and rotate the secret, move it to AWS Secrets Manager or SSM Parameter Store (SecureString), and purge it from the git history.',
    },
    productFields: {
      File: leak.file,
      ...(leak.line !== undefined ? { Line: String(leak.line) } : {}),
      SecretFingerprint: fingerprint,
      Occurrences: String(group.occurrences),
      ...(group.commits.length ? { Commits: group.commits.join(', ') } : {}),
      ...(leak.tags.length ? { Tags: leak.tags.join(', ') } : {}),
      ...(leak.entropy !== undefined && leak.entropy > 0 ? { Entropy: String(leak.entropy) } : {}),
    },
    firstObservedAt: group.firstDate,
    lastObservedAt: group.lastDate,
    secrets: [...group.secrets],
  };
}
