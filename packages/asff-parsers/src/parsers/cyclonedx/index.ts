import type { Cvss } from '@aws-sdk/client-securityhub';
import { vulnerabilityType } from '../../asff/finding-types';
import { MalformedInputError } from '../../errors';
import { streamJsonElements } from '../../streams/json-elements';
import { peekSource, type ReportSource } from '../../streams/report-source';
import { streamXmlElements, type XmlElement } from '../../streams/xml-elements';
import { containerImageResource } from '../container-image';
import { severityFromCvss } from '../cvss';
import { asArray, asNumber, asRecord, asString, joinNonEmpty } from '../json-values';
import type { DraftResource, DraftSeverity, FindingDraft, ParseContext, Parser, ReportHead, SeverityTable } from '../parser';
import { RepeatFilter } from '../repeat-filter';
import { labelFromScore, parseScore, severityFrom } from '../severity';

/** CycloneDX rating severities (JSON lower-case, XML capitalised). */
const CYCLONEDX_SEVERITIES: SeverityTable = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  info: 'INFORMATIONAL',
  none: 'INFORMATIONAL',
  unknown: 'INFORMATIONAL',
};

/** A vulnerability without any rating: a known vulnerability nobody scored, which a gate must not wave through. */
const UNRATED = 'MEDIUM';

/** Rating methods whose severity outranks the first rating's (an OWASP Risk "Low" listed first must not win). */
const CVSS3_METHODS = new Set(['cvssv3', 'cvssv31']);

/** VEX analysis states (CycloneDX 1.4+) that close or suppress a vulnerability. */
const SUPPRESSING_STATES: Readonly<Record<string, string>> = {
  not_affected: 'not affected',
  false_positive: 'false positive',
};
const CLOSING_STATES = new Set(['resolved', 'resolved_with_pedigree']);

/** What a bom-ref names. */
interface Component {
  readonly name?: string;
  readonly group?: string;
  readonly version?: string;
  readonly purl?: string;
  readonly type?: string;
}

/** One vulnerability, read from either encoding. */
interface Vulnerability {
  readonly id: string;
  readonly sourceName?: string;
  readonly sourceUrl?: string;
  readonly ratings: readonly Rating[];
  readonly cwes: readonly string[];
  readonly description?: string;
  readonly detail?: string;
  readonly recommendation?: string;
  readonly advisories: readonly string[];
  readonly references: readonly string[];
  readonly analysis?: { readonly state?: string; readonly justification?: string; readonly detail?: string };
}

interface Rating {
  readonly severity?: string;
  readonly score?: number;
  readonly method?: string;
  readonly vector?: string;
  readonly source?: string;
}

/**
 * CycloneDX BOMs with vulnerabilities (VEX): JSON 1.4-1.6 (`trivy -f cyclonedx --scanners vuln`,
 * `grype -o cyclonedx-json`), XML 1.4+ native `<vulnerabilities>` and XML 1.0-1.3 with the
 * vulnerability extension 1.0 (`grype -o cyclonedx` of old).
 */
export const cyclonedxParser: Parser = {
  id: 'cyclonedx',
  displayName: 'CycloneDX',
  countingUnit:
    'one per vulnerability per affected component (affects[] ref, or the component an extension vulnerability sits in); a BOM without ' +
    'vulnerabilities gives none; VEX not_affected/false_positive are imported suppressed, resolved as archived',
  formats: [
    'CycloneDX JSON 1.4-1.6 (vulnerabilities[])',
    'CycloneDX XML 1.4+ (vulnerabilities)',
    'CycloneDX XML 1.0-1.3 with the vulnerability extension 1.0',
  ],
  severityTable: CYCLONEDX_SEVERITIES,
  detect(head: ReportHead): number | undefined {
    const text = head.text;
    if (/"bomFormat"\s*:\s*"CycloneDX"/.test(text)) return 0.9;
    if (/<bom[\s>]/.test(text) && /xmlns(:\w+)?="http:\/\/cyclonedx\.org\/schema\/bom\//.test(text)) return 0.9;
    return undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseCycloneDx(source, context);
  },
};

async function* parseCycloneDx(input: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  const { head, source } = await peekSource(input);
  const text = head.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('<')) {
    yield* parseXml(source, context);
    return;
  }
  // A BOM has no required list (an SBOM of nothing is valid), so the reader cannot refuse another tool's JSON by
  // a missing container: the format marker in the head does.
  if (!/"bomFormat"\s*:\s*"CycloneDX"/.test(text)) {
    throw new MalformedInputError('not a CycloneDX report: no "bomFormat": "CycloneDX"', 'unrecognised');
  }
  yield* parseJson(source, context);
}

