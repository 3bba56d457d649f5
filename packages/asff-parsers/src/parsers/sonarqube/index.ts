import { FindingTypes, vulnerabilityType } from '../../asff/finding-types';
import { sha256Hex } from '../../asff/sha256';
import { streamJsonElements } from '../../streams/json-elements';
import type { ReportSource } from '../../streams/report-source';
import { codeLocationId, portablePath } from '../code-location';
import { asArray, asNumber, asRecord, asString, joinNonEmpty } from '../json-values';
import type { DraftVulnerability, FindingDraft, ParseContext, Parser, ReportHead, SeverityTable } from '../parser';
import { severityFrom } from '../severity';
import { htmlToText } from '../text';

/**
 * SonarQube's scale in its own order (BLOCKER above CRITICAL), the software
 * quality impacts of SonarQube 10 (HIGH/MEDIUM/LOW) and the hotspots'
 * vulnerabilityProbability.
 */
const SONARQUBE_SEVERITIES: SeverityTable = {
  blocker: 'CRITICAL',
  critical: 'HIGH',
  high: 'HIGH',
  major: 'MEDIUM',
  medium: 'MEDIUM',
  minor: 'LOW',
  low: 'LOW',
  info: 'INFORMATIONAL',
};

/** Finding types per SonarQube issue type: bugs and code smells are quality, not security. */
const ISSUE_TYPES: Readonly<Record<string, string>> = {
  VULNERABILITY: FindingTypes.CODE_VULNERABILITY,
  SECURITY_HOTSPOT: FindingTypes.CODE_VULNERABILITY,
  BUG: 'Software and Configuration Checks/Code Quality/Bug',
  CODE_SMELL: 'Software and Configuration Checks/Code Quality/Code Smell',
};

/** Resolutions that close an issue (fixed or removed) and those that mean a reviewer accepted it. */
const CLOSED_RESOLUTIONS = new Set(['FIXED', 'REMOVED']);
const ACCEPTED_RESOLUTIONS: Readonly<Record<string, string>> = {
  'FALSE-POSITIVE': 'marked as a false positive in SonarQube',
  'WONTFIX': "marked won't fix in SonarQube",
  'ACCEPTED': 'accepted in SonarQube',
  'SAFE': 'security hotspot reviewed as safe in SonarQube',
  'ACKNOWLEDGED': 'security hotspot acknowledged in SonarQube',
};

/**
 * The CVE/GHSA and CWE that the dependency-check plugin writes into an
 * issue's message (`Filename: x | Reference: CVE-2024-2529 | CVSS Score: 6.4 | Category: CWE-120`).
 */
const ADVISORY_ID = /\b(CVE-\d{4}-\d{4,}|GHSA(?:-[23456789cfghjmpqrvwx]{4}){3})\b/g;
const CWE_ID = /\bCWE-(\d{1,5})\b/;
const DEPENDENCY_FILE = /^Filename: ([^|]{1,256})\|/;

/**
 * SonarQube issues: the Web API pages `/api/issues/search` (`{paging, issues[], components[]}`) and
 * `/api/hotspots/search` (`{paging, hotspots[]}`), and the sonar-report JSON (`--save-report-json`:
 * `{projectName, sonarBaseURL, rules{}, issues[]}`).
 */
