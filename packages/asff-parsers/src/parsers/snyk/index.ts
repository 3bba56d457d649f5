import type { Cvss } from '@aws-sdk/client-securityhub';
import { FindingTypes, vulnerabilityType } from '../../asff/finding-types';
import { MalformedInputError } from '../../errors';
import { streamJsonElements } from '../../streams/json-elements';
import { peekSource, type ReportSource } from '../../streams/report-source';
import { containerImageResource } from '../container-image';
import { asArray, asNumber, asRecord, asString, joinNonEmpty } from '../json-values';
import type { DraftResource, FindingDraft, ParseContext, Parser, ReportHead } from '../parser';
import { looksLikeSarif } from '../sarif';
import { severityFrom, VULNERABILITY_SEVERITIES } from '../severity';
import { snykCodeParser } from '../snyk-code';

/** Dependency paths listed in a description before "and N more". */
const PATHS_SHOWN = 5;

/** Snyk Open Source / Container `snyk test --json` (one project) and `--all-projects` (array of projects). */
export const snykParser: Parser = {
  id: 'snyk',
  displayName: 'Snyk',
  countingUnit:
    'one per vulnerability per package version per project (target file); Snyk lists one entry per dependency path, those paths go into the ' +
    'description; container reports also count the vulnerabilities of their applications[]; a Snyk Code SARIF report counts as snyk-code does ' +
    '(one per result per location)',
  formats: [
    'snyk test --json (single project)',
    'snyk test --all-projects --json (array)',
    'snyk container test --json',
    'snyk code test --sarif (read as Snyk Code: one finding per result per location)',
  ],
  severityTable: VULNERABILITY_SEVERITIES,
  detect(head: ReportHead): number | undefined {
    const text = head.text;
    if (!/^\s*[[{]/.test(text) || !/"vulnerabilities"\s*:/.test(text)) return undefined;
    if (
      /"(packageManager|dependencyCount|uniqueCount|projectName)"\s*:/.test(text)
      && /"(from|upgradePath|isUpgradable|semver)"\s*:/.test(text)
    ) {
      return 0.9;
    }
    if (/"id"\s*:\s*"SNYK-/.test(text)) return 0.85;
    return undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseSnykReport(source, context);
  },
};

/**
 * Snyk users name the tool `snyk` whichever Snyk product wrote the report, so a Snyk Code SARIF report given to
 * `--tool snyk` is read by the Snyk Code parser (its findings keep the `snyk` tool id, so a pipeline that always
 * passes `snyk` keeps stable Ids). A SARIF report of another tool is refused: it is not Snyk's.
 */
async function* parseSnykReport(source: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  const peeked = await peekSource(source);
  const head: ReportHead = { text: peeked.head.toString('utf8'), complete: peeked.complete, fileName: context.fileName };
  if (looksLikeSarif(head.text)) {
    if (snykCodeParser.detect(head) === undefined) {
      throw new MalformedInputError('not a Snyk report: a SARIF report whose tool is not Snyk Code (use --tool sarif)', 'unrecognised');
    }
    yield* snykCodeParser.parse(peeked.source, context);
    return;
  }
  yield* parseSnyk(peeked.source, context);
}

interface Group {
  readonly vulnerability: Record<string, unknown>;
  readonly project: Record<string, unknown>;
  readonly paths: string[];
}

async function* parseSnyk(source: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  // Snyk writes `vulnerabilities` before the project's name and target file,
  // and the entries of one package version are spread over the list, so a
  // project is read whole (Snyk reports are megabytes, not gigabytes).
  for await (const element of streamJsonElements(source, { elements: ['$'] })) {
    const root = element.value;
    const projects = Array.isArray(root) ? root.map(asRecord) : [asRecord(root)];
    if (!Array.isArray(root) && asRecord(root).vulnerabilities === undefined) {
      const error = asString(asRecord(root).error);
      throw new MalformedInputError(
        error ? `Snyk reported an error: ${error}` : 'not a Snyk report: no vulnerabilities list',
        error ? 'malformed' : 'unrecognised',
      );
    }
    for (const project of projects) {
      yield* projectFindings(project, context);
      for (const application of asArray(project.applications).map(asRecord)) yield* projectFindings(application, context);
    }
  }
}

function* projectFindings(project: Record<string, unknown>, context: ParseContext): Generator<FindingDraft> {
  const groups = new Map<string, Group>();
  for (const vulnerability of asArray(project.vulnerabilities).map(asRecord)) {
    const key = JSON.stringify([asString(vulnerability.id), packageName(vulnerability), asString(vulnerability.version)]);
    let group = groups.get(key);
    if (group === undefined) {
      group = { vulnerability, project, paths: [] };
      groups.set(key, group);
    }
    const path = asArray(vulnerability.from).map(asString).filter((p): p is string => p !== undefined).join(' > ');
    if (path !== '' && !group.paths.includes(path)) group.paths.push(path);
  }
  for (const group of groups.values()) yield snykFinding(group, context);
}

function packageName(v: Record<string, unknown>): string {
  return asString(v.packageName) ?? asString(v.moduleName) ?? asString(v.name) ?? 'unknown-package';
}

function snykFinding({ vulnerability: v, project, paths }: Group, context: ParseContext): FindingDraft {
  const id = asString(v.id) ?? 'unknown-vulnerability';
  const name = packageName(v);
  const version = asString(v.version) ?? '';
  const target = asString(project.displayTargetFile)
    ?? asString(project.targetFile)
    ?? asString(project.projectName)
    ?? asString(project.path)
    ?? 'project';
  const identifiers = asRecord(v.identifiers);
  const cves = asArray(identifiers.CVE).map(asString).filter((c): c is string => c !== undefined);
  const cwes = asArray(identifiers.CWE).map(asString).filter((c): c is string => c !== undefined);
  const fixedIn = asArray(v.fixedIn).map(asString).filter((f): f is string => f !== undefined);
  const isLicense = asString(v.type) === 'license';
  const score = asNumber(v.cvssScore);
  const cvss: Cvss[] = score !== undefined
    ? [{ BaseScore: score, ...(asString(v.CVSSv3) ? { BaseVector: asString(v.CVSSv3), Version: '3.x' } : {}), Source: 'Snyk' }]
    : [];
  const title = asString(v.title) ?? id;
  const shown = paths.slice(0, PATHS_SHOWN).map((p) => `- ${p}`);
  const more = paths.length > PATHS_SHOWN ? `- and ${paths.length - PATHS_SHOWN} more path(s)` : undefined;
  const upgrade = asArray(v.upgradePath).map(asString).filter((u): u is string => u !== undefined && u !== 'false');
  const references = asArray(v.references)
    .map((r) => asString(asRecord(r).url))
    .filter((u): u is string => u !== undefined);
  const epss = asNumber(asRecord(v.epssDetails).probability);
  const packageManager = asString(v.packageManager) ?? asString(project.packageManager);
  const snykUrl = id.startsWith('SNYK-') ? `https://security.snyk.io/vuln/${id}` : undefined;
  const resources: DraftResource[] = [];
  const image = context.scan.image ?? containerImage(project);
  if (image) resources.push(containerImageResource(image));
  resources.push({
    type: 'Other',
    id: context.scan.repository ? `${context.scan.repository}/${target}` : target,
    details: { Other: { package: `${name}@${version}`, target } },
  });
  return {
    ruleId: id,
    locationKey: `${target}|${name}@${version}`,
    title: `${title} in ${name}@${version}`,
    description: joinNonEmpty(
      [
        `${title} (${joinNonEmpty([id, ...cves], ', ')}) in ${name}@${version}.`,
        paths.length ? `Introduced through ${paths.length} dependency path(s):\n${[...shown, ...(more ? [more] : [])].join('\n')}` : undefined,
        overview(asString(v.description)),
      ],
      '\n\n',
    ),
    severity: severityFrom(VULNERABILITY_SEVERITIES, v.severityWithCritical ?? v.severity),
    types: [isLicense ? FindingTypes.CONFIGURATION : vulnerabilityType(cves[0] ?? id)],
    resources,
    vulnerabilities: isLicense
      ? undefined
      : [
        {
          id,
          vulnerablePackages: [
            {
              Name: name,
              ...(version ? { Version: version } : {}),
              ...(packageManager ? { PackageManager: packageManager } : {}),
              ...(fixedIn.length ? { FixedInVersion: fixedIn.join(', ') } : {}),
            },
          ],
          cvss,
          relatedVulnerabilities: cves,
          vendor: { name: 'Snyk', ...(snykUrl ? { url: snykUrl } : {}), ...(asString(v.severity) ? { severity: asString(v.severity) } : {}) },
          referenceUrls: references,
          fixAvailable: v.isUpgradable === true || v.isPatchable === true || fixedIn.length > 0 ? 'YES' : 'NO',
          ...(epss !== undefined ? { epssScore: epss } : {}),
        },
      ],
    remediation: fixedIn.length || upgrade.length
      ? {
        text: upgrade.length
          ? `Upgrade to ${upgrade[upgrade.length - 1]} (fixed in ${fixedIn.join(', ') || 'a later version'}).`
          : `Upgrade ${name} to ${fixedIn.join(' or ')}.`,
        url: snykUrl,
      }
      : undefined,
    sourceUrl: snykUrl,
    productFields: {
      Project: asString(project.projectName) ?? target,
      TargetFile: target,
      ...(cwes.length ? { CWE: cwes.join(', ') } : {}),
      DependencyPaths: String(paths.length),
    },
  };
}

/** The container image of a `snyk container test` project, when the report names one. */
function containerImage(project: Record<string, unknown>): string | undefined {
  const name = asString(project.projectName);
  if (project.docker === undefined || name === undefined) return undefined;
  return name.startsWith('docker-image|') ? name.slice('docker-image|'.length) : name;
}

/** The overview section of Snyk's markdown description (the rest is long remediation prose). */
function overview(markdown: string | undefined): string | undefined {
  if (markdown === undefined) return undefined;
  const match = /##\s*Overview\s*\n([\s\S]*?)(\n##\s|$)/.exec(markdown);
  return (match?.[1] ?? markdown).trim() || undefined;
}