/**
 * Components usually precede vulnerabilities (Trivy, Grype, the spec's
 * examples); a vulnerability read before any component waits until the end so
 * its refs can still be resolved.
 */
async function* parseJson(source: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  const components = new Map<string, Component>();
  const waiting: Record<string, unknown>[] = [];
  const repeats = new RepeatFilter();
  let subject: Component | undefined;
  // `metadata` whole, not `metadata.component`: a capture ends with its container, and metadata ends before
  // the components and vulnerabilities that need it.
  const selection = { elements: ['components.*', 'vulnerabilities.*'], capture: ['metadata'], requireContainer: false };
  for await (const element of streamJsonElements(source, selection)) {
    subject ??= jsonComponent(asRecord(asRecord(element.captured.metadata).component));
    if (element.selector === 'components.*') {
      addJsonComponents(asRecord(element.value), components);
      continue;
    }
    if (components.size === 0) {
      waiting.push(asRecord(element.value));
      continue;
    }
    yield* jsonFindings(asRecord(element.value), components, subject, repeats, context);
  }
  for (const v of waiting) yield* jsonFindings(v, components, subject, repeats, context);
}

function* jsonFindings(
  raw: Record<string, unknown>,
  components: ReadonlyMap<string, Component>,
  subject: Component | undefined,
  repeats: RepeatFilter,
  context: ParseContext,
): Generator<FindingDraft> {
  const vulnerability = jsonVulnerability(raw);
  const refs = asArray(raw.affects).map((a) => asString(asRecord(a).ref)).filter((r): r is string => r !== undefined);
  for (const ref of refs.length ? refs : [undefined]) {
    const draft = repeats.admit(finding(vulnerability, ref, ref === undefined ? undefined : components.get(ref), subject, context), [ref]);
    if (draft !== undefined) yield draft;
  }
}

/** A component and, flattened, the components nested in it (CycloneDX assemblies). */
function addJsonComponents(raw: Record<string, unknown>, into: Map<string, Component>, depth = 0): void {
  const ref = asString(raw['bom-ref']);
  const component = jsonComponent(raw);
  if (ref !== undefined && component !== undefined && !into.has(ref)) into.set(ref, component);
  // Nesting is bounded by the reader's own depth limit; this guard keeps a hostile BOM from recursing further.
  if (depth < 64) for (const child of asArray(raw.components)) addJsonComponents(asRecord(child), into, depth + 1);
}

function jsonComponent(raw: Record<string, unknown>): Component | undefined {
  const name = asString(raw.name);
  if (name === undefined && asString(raw.purl) === undefined) return undefined;
  return { name, group: asString(raw.group), version: asString(raw.version), purl: asString(raw.purl), type: asString(raw.type) };
}

