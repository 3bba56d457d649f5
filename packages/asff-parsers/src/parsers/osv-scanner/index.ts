import type { Cvss } from '@aws-sdk/client-securityhub';
import { vulnerabilityType } from '../../asff/finding-types';
import { MalformedInputError } from '../../errors';
import { streamJsonElements } from '../../streams/json-elements';
import { peekSource, type ReportSource } from '../../streams/report-source';
import { portablePath } from '../code-location';
import { containerImageResource } from '../container-image';
import { severityFromCvss } from '../cvss';
import { asArray, asRecord, asString, joinNonEmpty } from '../json-values';
import type { DraftSeverity, FindingDraft, ParseContext, Parser, ReportHead, SeverityTable } from '../parser';
import { labelFromScore, parseScore, severityFrom } from '../severity';

/** GitHub advisories' `database_specific.severity` (OSV records from other databases usually have none). */
const OSV_SEVERITIES: SeverityTable = {
  critical: 'CRITICAL',
  high: 'HIGH',
  moderate: 'MEDIUM',
  medium: 'MEDIUM',
  low: 'LOW',
};

/**
 * A record with neither a database severity nor a group score (PYSEC, MAL, ...)
 * is rated MEDIUM, not INFORMATIONAL: it is a known vulnerability that nobody
 * scored yet, and a gate must not wave it through.
 */
const UNRATED = 'MEDIUM';

/** OSV range types whose events are versions of the package (a GIT range's events are commit hashes). */
const VERSION_RANGES = new Set(['ECOSYSTEM', 'SEMVER']);

