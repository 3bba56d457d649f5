import { vulnerabilityType } from '../../asff/finding-types';
import { MalformedInputError } from '../../errors';
import { streamJsonElements } from '../../streams/json-elements';
import { peekSource, type ReportSource } from '../../streams/report-source';
import { containerImageResource } from '../container-image';
import { asArray, asRecord, asString, joinNonEmpty } from '../json-values';
import type { DraftResource, FindingDraft, ParseContext, Parser, ReportHead, SeverityTable } from '../parser';
import { RepeatFilter } from '../repeat-filter';
import { severityFrom } from '../severity';

/** Clair's severity names (from its `database.Severity`), Defcon1 being its "worse than critical". */
const CLAIR_SEVERITIES: SeverityTable = {
  defcon1: 'CRITICAL',
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  negligible: 'INFORMATIONAL',
  unknown: 'INFORMATIONAL',
};

/**
 * Clair results as written by its two common clients: clair-scanner
 * (`{image, unapproved[], vulnerabilities[]}`) and klar
 * (`{LayerCount, Vulnerabilities{<Severity>: [...]}}`).
 */
export const clairParser: Parser = {
  id: 'clair',
  displayName: 'Clair',
  countingUnit: 'one per vulnerability per package (feature name and version): the same advisory in two packages is two findings',
  formats: ['clair-scanner JSON', 'klar JSON'],
  severityTable: CLAIR_SEVERITIES,
  detect(head: ReportHead): number | undefined {
    const text = head.text;
    if (!/^\s*\{/.test(text)) return undefined;
    if (text.includes('"unapproved"') && text.includes('"vulnerabilities"') && text.includes('"image"')) return 0.9;
    if (text.includes('"LayerCount"') && text.includes('"Vulnerabilities"')) return 0.9;
    return undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseClair(source, context);
  },
};

async function* parseClair(source: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  const peeked = await peekSource(source);
  const head = peeked.head.toString('utf8');
  // Both clients write their own key first: clair-scanner `image` and `unapproved`, klar `LayerCount`.
  if (!head.includes('"unapproved"') && !head.includes('"LayerCount"')) {
    throw new MalformedInputError('not a Clair report: neither clair-scanner (unapproved) nor klar (LayerCount)', 'unrecognised');
  }
  const repeats = new RepeatFilter();
  // klar groups by severity (`Vulnerabilities.High[]`); a group is small enough to take whole.
  const selection = { elements: ['vulnerabilities.*', 'Vulnerabilities.*'], capture: ['image'] };
  for await (const element of streamJsonElements(peeked.source, selection)) {
    const klar = element.selector !== 'vulnerabilities.*';
    if (!klar && typeof element.path[1] !== 'number') {
      throw new MalformedInputError('not a Clair report: vulnerabilities must be a list', 'unrecognised');
    }
    // klar's Vulnerabilities is an object of severity groups; an array there is another tool's report (Trivy's cluster report).
    if (klar && (typeof element.path[1] === 'number' || !Array.isArray(element.value))) {
      throw new MalformedInputError('not a Clair report: Vulnerabilities must map severities to lists', 'unrecognised');
    }
    const entries = klar ? asArray(element.value).map((entry) => ({ entry: asRecord(entry), group: element.path[1] })) : [{
      entry: asRecord(element.value),
      group: undefined,
    }];
    for (const { entry, group } of entries) {
      const draft = clairFinding(klar ? fromKlar(entry, group) : fromClairScanner(entry), asString(element.captured.image), context);
      if (!repeats.first(draft)) continue;
      yield draft;
    }
  }
}

/** clair-scanner writes lower-case keys. */
function fromClairScanner(entry: Record<string, unknown>): ClairVulnerability {
  return {
    vulnerability: requireName(entry.vulnerability),
    feature: asString(entry.featurename) ?? 'unknown-package',
    version: asString(entry.featureversion),
    namespace: asString(entry.namespace),
    description: asString(entry.description),
    link: asString(entry.link),
    severity: entry.severity,
    fixedBy: asString(entry.fixedby),
  };
}

/** klar passes Clair's own capitalised objects through, grouped by severity. */
function fromKlar(entry: Record<string, unknown>, group: string | number | undefined): ClairVulnerability {
  return {
    vulnerability: requireName(entry.Name),
    feature: asString(entry.FeatureName) ?? 'unknown-package',
    version: asString(entry.FeatureVersion),
    namespace: asString(entry.NamespaceName),
    description: asString(entry.Description),
    link: asString(entry.Link),
    severity: entry.Severity ?? group,
    fixedBy: asString(entry.FixedBy),
  };
}

function requireName(value: unknown): string {
  const name = asString(value);
  if (name === undefined) throw new MalformedInputError('not a Clair report: a vulnerability has no name', 'unrecognised');
  return name;
}

interface ClairVulnerability {
  readonly vulnerability: string;
  readonly feature: string;
  readonly version?: string;
  readonly namespace?: string;
  readonly description?: string;
  readonly link?: string;
  readonly severity: unknown;
  readonly fixedBy?: string;
}

function clairFinding(v: ClairVulnerability, reportImage: string | undefined, context: ParseContext): FindingDraft {
  const image = context.scan.image ?? reportImage;
  const packageId = `${v.feature}@${v.version ?? ''}`;
  const resources: DraftResource[] = [{
    type: 'Other',
    id: joinNonEmpty([v.namespace, packageId], '/'),
    details: { Other: { package: packageId, ...(v.namespace ? { namespace: v.namespace } : {}) } },
  }];
  if (image) resources.unshift(containerImageResource(image));
  return {
    ruleId: v.vulnerability,
    locationKey: joinNonEmpty([v.namespace, packageId], '|'),
    title: `${v.vulnerability} in ${v.feature}${v.version ? ` ${v.version}` : ''}`,
    description: v.description ?? `${v.vulnerability} affects ${v.feature}${v.version ? ` ${v.version}` : ''}.`,
    severity: severityFrom(CLAIR_SEVERITIES, v.severity),
    types: [vulnerabilityType(v.vulnerability)],
    resources,
    vulnerabilities: [
      {
        id: v.vulnerability,
        vulnerablePackages: [{ Name: v.feature, ...(v.version ? { Version: v.version } : {}), ...(v.fixedBy ? { FixedInVersion: v.fixedBy } : {}) }],
        vendor: { name: v.namespace ? `Clair (${v.namespace})` : 'Clair', ...(v.link ? { url: v.link } : {}) },
        referenceUrls: v.link ? [v.link] : [],
        fixAvailable: v.fixedBy ? 'YES' : 'NO',
      },
    ],
    remediation: v.fixedBy ? { text: `Upgrade ${v.feature} to ${v.fixedBy}.` } : undefined,
    sourceUrl: v.link,
    productFields: { Package: packageId, ...(v.namespace ? { Namespace: v.namespace } : {}) },
  };
}
