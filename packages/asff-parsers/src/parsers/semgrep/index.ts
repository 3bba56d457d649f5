import { FindingTypes, vulnerabilityType } from '../../asff/finding-types';
import { MalformedInputError } from '../../errors';
import { streamJsonElements } from '../../streams/json-elements';
import { peekSource, type ReportSource } from '../../streams/report-source';
import { codeLocationId, portablePath } from '../code-location';
import { asNumber, asRecord, asString, joinNonEmpty } from '../json-values';
import type { FindingDraft, ParseContext, Parser, ReportHead, SeverityTable } from '../parser';
import { RepeatFilter } from '../repeat-filter';
import { severityFrom } from '../severity';

/**
 * Semgrep rules say ERROR/WARNING/INFO (newer rules CRITICAL/HIGH/MEDIUM/LOW);
 * the SCA API says CRITICAL/HIGH/MEDIUM/LOW. ERROR/WARNING/INFO follow the
 * SARIF levels they are exported as (error HIGH, warning MEDIUM, note LOW).
 */
const SEMGREP_SEVERITIES: SeverityTable = {
  critical: 'CRITICAL',
  error: 'HIGH',
  high: 'HIGH',
  warning: 'MEDIUM',
  medium: 'MEDIUM',
  moderate: 'MEDIUM',
  info: 'LOW',
  low: 'LOW',
  inventory: 'INFORMATIONAL',
  experiment: 'INFORMATIONAL',
};