/** osv-scanner `--format json`: `{results[{source{path, type}, packages[{package{name, version, ecosystem}, vulnerabilities[], groups[]}]}]}`. */
export const osvScannerParser: Parser = {
  id: 'osv-scanner',
  displayName: 'OSV-Scanner',
  countingUnit:
    'one per vulnerability per package per source (lockfile, directory, image): the same advisory in one package of two lockfiles is two findings; ' +
    'aliases become related vulnerabilities',
  formats: ['osv-scanner --format json (1.x)'],
  severityTable: OSV_SEVERITIES,
  detect(head: ReportHead): number | undefined {
    const text = head.text;
    if (!/^\s*\{\s*"results"\s*:/.test(text) && !/"experimental_config"\s*:/.test(text)) return undefined;
    if (/"source"\s*:\s*\{/.test(text) && /"packages"\s*:/.test(text) && /"ecosystem"\s*:/.test(text)) return 0.9;
    if (/^\s*\{\s*"results"\s*:\s*\[\s*\]/.test(text) && /"experimental_config"\s*:/.test(text)) return 0.8;
    return undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseOsvScanner(source, context);
  },
};

async function* parseOsvScanner(source: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  // An empty report file is no finding, as DefectDojo reads it (`osv-scanner ... > report.json` that stopped
  // before writing a report leaves one; the corpus has one).
  const peeked = await peekSource(source);
  const head = peeked.head.toString('utf8');
  if (peeked.complete && head.trim() === '') return;
  // A clean scan is `"results": []`, which has no `results.*` container for the reader to find: the report is
  // recognised by its head instead (osv-scanner writes `results` first).
  if (!/^\s*\{/.test(head.replace(/^\uFEFF/, '')) || !/"results"\s*:/.test(head)) {
    throw new MalformedInputError('not an osv-scanner report: expected {"results": [...]}', 'unrecognised');
  }
  const selection = { elements: ['results.*.packages.*'], capture: ['results.*.source'], requireContainer: false };
  for await (const element of streamJsonElements(peeked.source, selection)) {
    const scanned = asRecord(element.captured['results.*.source']);
    const entry = asRecord(element.value);
    const groups = asArray(entry.groups).map(asRecord);
    for (const vulnerability of asArray(entry.vulnerabilities).map(asRecord)) {
      yield osvFinding(vulnerability, asRecord(entry.package), scanned, groups, context);
    }
  }
}

function osvFinding(
  v: Record<string, unknown>,
  pkg: Record<string, unknown>,
  scanned: Record<string, unknown>,
  groups: readonly Record<string, unknown>[],
  context: ParseContext,
): FindingDraft {
  const id = asString(v.id) ?? 'unknown-vulnerability';
  const commit = asString(pkg.commit);
  const name = asString(pkg.name) ?? (commit !== undefined ? 'git repository' : 'unknown-package');
  const version = asString(pkg.version) ?? commit ?? '';
  const ecosystem = asString(pkg.ecosystem);
  const sourcePath = portablePath(asString(scanned.path) ?? 'unknown-source');
  const sourceType = asString(scanned.type);
  const aliases = asArray(v.aliases).map(asString).filter((a): a is string => a !== undefined && a !== id);
  const cve = [id, ...aliases].find((a) => /^CVE-\d{4}-\d+$/.test(a));
  const group = groups.find((g) => asArray(g.ids).includes(id));
  const affected = asArray(v.affected).map(asRecord).filter((a) => matchesPackage(asRecord(a.package), name, ecosystem));
  const fixed = fixedVersions(affected);
  const cvss = asArray(v.severity).map(asRecord).map(toCvss).filter((c): c is Cvss => c !== undefined);
  const cwes = asArray(asRecord(v.database_specific).cwe_ids).map(asString).filter((c): c is string => c !== undefined);
  const summary = asString(v.summary);
  const references = asArray(v.references).map((r) => asString(asRecord(r).url)).filter((u): u is string => u !== undefined);
  const purl = affected.map((a) => asString(asRecord(a.package).purl)).find((p) => p !== undefined);
  const packageId = `${ecosystem ? `${ecosystem}/` : ''}${name}@${version}`;
  return {
    ruleId: id,
    // A git source is named by its commit, which moves with every commit of the scanned repository: the source path
    // alone keeps the finding's Id from one build to the next.
    locationKey: `${sourcePath}|${commit !== undefined && asString(pkg.name) === undefined ? 'git' : packageId}`,
    title: `${id} in ${name} ${version}`.trim(),
    description: joinNonEmpty([
      summary,
      asString(v.details) ?? `${id} affects ${name} ${version}.`,
      `Found in ${sourcePath}${sourceType ? ` (${sourceType})` : ''}.`,
    ], '\n\n'),
    severity: osvSeverity(v, group, cvss),
    types: [vulnerabilityType(cve ?? id)],
    resources: [
      // osv-scanner --docker scans an image: the pipeline names it on the command line.
      ...(context.scan.image ? [containerImageResource(context.scan.image)] : []),
      {
        type: 'Other',
        id: purl !== undefined && version !== '' && commit === undefined ? `${purl}@${version}` : packageId,
        details: { Other: { package: `${name}@${version}`, source: sourcePath, ...(ecosystem ? { ecosystem } : {}) } },
      },
    ],
    vulnerabilities: [
      {
        id,
        vulnerablePackages: [
          {
            Name: name,
            ...(version ? { Version: version } : {}),
            ...(ecosystem ? { PackageManager: ecosystem } : {}),
            FilePath: sourcePath,
            ...(fixed.length ? { FixedInVersion: fixed.join(', ') } : {}),
          },
        ],
        cvss,
        relatedVulnerabilities: aliases,
        vendor: { name: 'OSV', url: `https://osv.dev/vulnerability/${encodeURIComponent(id)}` },
        referenceUrls: references,
        fixAvailable: fixed.length ? 'YES' : undefined,
      },
    ],
    remediation: fixed.length ? { text: `Upgrade ${name} to ${fixed.join(' or ')}.` } : undefined,
    sourceUrl: `https://osv.dev/vulnerability/${encodeURIComponent(id)}`,
    productFields: {
      Source: sourcePath,
      ...(cwes.length ? { CWE: cwes.join(', ') } : {}),
      ...(aliases.length ? { Aliases: aliases.join(', ') } : {}),
    },
  };
}

/** The affected entries are per package: only the scanned package's ranges say where it is fixed. */
function matchesPackage(affectedPackage: Record<string, unknown>, name: string, ecosystem: string | undefined): boolean {
  const affectedName = asString(affectedPackage.name);
  if (affectedName === undefined) return true;
  const sameName = affectedName.toLowerCase() === name.toLowerCase();
  const affectedEcosystem = asString(affectedPackage.ecosystem);
  return sameName && (ecosystem === undefined || affectedEcosystem === undefined || affectedEcosystem.split(':')[0] === ecosystem.split(':')[0]);
}

/**
 * `fixed` events of version ranges only: a GIT range's events are commit
 * hashes, which are no version to upgrade to (and change the finding's text at
 * every new upstream commit).
 */
function fixedVersions(affected: readonly Record<string, unknown>[]): string[] {
  const fixed: string[] = [];
  for (const a of affected) {
    for (const range of asArray(a.ranges).map(asRecord)) {
      if (!VERSION_RANGES.has(asString(range.type) ?? '')) continue;
      for (const event of asArray(range.events).map(asRecord)) {
        const version = asString(event.fixed);
        if (version !== undefined && !fixed.includes(version)) fixed.push(version);
      }
    }
  }
  return fixed;
}

/**
 * The database's severity word when there is one, else the highest CVSS score
 * osv-scanner computed for the group (`groups[].max_severity`, 1.7+), else
 * the score of the record's own CVSS vectors (older osv-scanner writes no
 * max_severity), else unrated.
 */
function osvSeverity(v: Record<string, unknown>, group: Record<string, unknown> | undefined, cvss: readonly Cvss[]): DraftSeverity {
  const word = asString(asRecord(v.database_specific).severity);
  if (word !== undefined && Object.prototype.hasOwnProperty.call(OSV_SEVERITIES, word.toLowerCase())) return severityFrom(OSV_SEVERITIES, word);
  const score = parseScore(group?.max_severity);
  if (score !== undefined) return { label: labelFromScore(score), original: `CVSS ${score}` };
  return severityFromCvss(cvss) ?? { label: UNRATED, original: word ?? 'unrated' };
}

function toCvss(entry: Record<string, unknown>): Cvss | undefined {
  const type = asString(entry.type);
  const vector = asString(entry.score);
  if (type === undefined || vector === undefined || !type.startsWith('CVSS_')) return undefined;
  // OSV gives the vector only: the builder computes its BaseScore.
  const version = type === 'CVSS_V4' ? '4.0' : type === 'CVSS_V3' ? (vector.startsWith('CVSS:3.0') ? '3.0' : '3.1') : '2.0';
  return { Version: version, BaseVector: vector, Source: 'OSV' };
}