function jsonVulnerability(raw: Record<string, unknown>): Vulnerability {
  const source = asRecord(raw.source);
  const analysis = asRecord(raw.analysis);
  return {
    id: asString(raw.id) ?? asString(raw['bom-ref']) ?? 'unknown-vulnerability',
    sourceName: asString(source.name),
    sourceUrl: asString(source.url),
    ratings: asArray(raw.ratings)
      .map(asRecord)
      .map((r) => ({
        severity: asString(r.severity),
        score: asNumber(r.score),
        method: asString(r.method),
        vector: asString(r.vector),
        source: asString(asRecord(r.source).name),
      })),
    cwes: asArray(raw.cwes).map(asString).filter((c): c is string => c !== undefined),
    description: asString(raw.description),
    detail: asString(raw.detail),
    recommendation: asString(raw.recommendation),
    advisories: asArray(raw.advisories).map((a) => asString(asRecord(a).url)).filter((u): u is string => u !== undefined),
    references: asArray(raw.references).map((r) => asString(asRecord(r).id)).filter((r): r is string => r !== undefined),
    analysis: Object.keys(analysis).length
      ? { state: asString(analysis.state), justification: asString(analysis.justification), detail: asString(analysis.detail) }
      : undefined,
  };
}

const XML_COMPONENT = 'bom/components/component';
const XML_VULNERABILITY = 'bom/vulnerabilities/vulnerability';
const XML_SUBJECT = 'bom/metadata/component';

async function* parseXml(source: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  const components = new Map<string, Component>();
  const waiting: XmlElement[] = [];
  const repeats = new RepeatFilter();
  let subject: Component | undefined;
  // Namespace prefixes are dropped by the reader: `v:vulnerabilities/v:vulnerability` (extension 1.0) and the
  // native 1.4 `vulnerabilities/vulnerability` are both `vulnerabilities/vulnerability`.
  const selection = { roots: ['bom'], elements: [XML_SUBJECT, XML_COMPONENT, XML_VULNERABILITY] };
  for await (const match of streamXmlElements(source, selection)) {
    if (match.selector === XML_SUBJECT) {
      subject = xmlComponent(match.element);
    } else if (match.selector === XML_COMPONENT) {
      yield* xmlComponentFindings(match.element, components, subject, repeats, context);
    } else if (components.size === 0) {
      waiting.push(match.element);
    } else {
      yield* xmlBomFindings(match.element, components, subject, repeats, context);
    }
  }
  for (const element of waiting) yield* xmlBomFindings(element, components, subject, repeats, context);
}

/** Registers a component (and nested ones) and yields the extension vulnerabilities written inside it. */
function* xmlComponentFindings(
  element: XmlElement,
  components: Map<string, Component>,
  subject: Component | undefined,
  repeats: RepeatFilter,
  context: ParseContext,
  depth = 0,
): Generator<FindingDraft> {
  const component = xmlComponent(element);
  const ref = element.attributes['bom-ref'];
  if (ref !== undefined && component !== undefined && !components.has(ref)) components.set(ref, component);
  for (const v of element.first('vulnerabilities')?.all('vulnerability') ?? []) {
    const draft = repeats.admit(finding(xmlVulnerability(v), ref, component, subject, context), [ref, v.attributes.ref]);
    if (draft !== undefined) yield draft;
  }
  if (depth < 64) {
    for (const child of element.first('components')?.all('component') ?? []) {
      yield* xmlComponentFindings(child, components, subject, repeats, context, depth + 1);
    }
  }
}

/** A BOM-level vulnerability: extension 1.0 names its component by `ref=`, 1.4+ by `affects/target/ref`. */
function* xmlBomFindings(
  element: XmlElement,
  components: ReadonlyMap<string, Component>,
  subject: Component | undefined,
  repeats: RepeatFilter,
  context: ParseContext,
): Generator<FindingDraft> {
  const vulnerability = xmlVulnerability(element);
  const targets = (element.first('affects')?.all('target') ?? []).map((t) => t.textOf('ref')).filter((r): r is string => r !== undefined);
  const refs = element.attributes.ref !== undefined ? [element.attributes.ref] : targets;
  for (const ref of refs.length ? refs : [undefined]) {
    const draft = repeats.admit(finding(vulnerability, ref, ref === undefined ? undefined : components.get(ref), subject, context), [ref]);
    if (draft !== undefined) yield draft;
  }
}

function xmlComponent(element: XmlElement): Component | undefined {
  const name = element.textOf('name');
  const purl = element.textOf('purl');
  if (name === undefined && purl === undefined) return undefined;
  return { name, group: element.textOf('group'), version: element.textOf('version'), purl, type: element.attributes.type };
}

