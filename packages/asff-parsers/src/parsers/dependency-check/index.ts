import type { Cvss } from '@aws-sdk/client-securityhub';
import { vulnerabilityType } from '../../asff/finding-types';
import { MalformedInputError } from '../../errors';
import type { ReportSource } from '../../streams/report-source';
import { streamXmlElements, type XmlElement } from '../../streams/xml-elements';
import { joinNonEmpty } from '../json-values';
import type { DraftSeverity, FindingDraft, ParseContext, Parser, ReportHead } from '../parser';
import { RepeatFilter } from '../repeat-filter';
import { labelFromScore, parseScore, severityFrom, VULNERABILITY_SEVERITIES } from '../severity';

/** References kept per vulnerability. */
const MAX_REFERENCES = 20;

const DEPENDENCY = 'analysis/dependencies/dependency';
const PROJECT = 'analysis/projectInfo';

/**
 * OWASP Dependency-Check XML report (`--format XML`), schema 1.x
 * (`identifiers/identifier`, `cvssScore`) and 2.x (`identifiers/package`,
 * `cvssV2`/`cvssV3`, `suppressedVulnerability`).
 */
export const dependencyCheckParser: Parser = {
  id: 'dependency-check',
  displayName: 'OWASP Dependency-Check',
  countingUnit:
    'one per vulnerability per dependency (package URL or Maven coordinates, else file name, plus SHA-1); suppressed vulnerabilities are imported ' +
    'too, marked suppressed with the suppression notes',
  formats: ['Dependency-Check XML schema 1.x', 'Dependency-Check XML schema 2.x'],
  severityTable: VULNERABILITY_SEVERITIES,
  detect(head: ReportHead): number | undefined {
    const text = head.text;
    if (/<analysis[\s>]/.test(text) && /DependencyCheck\/dependency-check\.[\d.]+\.xsd/.test(text)) return 0.95;
    if (/<analysis[\s>]/.test(text) && text.includes('<dependencies') && text.includes('<scanInfo')) return 0.7;
    return undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseDependencyCheck(source, context);
  },
};

async function* parseDependencyCheck(source: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  let project: string | undefined;
  const repeats = new RepeatFilter();
  for await (const match of streamXmlElements(source, { roots: ['analysis'], elements: [PROJECT, DEPENDENCY] })) {
    if (match.selector === PROJECT) {
      project = match.element.textOf('name');
      continue;
    }
    const dependency = describeDependency(match.element);
    for (const vulnerability of match.element.first('vulnerabilities')?.children ?? []) {
      if (vulnerability.name !== 'vulnerability' && vulnerability.name !== 'suppressedVulnerability') continue;
      // Two manifests can hold the same package (two package-lock.json with lodash@4.17.15): their path tells them apart.
      const draft = repeats.admit(vulnerabilityFinding(vulnerability, dependency, project, context), [dependency.filePath]);
      if (draft !== undefined) yield draft;
    }
  }
}

interface Dependency {
  /** What to call it: package URL, Maven coordinates or file name. */
  readonly name: string;
  readonly fileName?: string;
  readonly filePath?: string;
  readonly sha1?: string;
  readonly packageName?: string;
  readonly packageVersion?: string;
  readonly packageManager?: string;
  readonly related: readonly string[];
}

function describeDependency(element: XmlElement): Dependency {
  const identifiers = element.first('identifiers');
  // Schema 2.x: <package><id>pkg:maven/g/a@v</id></package>; schema 1.x: <identifier type="maven"><name>g:a:v</name></identifier>.
  const purl = identifiers?.all('package').map((p) => p.textOf('id')).find((id) => id !== undefined);
  const maven = identifiers?.all('identifier').find((i) => i.attributes.type === 'maven')?.textOf('name');
  const fileName = element.textOf('fileName');
  const parsed = purl !== undefined ? fromPurl(purl) : maven !== undefined ? fromMaven(maven) : undefined;
  const related = (element.first('relatedDependencies')?.all('relatedDependency') ?? [])
    .map((r) => r.textOf('filePath') ?? r.textOf('fileName'))
    .filter((p): p is string => p !== undefined);
  return {
    name: purl ?? maven ?? fileName ?? 'unknown-dependency',
    fileName,
    filePath: element.textOf('filePath'),
    sha1: element.textOf('sha1'),
    packageName: parsed?.name ?? fileName,
    packageVersion: parsed?.version,
    packageManager: parsed?.manager,
    related,
  };
}