/** Semgrep CLI `--json` (`{results[], errors[]}`) and the Semgrep App SCA findings API (`{vulns[]}`). */
export const semgrepParser: Parser = {
  id: 'semgrep',
  displayName: 'Semgrep',
  countingUnit:
    'CLI: one per results[] entry, a rule at one file span (start and end line and column); SCA API: one per vulns[] entry, an advisory at one ' +
    'dependency-file line of one repository',
  formats: ['Semgrep CLI JSON', 'Semgrep App SCA API JSON (vulns[])'],
  severityTable: SEMGREP_SEVERITIES,
  detect(head: ReportHead): number | undefined {
    const text = head.text;
    if (!/^\s*\{/.test(text)) return undefined;
    if (text.includes('"results"') && text.includes('"check_id"') && text.includes('"extra"')) return 0.9;
    if (text.includes('"vulns"') && text.includes('"advisory"') && text.includes('"dependencyFileLocation"')) return 0.9;
    // An empty CLI run: results and errors, none of Bandit's keys.
    const banditKeys = text.includes('"generated_at"') || text.includes('"metrics"');
    if (/"results"\s*:\s*\[\s*\]/.test(text) && text.includes('"errors"') && !banditKeys) return 0.5;
    return undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseSemgrep(source, context);
  },
};

async function* parseSemgrep(source: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  const peeked = await peekSource(source);
  const head = peeked.head.toString('utf8');
  // An empty Bandit run also has `results` and `errors`; its `generated_at` and `metrics` give it away.
  if (head.includes('"generated_at"') && head.includes('"metrics"')) {
    throw new MalformedInputError('not a Semgrep report: this is a Bandit report', 'unrecognised');
  }
  // The CLI always writes an errors list; a whole report without one (tfsec's `{"results": null}`) is not Semgrep's.
  if (peeked.complete && !head.includes('"errors"') && !head.includes('"vulns"')) {
    throw new MalformedInputError('not a Semgrep report: no errors list', 'unrecognised');
  }
  const repeats = new RepeatFilter();
  for await (const element of streamJsonElements(peeked.source, { elements: ['results.*', 'vulns.*'] })) {
    const entry = asRecord(element.value);
    const draft = element.selector === 'results.*' ? cliFinding(entry, context) : scaFinding(entry, context);
    // Semgrep repeats a result verbatim when two configs carry the same rule: one finding.
    if (!repeats.first(draft)) continue;
    yield draft;
  }
}

function cliFinding(result: Record<string, unknown>, context: ParseContext): FindingDraft {
  const checkId = asString(result.check_id);
  if (checkId === undefined) throw new MalformedInputError('not a Semgrep report: results[] entries have no check_id', 'unrecognised');
  const path = portablePath(asString(result.path) ?? 'unknown-file');
  const start = asRecord(result.start);
  const end = asRecord(result.end);
  const startLine = asNumber(start.line);
  const extra = asRecord(result.extra);
  const metadata = asRecord(extra.metadata);
  const message = asString(extra.message) ?? checkId;
  const cwes = stringList(metadata.cwe);
  const owasp = stringList(metadata.owasp);
  const references = stringList(metadata.references).filter((r) => /^https?:\/\//.test(r));
  const secretRule = isSecretRule(checkId, metadata);
  const ruleName = checkId.split('.').pop() ?? checkId;
  const span = `${startLine ?? ''}:${asNumber(start.col) ?? ''}-${asNumber(end.line) ?? ''}:${asNumber(end.col) ?? ''}`;
  // `extra.lines` and metavariable values are never copied: for secret rules they are the secret.
  return {
    ruleId: checkId,
    locationKey: `${path}:${span}`,
    title: `${ruleName}: ${firstSentence(message)}`,
    description: joinNonEmpty(
      [message, `In ${path}${startLine === undefined ? '' : `:${startLine}`}.`, cwes.length ? cwes.join('; ') : undefined],
      '\n\n',
    ),
    severity: severityFrom(SEMGREP_SEVERITIES, extra.severity),
    types: [secretRule ? FindingTypes.SECRET : FindingTypes.CODE_VULNERABILITY],
    resources: [{ type: 'Other', id: codeLocationId(context.scan, path, startLine) }],
    remediation: references.length ? { text: `See the references of rule ${checkId}.`, url: references[0] } : undefined,
    productFields: {
      File: path,
      ...(startLine !== undefined ? { Line: String(startLine) } : {}),
      ...(cwes.length ? { CWE: cwes.join('; ') } : {}),
      ...(owasp.length ? { OWASP: owasp.join('; ') } : {}),
      ...(asString(metadata.confidence) ? { Confidence: asString(metadata.confidence)! } : {}),
      ...(fingerprintOf(extra) ? { Fingerprint: fingerprintOf(extra)! } : {}),
    },
    secrets: secretRule ? secretValues(extra) : undefined,
    suppressed: extra.is_ignored === true ? { reason: 'ignored in source with a nosemgrep comment', kind: 'inSource' } : undefined,
  };
}

function scaFinding(vuln: Record<string, unknown>, context: ParseContext): FindingDraft {
  const advisory = asRecord(vuln.advisory);
  const references = asRecord(advisory.references);
  const title = asString(vuln.title) ?? asString(advisory.title);
  const ruleId = asString(advisory.ruleId) ?? title;
  if (ruleId === undefined) throw new MalformedInputError('not a Semgrep SCA report: vulns[] entries have no advisory', 'unrecognised');
  const location = asRecord(vuln.dependencyFileLocation);
  const path = asString(location.path) ?? 'unknown-file';
  const line = asNumber(location.startLine);
  const dependency = asRecord(vuln.matchedDependency);
  const name = asString(dependency.name) ?? 'unknown-package';
  const version = asString(dependency.versionSpecifier);
  const safe = asString(asRecord(vuln.closestSafeDependency).versionSpecifier);
  const repository = asString(vuln.repositoryName) ?? asString(vuln.repositoryId) ?? context.scan.repository;
  const cves = stringList(references.cveIds);
  const cwes = stringList(references.cweIds);
  const urls = stringList(references.urls);
  const triage = asRecord(vuln.triage);
  const triageStatus = asString(triage.status)?.toUpperCase();
  const exposure = asString(vuln.exposureType);
  const vulnerabilityId = cves[0] ?? ruleId;
  const fileLocation = `${repository ? `${repository}/` : ''}${path}${line === undefined ? '' : `:${line}`}`;
  return {
    ruleId,
    locationKey: joinNonEmpty([repository, path, line === undefined ? undefined : String(line), `${name}@${version ?? ''}`, exposure], '|'),
    title: `${title ?? ruleId} (${name}${version ? ` ${version}` : ''})`,
    description: joinNonEmpty(
      [
        asString(advisory.description) ?? title,
        `Dependency ${name}${version ? ` ${version}` : ''} in ${fileLocation}.`,
        exposure ? `Exposure: ${exposure}; ${asString(vuln.transitivity) ?? 'transitivity unknown'}.` : undefined,
      ],
      '\n\n',
    ),
    severity: severityFrom(SEMGREP_SEVERITIES, advisory.severity),
    types: [vulnerabilityType(vulnerabilityId)],
    resources: [{ type: 'Other', id: fileLocation }],
    vulnerabilities: [
      {
        id: vulnerabilityId,
        vulnerablePackages: [{
          Name: name,
          ...(version ? { Version: version } : {}),
          FilePath: path,
          ...(safe ? { FixedInVersion: safe } : {}),
          ...(asString(advisory.ecosystem) ? { PackageManager: asString(advisory.ecosystem) } : {}),
        }],
        relatedVulnerabilities: cves.slice(1),
        vendor: { name: 'Semgrep' },
        referenceUrls: urls,
        fixAvailable: safe ? 'YES' : undefined,
      },
    ],
    remediation: safe ? { text: `Upgrade ${name} to ${safe}.` } : undefined,
    sourceUrl: asString(location.url),
    productFields: {
      File: path,
      ...(line !== undefined ? { Line: String(line) } : {}),
      ...(cwes.length ? { CWE: cwes.join('; ') } : {}),
      ...(exposure ? { Exposure: exposure } : {}),
      ...(triageStatus ? { TriageStatus: triageStatus } : {}),
    },
    firstObservedAt: asString(vuln.openedAt),
    suppressed: triageStatus === 'IGNORED'
      ? { reason: `triaged as ignored in Semgrep (${asString(triage.dismissReason) ?? 'no reason given'})`, kind: 'external' }
      : undefined,
    closed: triageStatus === 'FIXED' || triageStatus === 'RESOLVED',
  };
}

/** Secret-detection rules live under `*.secrets.*` or carry the secrets category. */
function isSecretRule(checkId: string, metadata: Record<string, unknown>): boolean {
  return /(^|\.)secrets?(\.|$)/.test(checkId)
    || /secret/i.test(asString(metadata.category) ?? '')
    || stringList(metadata.subcategory).some((s) => /secret/i.test(s));
}

/** What a secret rule matched: the matched lines and every metavariable's text. */
function secretValues(extra: Record<string, unknown>): string[] {
  const values = [asString(extra.lines)];
  for (const metavariable of Object.values(asRecord(extra.metavars))) values.push(asString(asRecord(metavariable).abstract_content));
  return values.filter((v): v is string => v !== undefined && v.trim().length >= 4 && v !== 'requires login').map((v) => v.trim());
}

/** Semgrep writes the literal `requires login` when it withholds the real fingerprint. */
function fingerprintOf(extra: Record<string, unknown>): string | undefined {
  const fingerprint = asString(extra.fingerprint);
  return fingerprint === 'requires login' ? undefined : fingerprint;
}

/** `cwe` and friends are a string in some rules and a list in others. */
function stringList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(asString).filter((v): v is string => v !== undefined);
  const single = asString(value);
  return single === undefined ? [] : [single];
}

function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const end = flat.search(/\.(\s|$)/);
  return end > 0 && end < 200 ? flat.slice(0, end + 1) : flat;
}