function xmlVulnerability(element: XmlElement): Vulnerability {
  const source = element.first('source');
  const analysis = element.first('analysis');
  return {
    id: element.textOf('id') ?? element.attributes['bom-ref'] ?? 'unknown-vulnerability',
    sourceName: source?.attributes.name ?? source?.textOf('name'),
    sourceUrl: source?.textOf('url'),
    ratings: (element.first('ratings')?.all('rating') ?? []).map((r) => ({
      severity: r.textOf('severity'),
      // Extension 1.0 nests the score (`<score><base>9.8</base>...`); 1.4 writes it directly.
      score: asNumber(r.first('score')?.textOf('base') ?? r.textOf('score')),
      method: r.textOf('method'),
      vector: r.textOf('vector'),
      source: r.first('source')?.textOf('name'),
    })),
    cwes: (element.first('cwes')?.all('cwe') ?? []).map((c) => c.text.trim()).filter((c) => c !== ''),
    description: element.textOf('description'),
    detail: element.textOf('detail'),
    recommendation: element.textOf('recommendation')
      ?? (element.first('recommendations')?.all('recommendation') ?? []).map((r) => r.text.trim()).filter((r) => r !== '').join('; '),
    // Extension 1.0: `<advisory>url</advisory>`; 1.4: `<advisory><url>...</url></advisory>`.
    advisories: (element.first('advisories')?.all('advisory') ?? [])
      .map((a) => a.textOf('url') ?? a.text.trim())
      .filter((u) => /^https?:\/\//.test(u)),
    references: (element.first('references')?.all('reference') ?? []).map((r) => r.textOf('id')).filter((r): r is string => r !== undefined),
    analysis: analysis
      ? { state: analysis.textOf('state'), justification: analysis.textOf('justification'), detail: analysis.textOf('detail') }
      : undefined,
  };
}

function finding(
  v: Vulnerability,
  ref: string | undefined,
  component: Component | undefined,
  subject: Component | undefined,
  context: ParseContext,
): FindingDraft {
  const fromRef = ref !== undefined && ref.startsWith('pkg:') ? purlComponent(ref) : undefined;
  const known = component ?? fromRef;
  const name = known?.name ?? ref ?? 'unknown-component';
  const version = known?.version ?? '';
  const purl = known?.purl ?? (ref?.startsWith('pkg:') ? ref : undefined);
  const packageName = known?.group !== undefined && !name.includes('/') ? `${known.group}/${name}` : name;
  const cve = [v.id, ...v.references].find((r) => /^CVE-\d{4}-\d+$/.test(r));
  const state = v.analysis?.state;
  const suppressedAs = state !== undefined ? SUPPRESSING_STATES[state] : undefined;
  const cvss = v.ratings
    .filter((r) => r.method !== undefined && /^cvssv/i.test(r.method))
    .map((r): Cvss => ({
      ...(r.score !== undefined && r.score >= 0 && r.score <= 10 ? { BaseScore: r.score } : {}),
      ...(r.vector ? { BaseVector: r.vector } : {}),
      Version: cvssVersion(r.method!),
      ...(r.source ? { Source: r.source } : {}),
    }));
  const resources: DraftResource[] = [];
  const image = context.scan.image ?? (subject?.type === 'container' ? subject.name : undefined);
  if (image) resources.push(containerImageResource(image));
  // A ref that names no component (and is no purl) is all the BOM says: it stands as it is.
  const componentId = purl ?? (known !== undefined ? `${packageName}@${version}` : (ref ?? 'unknown-component'));
  resources.push({
    type: 'Other',
    id: componentId,
    details: { Other: { package: `${packageName}@${version}`, ...(ref ? { ref } : {}), ...(known?.type ? { type: known.type } : {}) } },
  });
  const analysisText = v.analysis?.state
    ? `VEX analysis: ${joinNonEmpty([v.analysis.state, v.analysis.justification], ', ')}${v.analysis.detail ? ` — ${v.analysis.detail}` : ''}.`
    : undefined;
  return {
    ruleId: v.id,
    // A component's purl (or bom-ref) is stable across builds; grype's old XML has neither, name@version stands in.
    locationKey: componentId,
    title: `${v.id} in ${packageName} ${version}`.trim(),
    description: joinNonEmpty([v.description ?? v.detail ?? `${v.id} affects ${packageName} ${version}.`, analysisText], '\n\n'),
    severity: cycloneDxSeverity(v.ratings),
    types: [vulnerabilityType(cve ?? v.id)],
    resources,
    vulnerabilities: [
      {
        id: v.id,
        vulnerablePackages: [{ Name: packageName, ...(version ? { Version: version } : {}), ...(purl ? { PackageManager: purlType(purl) } : {}) }],
        cvss,
        relatedVulnerabilities: v.references.filter((r) => r !== v.id),
        vendor: { name: v.sourceName ?? 'CycloneDX', ...(v.sourceUrl ? { url: v.sourceUrl } : {}) },
        referenceUrls: v.advisories,
      },
    ],
    remediation: v.recommendation ? { text: v.recommendation } : undefined,
    sourceUrl: v.sourceUrl,
    productFields: {
      ...(v.cwes.length ? { CWE: v.cwes.map((c) => (/^\d+$/.test(c) ? `CWE-${c}` : c)).join(', ') } : {}),
      ...(state ? { VexState: state } : {}),
      ...(ref ? { BomRef: ref } : {}),
    },
    suppressed: suppressedAs
      ? { reason: `VEX analysis: ${suppressedAs}${v.analysis?.justification ? ` (${v.analysis.justification})` : ''}`, kind: 'external' }
      : undefined,
    closed: state !== undefined && CLOSING_STATES.has(state),
  };
}

/**
 * The first rating's severity, unless a CVSS v3 rating gives one (it outranks
 * an OWASP Risk rating listed first); without any severity, the highest
 * score's band; without a score, the band of the highest-scoring CVSS v3/v4
 * vector; without any, unrated.
 */
function cycloneDxSeverity(ratings: readonly Rating[]): DraftSeverity {
  const rated = ratings.filter((r) => r.severity !== undefined);
  const cvss3 = rated.find((r) => CVSS3_METHODS.has((r.method ?? '').toLowerCase()));
  const chosen = cvss3 ?? rated[0];
  if (chosen !== undefined) return severityFrom(CYCLONEDX_SEVERITIES, chosen.severity, UNRATED);
  const scores = ratings.map((r) => parseScore(r.score)).filter((s): s is number => s !== undefined);
  if (scores.length > 0) {
    const best = Math.max(...scores);
    return { label: labelFromScore(best), original: `score ${best}` };
  }
  const vectors = ratings.filter((r) => r.vector !== undefined).map((r): Cvss => ({ BaseVector: r.vector }));
  return severityFromCvss(vectors) ?? { label: UNRATED, original: 'unrated' };
}

function cvssVersion(method: string): string {
  const m = method.toLowerCase();
  if (m === 'cvssv2') return '2.0';
  if (m === 'cvssv3') return '3.0';
  if (m === 'cvssv31') return '3.1';
  if (m === 'cvssv4') return '4.0';
  return method;
}

/** Name and version from a package URL (`pkg:maven/g/a@1.0?x=y`), for a ref no component describes. */
function purlComponent(purl: string): Component {
  const withoutQualifiers = purl.split(/[?#]/)[0];
  const at = withoutQualifiers.lastIndexOf('@');
  const path = at > 0 ? withoutQualifiers.slice(0, at) : withoutQualifiers;
  const name = decodeSafe(path.slice(path.lastIndexOf('/') + 1));
  return { name, version: at > 0 ? decodeSafe(withoutQualifiers.slice(at + 1)) : undefined, purl };
}

function purlType(purl: string): string {
  return purl.slice(4).split('/')[0];
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
