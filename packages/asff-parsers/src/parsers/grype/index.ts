import type { Cvss } from '@aws-sdk/client-securityhub';
import { vulnerabilityType } from '../../asff/finding-types';
import { streamJsonElements } from '../../streams/json-elements';
import type { ReportSource } from '../../streams/report-source';
import { containerImageResource } from '../container-image';
import { asArray, asNumber, asRecord, asString, joinNonEmpty } from '../json-values';
import type { DraftResource, FindingDraft, ParseContext, Parser, ReportHead } from '../parser';
import { severityFrom, VULNERABILITY_SEVERITIES } from '../severity';

/** Anchore Grype `-o json`: `{matches[], source, distro, descriptor}`. */
export const grypeParser: Parser = {
  id: 'grype',
  displayName: 'Anchore Grype',
  countingUnit:
    'one per matches[] entry: a vulnerability in one package at its locations; the same CVE in the same package at two different paths is two ' +
    'findings (locations are part of the Id)',
  formats: ['grype JSON (matchDetails as object or list)'],
  severityTable: VULNERABILITY_SEVERITIES,
  detect(head: ReportHead): number | undefined {
    if (/^\s*\{\s*"matches"\s*:/.test(head.text)) return 0.95;
    if (head.text.includes('"matches"') && head.text.includes('"artifact"') && head.text.includes('"vulnerability"')) return 0.8;
    return undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseGrype(source, context);
  },
};

async function* parseGrype(source: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  for await (const element of streamJsonElements(source, { elements: ['matches.*'], capture: ['source'] })) {
    yield grypeMatch(asRecord(element.value), element.captured.source, context);
  }
}

function grypeMatch(match: Record<string, unknown>, scannedSource: unknown, context: ParseContext): FindingDraft {
  const vulnerability = asRecord(match.vulnerability);
  const artifact = asRecord(match.artifact);
  const related = asArray(match.relatedVulnerabilities).map(asRecord);
  const id = asString(vulnerability.id) ?? 'unknown-vulnerability';
  const name = asString(artifact.name) ?? 'unknown-package';
  const version = asString(artifact.version) ?? '';
  const packageType = asString(artifact.type);
  const paths = asArray(artifact.locations)
    .map((l) => asString(asRecord(l).path))
    .filter((p): p is string => p !== undefined);
  const fix = asRecord(vulnerability.fix);
  const fixVersions = asArray(fix.versions).map(asString).filter((v): v is string => v !== undefined);
  const fixState = asString(fix.state);
  const description = asString(vulnerability.description) ?? related.map((r) => asString(r.description)).find((d) => d !== undefined);
  const cvss = [vulnerability, ...related].flatMap((v) => asArray(v.cvss).map((c) => toCvss(asRecord(c)))).filter((c): c is Cvss => c !== undefined);
  const epss = [vulnerability, ...related].flatMap((v) => asArray(v.epss)).map((e) => asNumber(asRecord(e).epss)).find((e) => e !== undefined);
  const purl = asString(artifact.purl);
  const packageResource: DraftResource = {
    type: 'Other',
    id: purl ?? `${name}@${version}`,
    details: {
      Other: {
        package: `${name}@${version}`,
        ...(packageType ? { type: packageType } : {}),
        ...(paths.length ? { locations: paths.join(', ') } : {}),
      },
    },
  };
  const image = imageResource(context, scannedSource);
  return {
    ruleId: id,
    locationKey: joinNonEmpty([purl ?? `${name}@${version}`, packageType, ...[...paths].sort()], '|'),
    title: `${id} in ${name} ${version}`.trim(),
    description: joinNonEmpty(
      [description ?? `${id} affects ${name} ${version}.`, paths.length ? `Found at: ${paths.join(', ')}` : undefined],
      '\n\n',
    ),
    severity: severityFrom(VULNERABILITY_SEVERITIES, vulnerability.severity),
    types: [vulnerabilityType(id)],
    resources: image === undefined ? [packageResource] : [image, packageResource],
    vulnerabilities: [
      {
        id,
        vulnerablePackages: [
          {
            Name: name,
            ...(version ? { Version: version } : {}),
            ...(packageType ? { PackageManager: packageType } : {}),
            ...(paths[0] ? { FilePath: paths[0] } : {}),
            ...(fixVersions.length ? { FixedInVersion: fixVersions.join(', ') } : {}),
          },
        ],
        cvss,
        relatedVulnerabilities: related.map((r) => asString(r.id)).filter((r): r is string => r !== undefined && r !== id),
        vendor: {
          name: asString(vulnerability.namespace) ?? 'grype',
          ...(asString(vulnerability.dataSource) ? { url: asString(vulnerability.dataSource) } : {}),
        },
        referenceUrls: asArray(vulnerability.urls).map(asString).filter((u): u is string => u !== undefined),
        fixAvailable: fixState === 'fixed' ? 'YES' : fixState === 'not-fixed' || fixState === 'wont-fix' ? 'NO' : undefined,
        ...(epss !== undefined ? { epssScore: epss } : {}),
      },
    ],
    remediation: fixVersions.length ? { text: `Upgrade ${name} to ${fixVersions.join(' or ')}.` } : undefined,
    sourceUrl: asString(vulnerability.dataSource),
  };
}

function toCvss(c: Record<string, unknown>): Cvss | undefined {
  const score = asNumber(asRecord(c.metrics).baseScore);
  if (score === undefined) return undefined;
  return {
    BaseScore: score,
    ...(asString(c.version) ? { Version: asString(c.version) } : {}),
    ...(asString(c.vector) ? { BaseVector: asString(c.vector) } : {}),
    ...(asString(c.source) ? { Source: asString(c.source) } : {}),
  };
}

/**
 * The scanned image: the one given on the command line, else Grype's own
 * `source` when it precedes `matches` (Grype writes it after, so for a
 * streamed report the command line is what names the image).
 */
function imageResource(context: ParseContext, scannedSource: unknown): DraftResource | undefined {
  if (context.scan.image) return containerImageResource(context.scan.image);
  const source = asRecord(scannedSource);
  if (asString(source.type) !== 'image') return undefined;
  const target = asRecord(source.target);
  const name = asString(target.userInput);
  const digest = asString(target.manifestDigest) ?? asString(target.imageID);
  if (!name) return undefined;
  const id = digest && !name.includes('@') ? `${name.split(':')[0]}@${digest}` : name;
  return { type: 'Container', id, details: { Container: { ImageName: name, ...(digest ? { ImageId: digest } : {}) } } };
}