function vulnerabilityFinding(v: XmlElement, dependency: Dependency, project: string | undefined, context: ParseContext): FindingDraft {
  const id = v.textOf('name');
  if (id === undefined) throw new MalformedInputError('not a Dependency-Check report: a vulnerability has no name', 'unrecognised');
  const suppressed = v.name === 'suppressedVulnerability';
  const cvss = cvssOf(v);
  const cwes = [...(v.first('cwes')?.all('cwe') ?? []), ...v.all('cwe')].map((c) => c.text.trim()).filter((c) => c !== '');
  const references = (v.first('references')?.all('reference') ?? [])
    .map((r) => r.textOf('url')?.trim())
    .filter((u): u is string => u !== undefined && /^https?:\/\//.test(u));
  const fixedIn = (v.first('vulnerableSoftware')?.all('software') ?? []).map((s) => s.attributes.versionEndExcluding).find((e) => e !== undefined);
  const description = collapse(v.textOf('description'));
  const notes = collapse(v.textOf('notes'));
  const where = joinNonEmpty([dependency.filePath ?? dependency.fileName, ...dependency.related], ', ');
  return {
    ruleId: id,
    locationKey: joinNonEmpty([dependency.name, dependency.sha1], '|'),
    title: `${id} in ${dependency.packageName ?? dependency.name}${dependency.packageVersion ? ` ${dependency.packageVersion}` : ''}`,
    description: joinNonEmpty([
      description ?? `${id} affects ${dependency.name}.`,
      where ? `Found in: ${where}.` : undefined,
      suppressed && notes ? `Suppressed: ${notes}` : undefined,
    ], '\n\n'),
    severity: severityOf(v, cvss),
    types: [vulnerabilityType(id)],
    resources: [{
      type: 'Other',
      id: dependency.name,
      details: {
        Other: { ...(dependency.fileName ? { fileName: dependency.fileName } : {}), ...(dependency.sha1 ? { sha1: dependency.sha1 } : {}) },
      },
    }],
    vulnerabilities: [
      {
        id,
        vulnerablePackages: [
          {
            Name: dependency.packageName ?? dependency.name,
            ...(dependency.packageVersion ? { Version: dependency.packageVersion } : {}),
            ...(dependency.packageManager ? { PackageManager: dependency.packageManager } : {}),
            ...(dependency.filePath ? { FilePath: dependency.filePath } : {}),
            ...(fixedIn ? { FixedInVersion: fixedIn } : {}),
          },
        ],
        cvss,
        vendor: { name: v.attributes.source ?? 'NVD' },
        referenceUrls: [...new Set(references)].slice(0, MAX_REFERENCES),
        ...(fixedIn ? { fixAvailable: 'YES' as const } : {}),
      },
    ],
    remediation: fixedIn ? { text: `Upgrade ${dependency.packageName ?? dependency.name} to ${fixedIn} or later.` } : undefined,
    sourceUrl: references[0],
    productFields: {
      Dependency: dependency.name,
      ...(dependency.fileName ? { FileName: dependency.fileName } : {}),
      ...(cwes.length ? { CWE: cwes.join(', ') } : {}),
      ...(project ? { Project: project } : {}),
      ...(context.scan.repository ? { Repository: context.scan.repository } : {}),
    },
    suppressed: suppressed ? { reason: notes ?? 'suppressed in the Dependency-Check suppression file', kind: 'external' } : undefined,
  };
}

/** Severity texts that rate a vulnerability; `UNKNOWN` and the like say nothing and fall through to the scores. */
const RATINGS = new Set(['critical', 'high', 'medium', 'moderate', 'low', 'info', 'informational']);

/**
 * The report's own severity text when present (`CRITICAL`, `Medium`,
 * `moderate`...), else the CVSS v3 then v2 rating, else the score bands.
 */
function severityOf(v: XmlElement, cvss: readonly Cvss[]): DraftSeverity {
  const candidates = [v.textOf('severity'), v.first('cvssV3')?.textOf('baseSeverity'), v.first('cvssV2')?.textOf('severity')];
  for (const raw of candidates) {
    if (raw !== undefined && RATINGS.has(raw.toLowerCase())) return severityFrom(VULNERABILITY_SEVERITIES, raw);
  }
  const score = cvss[0]?.BaseScore;
  if (score !== undefined) return { label: labelFromScore(score), original: `CVSS ${score}` };
  return severityFrom(VULNERABILITY_SEVERITIES, candidates.find((c) => c !== undefined));
}

function cvssOf(v: XmlElement): Cvss[] {
  const out: Cvss[] = [];
  const v3 = v.first('cvssV3');
  const v3Score = parseScore(v3?.textOf('baseScore'));
  if (v3 !== undefined && v3Score !== undefined) {
    out.push({ Version: v3.textOf('version') ?? '3.x', BaseScore: v3Score, Source: v.attributes.source ?? 'NVD' });
  }
  const v2 = v.first('cvssV2');
  const v2Score = parseScore(v2?.textOf('score')) ?? parseScore(v.textOf('cvssScore'));
  if (v2Score !== undefined) out.push({ Version: v2?.textOf('version') ?? '2.0', BaseScore: v2Score, Source: v.attributes.source ?? 'NVD' });
  return out;
}

/** No package URL is longer; a longer one is a crafted report, and the regex below is quadratic on it. */
const MAX_PURL_CHARS = 2048;

function fromPurl(purl: string): { name: string; version?: string; manager: string } | undefined {
  if (purl.length > MAX_PURL_CHARS) return undefined;
  const m = /^pkg:([^/]+)\/(.+?)(?:@([^?#]+))?(?:[?#].*)?$/.exec(purl);
  if (m === null) return undefined;
  const path = decodeURIComponent(m[2]);
  return {
    manager: m[1],
    name: m[1] === 'maven' ? path.replace('/', ':') : path,
    version: m[3] === undefined ? undefined : decodeURIComponent(m[3]),
  };
}

function fromMaven(coordinates: string): { name: string; version?: string; manager: string } {
  const parts = coordinates.split(':');
  return { manager: 'maven', name: parts.slice(0, 2).join(':'), version: parts[2] };
}

/** XML descriptions are wrapped at 100 columns with indentation. */
function collapse(text: string | undefined): string | undefined {
  const flat = text?.replace(/\s+/g, ' ').trim();
  return flat === undefined || flat === '' ? undefined : flat;
}