export const sonarqubeParser: Parser = {
  id: 'sonarqube',
  displayName: 'SonarQube',
  countingUnit:
    "one per issues[] / hotspots[] entry (SonarQube's issue key, else rule, file and line); bugs and code smells included; resolved issues are " +
    "archived, false positives and won't-fix suppressed",
  formats: ['SonarQube Web API /api/issues/search page', 'SonarQube Web API /api/hotspots/search page', 'sonar-report JSON (--save-report-json)'],
  severityTable: SONARQUBE_SEVERITIES,
  detect(head: ReportHead): number | undefined {
    const text = head.text;
    if (!/^\s*\{/.test(text)) return undefined;
    if (/"(issues|hotspots)"\s*:/.test(text) && /"paging"\s*:\s*\{/.test(text) && /"(effortTotal|components|pageIndex)"\s*:/.test(text)) return 0.9;
    if (/"issues"\s*:/.test(text) && /"sonar(BaseURL|Component)"\s*:/.test(text)) return 0.95;
    return undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseSonarQube(source, context);
  },
};

interface ReportInfo {
  readonly rules: Record<string, unknown>;
  readonly baseUrl?: string;
  readonly project?: string;
}

async function* parseSonarQube(source: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  // Digests (native SHA-256, 16 hex) of the issues and (rule, key)s seen: a page holds at most a few thousand issues,
  // and a plain-JavaScript hash of a long message costs more than the native one.
  const verbatim = new Set<string>();
  const keys = new Set<string>();
  // sonar-report writes `rules{}` (names, descriptions) before `issues[]`; the Web API has no rules in a page.
  const selection = { elements: ['issues.*', 'hotspots.*'], capture: ['rules', 'sonarBaseURL', 'sonarComponent', 'projectName'] };
  for await (const element of streamJsonElements(source, selection)) {
    const info: ReportInfo = {
      rules: asRecord(element.captured.rules),
      baseUrl: asString(element.captured.sonarBaseURL),
      project: asString(element.captured.sonarComponent) ?? asString(element.captured.projectName),
    };
    const issue = asRecord(element.value);
    // A verbatim repeat (pages fetched with overlapping ranges) is one finding; two issues under one key that say
    // different things (seen in exported pages) are two.
    const severity = issue.severity ?? issue.vulnerabilityProbability;
    const content = JSON.stringify([issue.key, issue.rule ?? issue.ruleKey, issue.component, issue.line, issue.message, severity]);
    const digest = sha256Hex(content).slice(0, 16);
    if (verbatim.has(digest)) continue;
    verbatim.add(digest);
    const draft = sonarFinding(issue, element.selector === 'hotspots.*', info, context);
    // The key alone when it is new, else the key refined by the message's digest.
    const refined = keys.has(sha256Hex(JSON.stringify([draft.ruleId, draft.locationKey])).slice(0, 16))
      ? { ...draft, locationKey: `${draft.locationKey}|${sha256Hex(asString(issue.message) ?? content).slice(0, 16)}` }
      : draft;
    keys.add(sha256Hex(JSON.stringify([refined.ruleId, refined.locationKey])).slice(0, 16));
    yield refined;
  }
}

function sonarFinding(issue: Record<string, unknown>, hotspot: boolean, info: ReportInfo, context: ParseContext): FindingDraft {
  const ruleKey = asString(issue.rule) ?? asString(issue.ruleKey) ?? asString(issue.securityCategory) ?? 'unknown-rule';
  const rule = asRecord(info.rules[ruleKey]);
  const project = asString(issue.project) ?? info.project;
  const file = filePath(asString(issue.component), project);
  const line = asNumber(issue.line) ?? asNumber(asRecord(issue.textRange).startLine);
  const message = asString(issue.message);
  const ruleName = asString(rule.name) ?? asString(issue.description);
  // sonar-report lists security hotspots among its issues without a type.
  const type = hotspot ? 'SECURITY_HOTSPOT' : asString(issue.type);
  const key = asString(issue.key);
  const where = file === undefined ? project : `${file}${line === undefined ? '' : `:${line}`}`;
  const status = asString(issue.status);
  const resolution = asString(issue.resolution);
  const rawSeverity = hotspot ? issue.vulnerabilityProbability : (issue.severity ?? rule.severity);
  const advisories = message === undefined ? [] : [...new Set(message.match(ADVISORY_ID) ?? [])];
  const cwe = message?.match(CWE_ID)?.[1];
  const dependency = message?.match(DEPENDENCY_FILE)?.[1]?.trim();
  const vulnerabilities: DraftVulnerability[] = advisories.map((id) => ({ id, relatedVulnerabilities: advisories.filter((a) => a !== id) }));
  return {
    ruleId: ruleKey,
    // SonarQube keeps an issue's key across analyses while it tracks the issue (even when lines shift).
    locationKey: key ?? joinNonEmpty([file, line === undefined ? undefined : String(line), message], '|'),
    title: advisories.length && dependency !== undefined
      ? `${advisories[0]} in ${dependency}`
      : `${ruleName ?? message ?? ruleKey}${where ? ` in ${where}` : ''}`,
    description: joinNonEmpty([
      message,
      ruleName && ruleName !== message ? `Rule ${ruleKey}: ${ruleName}` : `Rule ${ruleKey}`,
      htmlToText(asString(rule.htmlDesc)),
    ], '\n\n'),
    severity: severityFrom(SONARQUBE_SEVERITIES, rawSeverity, 'MEDIUM'),
    types: [advisories.length ? vulnerabilityType(advisories[0]) : issueType(type)],
    resources: [{
      type: 'Other',
      id: file !== undefined ? codeLocationId(context.scan, file, line) : (project ?? context.scan.repository ?? 'sonarqube-project'),
    }],
    vulnerabilities: vulnerabilities.length ? vulnerabilities : undefined,
    sourceUrl: info.baseUrl && key
      ? `${info.baseUrl.replace(/\/+$/, '')}/project/issues?open=${encodeURIComponent(key)}${project ? `&id=${encodeURIComponent(project)}` : ''}`
      : undefined,
    productFields: {
      ...(type ? { IssueType: type } : {}),
      ...(key ? { IssueKey: key } : {}),
      ...(status ? { Status: status } : {}),
      ...(resolution ? { Resolution: resolution } : {}),
      ...(file ? { File: file } : {}),
      ...(line !== undefined ? { Line: String(line) } : {}),
      ...(cwe ? { CWE: `CWE-${cwe}` } : {}),
      ...(asArray(issue.tags).length ? { Tags: asArray(issue.tags).map(asString).filter(Boolean).join(', ') } : {}),
    },
    firstObservedAt: sonarTime(issue.creationDate),
    lastObservedAt: sonarTime(issue.updateDate),
    suppressed: resolution !== undefined && ACCEPTED_RESOLUTIONS[resolution]
      ? { reason: ACCEPTED_RESOLUTIONS[resolution], kind: 'external' }
      : undefined,
    closed: status === 'CLOSED' || (resolution !== undefined && CLOSED_RESOLUTIONS.has(resolution)),
  };
}

/** The ASFF type of a SonarQube issue type; security unless SonarQube says bug or code smell. */
function issueType(type: string | undefined): string {
  return (type !== undefined ? ISSUE_TYPES[type] : undefined) ?? FindingTypes.CODE_VULNERABILITY;
}

/** The file of a component key `project:path/to/file` (Web API), or the path itself (sonar-report); undefined for the project. */
function filePath(component: string | undefined, project: string | undefined): string | undefined {
  if (component === undefined || component === project) return undefined;
  if (project !== undefined && component.startsWith(`${project}:`)) return portablePath(component.slice(project.length + 1));
  return portablePath(component);
}

/** SonarQube writes `2023-10-16T15:05:35+0000`; RFC 3339 wants `+00:00`. */
function sonarTime(raw: unknown): string | undefined {
  const text = asString(raw);
  if (text === undefined) return undefined;
  const iso = text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  return Number.isNaN(Date.parse(iso)) ? undefined : new Date(iso).toISOString();
}
